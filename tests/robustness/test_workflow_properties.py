"""Hypothesis on the status machine: any sequence of status changes a clerk may ask for,
at any pace, leaves a report in a state the rules allow, with a history that tells it.

A small model of the rules (the transition table, the 30-day reopening window) predicts
each answer; the real workflow runs on the real database and must agree, step by step."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from citizen_api.domain.accounts import create_clerk
from citizen_api.domain.reporting import submit_report
from citizen_api.domain.workflow import CLOSING, IllegalTransition, apply_changes
from citizen_api.extensions import db
from models import Clerk
from tests.helpers import DOWNTOWN

TABLE = {
    "submitted": {"acknowledged", "rejected", "duplicate"},
    "acknowledged": {"in_progress", "rejected", "duplicate"},
    "in_progress": {"resolved", "rejected", "duplicate"},
    "resolved": {"closed", "in_progress"},
    "closed": set(),
    "rejected": set(),
}
# Marking a duplicate needs a second report; its rules have their own tests.
ASKED = sorted(TABLE)
WINDOW = dt.timedelta(days=30)


def model_allows(status: str, resolved_at, now) -> set[str]:
    allowed = set(TABLE[status])
    if status == "resolved" and now - resolved_at > WINDOW:
        allowed.discard("in_progress")
    return allowed


@pytest.fixture
def admin(client):
    """An admin clerk (the `client` fixture clears the reports afterwards)."""
    with client.application.app_context():
        clerk = db.session.scalar(select(Clerk).where(Clerk.username == "machine"))
        if clerk is None:
            create_clerk(db.session, "machine", "m" * 16, "admin", None)
            db.session.commit()
    return "machine"


@given(data=st.data())
@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_any_sequence_of_changes_follows_the_rules(app, admin, data):
    with app.app_context():
        session = db.session
        clerk = session.scalar(select(Clerk).where(Clerk.username == admin))
        report = submit_report(session, service_code="nid-de-poule", snap_m=0, **DOWNTOWN)
        now = report.requested_at
        status, resolved_at = "submitted", None
        for _ in range(data.draw(st.integers(min_value=0, max_value=10), label="steps")):
            now += dt.timedelta(days=data.draw(st.integers(min_value=0, max_value=40)))
            allowed = model_allows(status, resolved_at, now)
            # Mostly a change the rules allow (to get far along), sometimes any change.
            legal = sorted(allowed - {"duplicate"}) or ASKED
            wanted = data.draw(st.sampled_from(legal) | st.sampled_from(ASKED), label="status")
            changes = {"status": wanted, "public_note": "note"}
            if wanted in allowed:
                apply_changes(session, report, clerk, changes, now)
                session.commit()
                if wanted == "resolved":
                    resolved_at = now
                elif wanted == "in_progress" and status == "resolved":
                    resolved_at = None
                status = wanted
            else:
                with pytest.raises(IllegalTransition) as refused:
                    apply_changes(session, report, clerk, changes, now)
                session.rollback()
                assert set(refused.value.allowed) == allowed
            session.refresh(report)
            assert report.status == status
            assert (report.closed_at is not None) == (status in CLOSING)
            assert (report.resolved_at is not None) == (status in ("resolved", "closed"))
            changes_seen = [e for e in report.events if e.to_status]
            assert changes_seen[0].to_status == "submitted"
            for before, after in itertools.pairwise(changes_seen):
                assert after.from_status == before.to_status  # the history chains
            assert changes_seen[-1].to_status == status
        session.remove()
