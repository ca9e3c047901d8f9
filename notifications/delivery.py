"""Delivery reports (Twilio's status callbacks): a message's state only ever moves forward,
and the same callback received twice changes nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OutboundMessage

# Twilio's MessageStatus -> our state.
TWILIO_STATES = {
    "accepted": "sent",
    "scheduled": "sent",
    "queued": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
}
# How far along a state is; a callback may only move a message to a later rank.
RANK = {"pending": 0, "sent": 1, "delivered": 2, "undelivered": 2, "failed": 2}


def record_status(
    session: Session, message_sid: str, twilio_status: str, error_code: str | None = None
) -> bool:
    """Apply one status callback; True if the message's state changed."""
    state = TWILIO_STATES.get((twilio_status or "").lower())
    if state is None:
        return False
    message = session.scalar(
        select(OutboundMessage).where(OutboundMessage.provider_sid == message_sid)
    )
    if message is None or message.state not in RANK:  # unknown, dead or skipped
        return False
    if RANK[state] <= RANK[message.state]:
        return False
    message.state = state
    if state in ("undelivered", "failed") and error_code and error_code.isdigit():
        message.error_code = int(error_code)
        message.last_error = f"Twilio reported {state} ({error_code})"
    return True
