"""`flask apikeys`: keys are shown once, stored only as digests, and can be revoked."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from citizen_api.extensions import db
from models import ApiKey
from tests.open311.conftest import create, errors_of, issue


def test_a_key_is_printed_once_and_stored_only_as_a_digest(app):
    name = f"app-{uuid.uuid4().hex[:8]}"
    key = issue(app, name)
    assert key.startswith("c311_") and len(key) > 40
    with app.app_context():
        row = db.session.scalar(select(ApiKey).where(ApiKey.name == name))
        stored = [str(getattr(row, c.key)) for c in ApiKey.__table__.columns]
        db.session.remove()
    assert key not in " ".join(stored)
    assert row.hint == key[:9]
    listing = app.test_cli_runner().invoke(args=["apikeys", "list"])
    assert name in listing.stdout and key not in listing.stdout


def test_a_name_is_given_to_one_key_only(app):
    name = f"app-{uuid.uuid4().hex[:8]}"
    issue(app, name)
    again = app.test_cli_runner().invoke(args=["apikeys", "create", name])
    assert again.exit_code != 0 and "already exists" in again.output
    bad = app.test_cli_runner().invoke(args=["apikeys", "create", "no spaces please"])
    assert bad.exit_code != 0


def test_a_revoked_key_can_no_longer_create(app, client):
    name = f"app-{uuid.uuid4().hex[:8]}"
    key = issue(app, name)
    assert create(client, key).status_code == 200
    result = app.test_cli_runner().invoke(args=["apikeys", "revoke", name])
    assert result.exit_code == 0
    refused = create(client, key)
    assert refused.status_code == 403
    assert errors_of(refused, "json")[0]["code"] == 403
    unknown = app.test_cli_runner().invoke(args=["apikeys", "revoke", "nobody-" + name])
    assert unknown.exit_code != 0
