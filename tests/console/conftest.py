"""Console fixtures: staff accounts (once per backend), a signed-in test client, and the
Twilio-configured app (tests.notifications.conftest) for what reaches residents."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from citizen_api.domain.accounts import create_clerk
from citizen_api.extensions import db
from models import Clerk
from tests.notifications.conftest import emulator, fake, tw, tw_app  # noqa: F401 - fixtures

PASSWORD = "correct horse battery staple"
# username -> (role, department); distinct from the triage tests' accounts.
STAFF = {
    "nadia": ("clerk", "voirie"),
    "mehdi": ("clerk", "voirie"),
    "salma": ("supervisor", "voirie"),
    "rachid": ("clerk", "eclairage"),
    "chef": ("admin", None),
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def console_staff(app):
    # Idempotent: a module that imports this fixture gets its own copy of it, which may
    # run again on the same session-wide app.
    with app.app_context():
        for username, (role, department) in STAFF.items():
            if db.session.scalar(select(Clerk.id).where(Clerk.username == username)) is None:
                create_clerk(db.session, username, PASSWORD, role, department)
        db.session.commit()
        db.session.remove()
    return STAFF


def new_account(app, role="clerk", department="voirie") -> str:
    """A fresh account (for tests that disable or change it); its username."""
    username = f"u{uuid.uuid4().hex[:10]}"
    with app.app_context():
        create_clerk(db.session, username, PASSWORD, role, department)
        db.session.commit()
        db.session.remove()
    return username


def csrf_token(client, path: str = "/console/login") -> str:
    """The session's CSRF token, read from a console page as a browser would."""
    response = client.get(path)
    match = CSRF.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path} ({response.status_code})"
    return match.group(1)


def sign_in(client, username: str, password: str = PASSWORD):
    token = csrf_token(client)
    return client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": token},
    )


def post(client, path: str, token: str | None = None, **data):
    """POST a console form with the session's CSRF token."""
    return client.post(path, data={"csrf_token": token or csrf_token(client), **data})


@pytest.fixture
def console(app, client, console_staff):
    """console("nadia") -> a test client of its own (a browser), signed in as that
    account. Reports are cleared after the test (by `client`)."""

    def signed_in(username: str):
        browser = app.test_client()
        response = sign_in(browser, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return browser

    return signed_in
