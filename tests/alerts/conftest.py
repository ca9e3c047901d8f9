"""Alert fixtures: publishers' and a clerk's tokens (own accounts, so they never clash with
the triage tests' on the same database), a valid alert body, and clean alert tables."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from citizen_api.domain.accounts import create_clerk
from citizen_api.extensions import db
from citizen_api.web.auth import issue_token
from models import Clerk

ACCOUNTS = {
    "alerts-sup": ("supervisor", "voirie"),
    "alerts-admin": ("admin", None),
    "alerts-clerk": ("clerk", "voirie"),
}


@pytest.fixture(scope="session")
def alert_tokens(app):
    tokens = {}
    with app.app_context():
        for username, (role, department) in ACCOUNTS.items():
            clerk = db.session.scalar(select(Clerk).where(Clerk.username == username))
            if clerk is None:
                clerk = create_clerk(
                    db.session, username, "a long enough password", role, department
                )
                db.session.commit()
            tokens[username] = {"Authorization": f"Bearer {issue_token(clerk)[0]}"}
        db.session.remove()
    return tokens


@pytest.fixture
def supervisor(alert_tokens):
    return alert_tokens["alerts-sup"]


def soon(hours: float) -> str:
    """An ISO time `hours` from now, in Casablanca's usual offset."""
    when = dt.datetime.now(dt.timezone(dt.timedelta(hours=1))) + dt.timedelta(hours=hours)
    return when.replace(microsecond=0).isoformat()


def water_cut(**overrides) -> dict:
    """The issue's example body, running from an hour ago to ten hours from now."""
    body = {
        "kind": "water_cut",
        "severity": "moderate",
        "areas": ["maarif"],
        "services": ["fuite-eau"],
        "starts_at": soon(-1),
        "ends_at": soon(10),
        "headline": {
            "fr": "Coupure d'eau à Maârif",
            "ar": "انقطاع الماء بالمعاريف",
            "en": "Water cut in Maârif",
        },
        "text": {"fr": "Travaux sur le réseau.", "ar": "أشغال على الشبكة.", "en": "Network works."},
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def publish(client, headers, **overrides):
    return client.post("/api/v1/alerts", json=water_cut(**overrides), headers=headers)
