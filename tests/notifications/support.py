"""Helpers for the messaging tests: file reports, change a status as the triage workflow
will, read the outbox, and post signed webhooks as Twilio does."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from twilio.request_validator import RequestValidator

from citizen_api.extensions import db
from models import OutboundMessage, RequestEvent
from notifications.outbox import enqueue_status_update
from tests.helpers import report, stored_report
from tests.notifications.conftest import AUTH_TOKEN, PUBLIC_BASE_URL

PHONE = "0612345678"
E164 = "+212612345678"


def file_report(client, phone: str | None = PHONE, **fields) -> str:
    response = report(client, phone=phone, **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["tracking_code"]


def outbox(app, code: str) -> list[OutboundMessage]:
    """The report's messages, oldest first, read fresh from the database."""
    with app.app_context():
        db.session.expire_all()
        found = stored_report(code)
        rows = db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.request_id == found.id)
            .order_by(OutboundMessage.id)
        ).all()
        db.session.expunge_all()
        return rows


def change_status(app, code: str, to_status: str, note: str | None = None, public=True, at=None):
    """What the triage workflow does: a status event and its messages, one transaction;
    `at` records the event at that time instead of now (the history is append-only)."""
    with app.app_context():
        found = stored_report(code)
        event = RequestEvent(
            kind="status_changed",
            from_status=found.status,
            to_status=to_status,
            public=public,
            note=note,
            actor="clerk:test",
            **({"created_at": at} if at else {}),
        )
        found.status = to_status
        found.events.append(event)
        db.session.flush()
        messages = enqueue_status_update(db.session, found, event)
        db.session.commit()
        return [m.id for m in messages]


def signed_post(client, path: str, params: dict, token: str = AUTH_TOKEN, signature=None):
    url = PUBLIC_BASE_URL + path
    if signature is None:
        signature = RequestValidator(token).compute_signature(url, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def inbound(client, body: str, sender: str = "whatsapp:" + E164, sid: str | None = None):
    params = {
        "MessageSid": sid or "SM" + secrets.token_hex(16),
        "AccountSid": "AC" + "0123456789abcdef" * 2,
        "From": sender,
        "To": "whatsapp:+14155238886",
        "Body": body,
        "NumMedia": "0",
    }
    return signed_post(client, "/webhooks/twilio/inbound", params)


def status_callback(client, sid: str, status: str, error_code: str | None = None, **kwargs):
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32}
    if error_code:
        params["ErrorCode"] = error_code
    return signed_post(client, "/webhooks/twilio/status", params, **kwargs)
