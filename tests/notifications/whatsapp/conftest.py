"""The app as a WhatsApp front door: Twilio configured (the emulator of
tests/notifications, shared), Twilio's media URLs served by a local stand-in, and a
resident who talks to it through the signed inbound webhook."""

from __future__ import annotations

import pytest

from citizen_api.extensions import db
from tests.conftest import clear_reports
from tests.helpers import make_app
from tests.notifications.conftest import twilio_config
from tests.notifications.whatsapp.media_server import MediaServer

MAX_PHOTO_BYTES = 1024 * 1024


@pytest.fixture(scope="session")
def media():
    server = MediaServer(slow_seconds=2.5)
    server.base_url = server.start()
    yield server
    server.stop()


def wa_config(app, emulator, media, photo_dir, **overrides) -> dict:
    """The configuration of the WhatsApp-ready app (also handed to subprocesses)."""
    return {
        "DATABASE_URL": app.config["DATABASE_URL"],
        **twilio_config(
            emulator,
            TWILIO_MEDIA_BASE_URL=media.base_url,
            WHATSAPP_MEDIA_TIMEOUT_SECONDS=1.0,
            PHOTO_MAX_BYTES=MAX_PHOTO_BYTES,
            PHOTO_DIR=str(photo_dir),
            NOTIFY_DAILY_CAP="50",
            # A test resident answers faster than any person: the flood test has its own.
            WHATSAPP_MAX_MESSAGES=1000,
        ),
        **overrides,
    }


@pytest.fixture(scope="session")
def wa_photo_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("wa-photos")


@pytest.fixture(scope="session")
def wa_app(app, emulator, media, wa_photo_dir):
    """The app with Twilio and WhatsApp configured, on the same database as `app`."""
    config = wa_config(app, emulator, media, wa_photo_dir)
    application = make_app(config.pop("DATABASE_URL"), **config)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def wa(wa_app, emulator):
    """A client of the WhatsApp-ready app; reports, messages and conversations cleared after."""
    emulator.fake.reset()
    yield wa_app.test_client()
    clear_reports(wa_app)
    emulator.fake.reset()
