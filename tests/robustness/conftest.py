"""Fixtures of the robustness tests: extra apps on the session's database, disposed of
after each test so no connection is left open."""

from __future__ import annotations

import pytest

from citizen_api.extensions import db
from tests.conftest import clear_reports
from tests.helpers import make_app


@pytest.fixture
def make_variant(app):
    """Build more apps on the test database with other settings; their reports are
    cleared and their connections closed after the test."""
    made = []

    def build(builder=make_app, **config):
        variant = builder(app.config["DATABASE_URL"], **config)
        made.append(variant)
        return variant

    yield build
    for variant in made:
        with variant.app_context():
            db.session.remove()
            db.engine.dispose()
    clear_reports(app)


# Staff accounts of the robustness tests (their own names, so they never collide with
# the triage tests' accounts on the same session database).
HOSTILE_STAFF = {"r-clerk": ("clerk", "voirie"), "r-admin": ("admin", None)}
HOSTILE_PASSWORD = "robustness password 1234"


@pytest.fixture(scope="session")
def hostile_staff(app):
    """username -> Authorization header, for a voirie clerk and an admin."""
    from citizen_api.domain.accounts import create_clerk
    from citizen_api.web.auth import issue_token

    headers = {}
    with app.app_context():
        for username, (role, department) in HOSTILE_STAFF.items():
            clerk = create_clerk(db.session, username, HOSTILE_PASSWORD, role, department)
            db.session.commit()
            headers[username] = {"Authorization": f"Bearer {issue_token(clerk)[0]}"}
        db.session.remove()
    return headers


# The Twilio-configured app (its inbound webhooks, the WhatsApp intake) on the same
# database, for the catalogue's webhook ways in.
from tests.notifications.conftest import emulator, tw, tw_app  # noqa: E402, F401 - fixtures
