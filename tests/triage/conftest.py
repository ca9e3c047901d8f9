"""Triage fixtures: one set of staff accounts per backend, and their access tokens."""

from __future__ import annotations

import pytest

from citizen_api.domain.accounts import create_clerk
from citizen_api.extensions import db
from citizen_api.web.auth import issue_token

PASSWORD = "correct horse battery staple"
# username -> (role, department)
STAFF = {
    "amina": ("clerk", "voirie"),
    "youssef": ("clerk", "voirie"),
    "sara": ("supervisor", "voirie"),
    "karim": ("clerk", "eclairage"),
    "hind": ("supervisor", "eclairage"),
    "root": ("admin", None),
}


@pytest.fixture(scope="session")
def staff(app):
    """Create the accounts once per backend; return a username -> access token map."""
    tokens = {}
    with app.app_context():
        for username, (role, department) in STAFF.items():
            clerk = create_clerk(db.session, username, PASSWORD, role, department)
            db.session.commit()
            tokens[username] = issue_token(clerk)[0]
        db.session.remove()
    return tokens


@pytest.fixture
def as_(staff):
    """as_("amina") -> the Authorization header of that clerk."""
    return lambda username: {"Authorization": f"Bearer {staff[username]}"}
