"""The outbox's dedupe lookup: asking again for a message about one cause (a report's
receipt, one status event) hands back the row already written, whatever changed since,
inside one transaction as well as across them, and never raises."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from citizen_api.extensions import db
from models import OutboundMessage, RequestEvent
from notifications.outbox import enqueue_receipt, enqueue_status_update
from tests.helpers import stored_report
from tests.notifications.support import file_report


def asked_again(enqueue, *args):
    """Call an outbox hook for a cause it has already written; the lookup must answer
    before the UNIQUE constraint on the dedupe key has to."""
    try:
        return enqueue(db.session, *args)
    except IntegrityError:
        pytest.fail("the dedupe lookup missed the row already written for this cause")


def _rows(report_id: int) -> int:
    return db.session.scalar(
        select(func.count(OutboundMessage.id)).where(OutboundMessage.request_id == report_id)
    )


def test_a_second_receipt_for_a_report_is_the_first_one(app, client):
    code = file_report(client)
    with app.app_context():
        report = stored_report(code)
        [receipt] = db.session.scalars(
            select(OutboundMessage).where(OutboundMessage.request_id == report.id)
        ).all()
        state, body = receipt.state, receipt.body
        # The resident has opted out since: a new message would be "skipped"; the lookup
        # must answer with the receipt already written, unchanged.
        report.contact.opted_out_at = dt.datetime.now(dt.UTC)
        again = asked_again(enqueue_receipt, report)
        assert again is not None
        assert (again.id, again.kind, again.state, again.body) == (
            receipt.id,
            "receipt",
            state,
            body,
        )
        assert _rows(report.id) == 1
        db.session.rollback()


def test_one_status_event_asked_twice_in_one_transaction_gives_one_message(app, client):
    code = file_report(client)
    with app.app_context():
        report = stored_report(code)
        event = RequestEvent(
            kind="status_changed",
            from_status=report.status,
            to_status="acknowledged",
            public=True,
            note="Pris en charge.",
            actor="clerk:test",
        )
        report.status = "acknowledged"
        report.events.append(event)
        db.session.flush()
        [first] = enqueue_status_update(db.session, report, event)
        [second] = asked_again(enqueue_status_update, report, event)  # nothing committed yet
        assert second.id == first.id and second.kind == "status"
        assert _rows(report.id) == 2  # the receipt and this one update
        db.session.commit()
        [third] = asked_again(enqueue_status_update, stored_report(code), event)
        assert third.id == first.id
        assert _rows(report.id) == 2
