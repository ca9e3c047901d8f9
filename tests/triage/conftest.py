"""Triage fixtures: one set of staff accounts per backend, and their access tokens."""

from __future__ import annotations

from unittest import mock

import pytest

from citizen_api.domain import accounts
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
# One real Argon2id hash of PASSWORD, made once at import: each hash costs about half a
# second of CPU by design, and six of them per run (per mutant, in mutation runs) add up.
# Signing in still checks the password against it (tests/triage/test_auth.py).
PASSWORD_HASH = accounts.hash_password(PASSWORD)


@pytest.fixture(scope="session")
def staff(app):
    """Create the accounts once per backend; return a username -> access token map."""
    tokens = {}
    with (
        app.app_context(),
        mock.patch.object(accounts, "hash_password", {PASSWORD: PASSWORD_HASH}.__getitem__),
    ):
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
