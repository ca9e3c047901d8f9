"""Hypothesis on the status machine: any sequence of status changes a clerk may ask for,
at any pace, leaves a report in a state the rules allow, with a history that tells it.

A small model of the rules (the transition table, the 30-day reopening window) predicts
each answer; the real workflow runs on the real database and must agree, step by step.
The known edge cases (the window's last day, a second reopening, each final status, steps
skipped) are @examples, so every run tries them whatever the random draw."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from citizen_api.domain.accounts import create_clerk
from citizen_api.domain.reporting import submit_report
from citizen_api.domain.workflow import IllegalTransition, apply_changes
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
FINAL = ("closed", "rejected", "duplicate")
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


@st.composite
def sequences(draw) -> list[tuple[int, str]]:
    """Up to ten (days later, status asked for) steps: mostly a change the model allows
    (to get far along the workflow), sometimes any status at all."""
    status, resolved_at, now, steps = "submitted", None, dt.timedelta(0), []
    for _ in range(draw(st.integers(min_value=0, max_value=10), label="steps")):
        days = draw(st.integers(min_value=0, max_value=40))
        now += dt.timedelta(days=days)
        allowed = model_allows(status, resolved_at, now)
        legal = sorted(allowed - {"duplicate"}) or ASKED
        wanted = draw(st.sampled_from(legal) | st.sampled_from(ASKED), label="status")
        steps.append((days, wanted))
        if wanted in allowed:
            resolved_at = now if wanted == "resolved" else resolved_at
            status = wanted
    return steps


TO_RESOLVED = [(0, "acknowledged"), (0, "in_progress"), (0, "resolved")]


@given(steps=sequences())
@example(steps=[*TO_RESOLVED, (30, "in_progress")])  # the window's last day: reopens
@example(steps=[*TO_RESOLVED, (31, "in_progress"), (0, "closed")])  # a day late: refused
@example(steps=[*TO_RESOLVED, (20, "in_progress"), (20, "resolved"), (20, "in_progress")])
@example(steps=[*TO_RESOLVED, (0, "closed"), (0, "in_progress"), (0, "rejected")])
@example(steps=[(0, "rejected"), (0, "acknowledged"), (0, "submitted")])
@example(steps=[(0, "acknowledged"), (0, "rejected"), (0, "in_progress")])
@example(steps=[(0, "acknowledged"), (0, "in_progress"), (0, "rejected")])
@example(steps=[*TO_RESOLVED, (0, "rejected"), (0, "acknowledged"), (0, "submitted")])
@example(steps=[(0, "in_progress"), (0, "resolved"), (0, "closed"), (0, "submitted")])
@example(steps=[(0, "acknowledged"), (0, "resolved"), (0, "closed"), (0, "acknowledged")])
@example(steps=[(0, "acknowledged"), (0, "in_progress"), (0, "closed"), (0, "acknowledged")])
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_any_sequence_of_changes_follows_the_rules(app, admin, steps):
    with app.app_context():
        session = db.session
        clerk = session.scalar(select(Clerk).where(Clerk.username == admin))
        report = submit_report(session, service_code="nid-de-poule", snap_m=0, **DOWNTOWN)
        now = report.requested_at
        status, resolved_at = "submitted", None
        for days, wanted in steps:
            now += dt.timedelta(days=days)
            allowed = model_allows(status, resolved_at, now)
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
            assert (report.closed_at is not None) == (status in FINAL)
            assert (report.resolved_at is not None) == (status in ("resolved", "closed"))
            changes_seen = [e for e in report.events if e.to_status]
            assert changes_seen[0].to_status == "submitted"
            for before, after in itertools.pairwise(changes_seen):
                assert after.from_status == before.to_status  # the history chains
            assert changes_seen[-1].to_status == status
        session.remove()
