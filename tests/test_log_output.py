"""What the app's own log handler writes (the one create_app installs on the root logger):
a phone number typed in any usual form never reaches the log stream."""

from __future__ import annotations

import io
import logging

import pytest

from citizen_api.web.logs import PhoneMaskingFilter


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
