"""What the app's own log handler writes (the one create_app installs on the root logger):
a phone number typed in any usual form never reaches the log stream."""

from __future__ import annotations

import io
import logging
import re

import pytest

from citizen_api.web.logs import PhoneMaskingFilter, configure_logging


@pytest.fixture
def log_stream(app):
    """The app's root handler, writing into a buffer for the test's duration."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, PhoneMaskingFilter) for f in h.filters)
    ]
    assert len(handlers) == 1, "create_app installs exactly one masking handler"
    handler = handlers[0]
    buffer = io.StringIO()
    # Swapped without setStream(), which would flush a stream another test run may have
    # closed (pytest's capture of an earlier session, under mutmut).
    previous, handler.stream = handler.stream, buffer
    try:
        yield buffer
    finally:
        handler.stream = previous


@pytest.mark.parametrize(
    "typed", ["0612345678", "06 12 34 56 78", "+212 6 12 34 56 78", "+212612345678"]
)
def test_a_number_in_a_log_line_is_masked_in_the_written_log(log_stream, typed):
    logging.getLogger("citizen_api.test").warning("could not reach %s, will retry", typed)
    written = log_stream.getvalue()
    assert "could not reach" in written and "will retry" in written
    assert "•78, will retry" in written
    digits = "".join(c for c in written.split("could not reach", 1)[1] if c.isdigit())
    assert digits == "78"


@pytest.fixture
def bare_root():
    """The root logger without the app's handler, as in a fresh process; put back after."""
    root, plugins = logging.getLogger(), logging.getLogger("alembic.runtime.plugins")
    saved, level, plugins_level = root.handlers[:], root.level, plugins.level
    root.handlers = [
        h for h in saved if not any(isinstance(f, PhoneMaskingFilter) for f in h.filters)
    ]
    plugins.setLevel(logging.NOTSET)
    yield root
    root.handlers, root.level = saved, level
    plugins.setLevel(plugins_level)


def test_a_fresh_process_gets_one_masking_handler_in_the_house_format(bare_root, capsys):
    configure_logging("info")
    configure_logging("info")  # a second app in the same process adds no second handler
    logging.getLogger("citizen_api.test").warning("could not reach %s", "06 12 34 56 78")
    logging.getLogger("citizen_api.test").debug("below the level: not written")
    logging.getLogger("alembic.runtime.plugins").info("plugin chatter: not written")
    logging.getLogger("alembic.runtime.migration").info("Running upgrade 0001 -> 0002")
    lines = capsys.readouterr().err.splitlines()
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
    assert len(lines) == 2, lines
    assert re.fullmatch(rf"{stamp} WARNING citizen_api.test: could not reach ••••••••78", lines[0])
    assert re.fullmatch(rf"{stamp} INFO alembic.runtime.migration: Running upgrade .*", lines[1])
    assert bare_root.level == logging.INFO
