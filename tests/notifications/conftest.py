"""The Twilio emulator and an app configured to use it.

The real twilio SDK sends to Stoplight Prism on 127.0.0.1 (`prism proxy --errors`), which
checks each request and answer against Twilio's OpenAPI spec and forwards to the stateful
fake in twilio_fake.py. tests/emulator/setup.sh installs Prism (npm ci) and extracts the
spec from the npm tarball. CASA311_TWILIO_EMULATOR=fake skips Prism (the fake alone).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from citizen_api.extensions import db
from citizen_api.notify import notifier_of
from tests.conftest import clear_reports
from tests.helpers import make_app
from tests.notifications.twilio_fake import TwilioFake

EMULATOR_DIR = Path(__file__).resolve().parent.parent / "emulator"
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "f" * 32
PUBLIC_BASE_URL = "https://casa311.test"
SMS_FROM = "CASA311"
WHATSAPP_FROM = "whatsapp:+14155238886"


@dataclass
class Emulator:
    fake: TwilioFake
    url: str
    prism: bool


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prism exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"prism did not listen on {port} within {seconds}s")


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    fake = TwilioFake(ACCOUNT_SID, AUTH_TOKEN)
    fake_url = fake.start()
    if os.environ.get("CASA311_TWILIO_EMULATOR") == "fake":
        yield Emulator(fake, fake_url, prism=False)
        fake.stop()
        return
    spec = subprocess.run(
        [str(EMULATOR_DIR / "setup.sh")], check=True, capture_output=True, text=True, timeout=600
    ).stdout.strip()
    port = _free_port()
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    with open(log, "w") as out:
        prism = str(EMULATOR_DIR / "node_modules/.bin/prism")
        process = subprocess.Popen(
            [prism, "proxy", "--errors", "-h", "127.0.0.1", "-p", str(port), spec, fake_url],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "SCARF_ANALYTICS": "false"},
        )
    try:
        _wait_for_port(port, process, 90)
        yield Emulator(fake, f"http://127.0.0.1:{port}", prism=True)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        fake.stop()


def twilio_config(emulator: Emulator, **overrides) -> dict:
    return {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_SMS_FROM": SMS_FROM,
        "TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
        "TWILIO_API_BASE_URL": emulator.url,
        "TWILIO_TIMEOUT_SECONDS": "1",
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "NOTIFY_RETRY_BASE_SECONDS": "0",
        "NOTIFY_DAILY_CAP": "3",
        **overrides,
    }


@pytest.fixture(scope="session")
def tw_app(app, emulator):
    """The app with Twilio configured, on the same database as `app`."""
    application = make_app(app.config["DATABASE_URL"], **twilio_config(emulator))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def tw(tw_app, emulator):
    """A client of the Twilio-configured app; messages and reports are cleared after."""
    emulator.fake.reset()
    yield tw_app.test_client()
    clear_reports(tw_app)
    emulator.fake.reset()


@pytest.fixture
def fake(emulator) -> TwilioFake:
    return emulator.fake


@pytest.fixture
def notifier(tw_app):
    return notifier_of(tw_app)
