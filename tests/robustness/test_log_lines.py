"""Log lines cannot be forged and carry no phone number, the access log included: one
filter escapes and masks every line (issue 14, class 8). The access-log test runs the
real gunicorn with the project's gunicorn.conf.py and reads what it wrote."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from citizen_api.web.logs import LogSafetyFilter

ROOT = Path(__file__).resolve().parents[2]
FORGED = '/x%0a10.0.0.9%20"GET%20/admin"%20200%200%201ms'
ESCAPE = "/%1b%5b2J%1b%5d0;owned%07"
PHONE_PATH = "/r/06%2012%2034%2056%2078"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _raw_get(port: int, path: str) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(f"GET {path} HTTP/1.0\r\nHost: casa311\r\n\r\n".encode())
        while conn.recv(65536):
            pass


@pytest.fixture
def gunicorn_log(app, tmp_path):
    """Run gunicorn (one worker) on the test database; yield (port, log reader)."""
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("the access log does not depend on the database")
    port, log = _free_port(), tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": "1",
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SECRET_KEY": "s" * 48,
        "PHOTO_DIR": str(tmp_path / "photos"),
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [gunicorn, "citizen_api:create_app()"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port, lambda: log.read_bytes()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_access_log_escapes_and_masks_what_a_url_carries(gunicorn_log):
    port, read = gunicorn_log
    for path in (FORGED, ESCAPE, PHONE_PATH, "/healthz"):
        _raw_get(port, path)
    time.sleep(0.5)
    log = read()
    assert b"\x1b" not in log and b"\x07" not in log
    text = log.decode()
    access = [line for line in text.splitlines() if '"GET ' in line]
    assert len(access) == 4, text  # one line per request: nothing forged a fifth
    assert not any(line.startswith("10.0.0.9") for line in text.splitlines())
    assert "12 34 56" not in text and "123456" not in text
    assert '/r/••••••••78"' in text
    assert "\\x1b" in text and "\\n10.0.0.9" in text  # escaped, still readable


def test_app_log_lines_are_escaped_and_masked(caplog):
    logger = logging.getLogger("casa311.test.safety")
    logger.addFilter(LogSafetyFilter())
    with caplog.at_level(logging.INFO, logger="casa311.test.safety"):
        logger.info("unknown code %r from %s", "K7QM\n2026 INFO forged", "+212 661 23 45 67")
        logger.info("bidi %s", "\u202eevil\u2028line")
    lines = [r.getMessage() for r in caplog.records]
    assert all("\n" not in line and "\u2028" not in line and "\u202e" not in line for line in lines)
    assert "661 23 45" not in caplog.text and "67" in lines[0]
    assert "\\n2026 INFO forged" in lines[0]


def test_a_traceback_keeps_its_lines_but_no_number(caplog):
    logger = logging.getLogger("casa311.test.traceback")
    logger.addFilter(LogSafetyFilter())
    with caplog.at_level(logging.ERROR, logger="casa311.test.traceback"):
        try:
            raise ValueError("cannot text 0661234567")
        except ValueError:
            logger.exception("send failed")
    assert "0661234567" not in caplog.text and "Traceback" in caplog.text


def test_console_paths_cannot_forge_or_leak_in_the_access_log(gunicorn_log):
    """The console's ways in: a forged line in its path and query, a raw ESC, and a
    phone number as a ticket code, a queue search and a sign-in's next page."""
    port, read = gunicorn_log
    paths = (
        '/console/requests/x%0a10.0.0.9%20"GET%20/console/admin"%20200',
        "/console/?q=%1b%5b2J%0d%0aFORGED",
        "/console/requests/06%2012%2034%2056%2078",
        "/console/?q=0612345678",
        "/console/login?next=/console/requests/%2B212%20612%2034%2056%2078",
    )
    for path in paths:
        _raw_get(port, path)
    time.sleep(0.5)
    log = read()
    assert b"\x1b" not in log
    text = log.decode()
    access = [line for line in text.splitlines() if '"GET ' in line]
    assert len(access) == len(paths), text  # one line each: nothing forged another
    assert not any(line.startswith(("10.0.0.9", "FORGED")) for line in text.splitlines())
    assert "12 34 56" not in text and "12345678" not in text and "612 34" not in text
    assert "\\n10.0.0.9" in text  # escaped, still readable (the query is not logged)


def test_a_webhook_body_cannot_forge_or_leak_in_any_log_line(gunicorn_log):
    """The WhatsApp/SMS way in: a body with a forged line, ESC and a phone number (and a
    forged signature) gives one access line, carrying none of it."""
    port, read = gunicorn_log
    body = (
        b"From=whatsapp%3A%2B212612345678&Body=trou%0a10.0.0.9%20%22POST%20/x%22%20200"
        b"%1b%5b2J%20appelez%20le%2006%2061%2023%2045%2067&MessageSid=SM1"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(
            b"POST /webhooks/twilio/inbound HTTP/1.0\r\nHost: casa311\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"X-Twilio-Signature: forged%0aFORGED\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        while conn.recv(65536):
            pass
    time.sleep(0.5)
    log = read()
    assert b"\x1b" not in log
    text = log.decode()
    (access,) = [line for line in text.splitlines() if '"POST ' in line]
    assert access.endswith("ms") and '"POST /webhooks/twilio/inbound" 403' in access
    assert not any(line.startswith(("10.0.0.9", "FORGED")) for line in text.splitlines())
    assert "61 23 45" not in text and "612345678" not in text
