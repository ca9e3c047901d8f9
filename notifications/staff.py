"""Escalations to staff through the outbox: a department's daily digest to each of its
supervisors, and a ticket raised to the department head, by WhatsApp or SMS to the
number on their account (models.StaffContact) in the channel they prefer.

Written in the escalation job's transaction, one row per cause and person (dedupe keys
`digest:<digest id>:<clerk id>` and `raise:<event id>:<clerk id>`), so a job that dies
before its commit leaves nothing and one that runs again adds nothing. Sent like every
outbox row (notifications.dispatch: claim with a lease, send, record; a sender that dies
mid-send is checked with Twilio before any resend).

The city-wide daily SMS cap: a resident's message past it is skipped (it would be stale),
but an escalation is DEFERRED: kept with state `deferred`, not counted against the cap,
and made pending again by `release_deferred` (run by every escalation job) as soon as the
24-hour window has room, oldest first, counting from its release. It is never lost, and
its one row is sent once.
"""

from __future__ import annotations

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from models import OutboundMessage, StaffContact, utcnow
from notifications import texts
from notifications.outbox import sms_last_24h
from notifications.runtime import remember, settings_for
from notifications.settings import Settings

DEFERRED_REASON = "deferred: city-wide daily SMS cap reached"
STAFF_LANG = "fr"  # staff messages are in the console's default language
_RELEASE_LOCK = 311_016  # a PostgreSQL advisory lock: one release at a time


def staff_channel(settings: Settings, contact: StaffContact) -> str:
    """The person's preferred channel if Twilio is configured for it, else the other one,
    else the console (nothing leaves the building)."""
    configured = {"sms": settings.sms, "whatsapp": settings.whatsapp}
    if configured.get(contact.channel):
        return contact.channel
    for name, ok in configured.items():
        if ok:
            return name
    return "console"


def enqueue_staff(
    session: Session,
    contact: StaffContact,
    kind: str,
    key: str,
    body: str,
    request_id: int | None = None,
) -> OutboundMessage:
    """One message to a staff member for one cause (the existing row if already queued):
    pending, or deferred when it would go by SMS past the city-wide cap."""
    existing = session.scalar(select(OutboundMessage).where(OutboundMessage.dedupe_key == key))
    if existing is not None:
        return existing
    settings = settings_for(session)
    channel = staff_channel(settings, contact)
    state, reason = "pending", None
    if channel == "sms" and sms_last_24h(session) >= settings.notify_city_daily_sms_cap:
        state, reason = "deferred", DEFERRED_REASON
    message = OutboundMessage(
        dedupe_key=key,
        request_id=request_id,
        staff_contact_id=contact.id,
        kind=kind,
        channel=channel,
        lang=STAFF_LANG,
        body=body,
        segments=texts.segments(body),
        state=state,
        last_error=reason,
    )
    session.add(message)
    session.flush()
    if state == "pending":
        remember(session, message.id)
    return message


def deferred_count(session: Session) -> int:
    return session.scalar(
        select(func.count(OutboundMessage.id)).where(OutboundMessage.state == "deferred")
    )


def release_deferred(session: Session) -> int:
    """Make deferred escalations pending again, oldest first, as far as the city-wide cap's
    24-hour window has room; how many. In the caller's transaction (the caller commits),
    one release at a time on PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _RELEASE_LOCK})
    settings = settings_for(session)
    room = settings.notify_city_daily_sms_cap - sms_last_24h(session)
    if room <= 0:
        return 0
    waiting = (
        select(OutboundMessage.id)
        .where(OutboundMessage.state == "deferred")
        .order_by(OutboundMessage.created_at, OutboundMessage.id)
        .limit(room)
    )
    ids = list(session.scalars(waiting))
    if not ids:
        return 0
    session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id.in_(ids), OutboundMessage.state == "deferred")
        .values(state="pending", released_at=utcnow(), next_attempt_at=utcnow(), last_error=None)
        .execution_options(synchronize_session=False)
    )
    for message_id in ids:
        remember(session, message_id)
    return len(ids)


def digest_body(department: str, overdue: int, raised: int, codes: list[str], url: str) -> str:
    shown = ", ".join(codes[:5]) + (" …" if len(codes) > 5 else "")
    return (
        f"casa311 · {department} : {overdue} ticket(s) en retard depuis le dernier résumé, "
        f"{raised} remonté(s) au chef de service." + (f" {shown}." if shown else "") + f" {url}"
    )


def raise_body(department: str, code: str, service: str, url: str) -> str:
    return (
        f"casa311 · {department} : le ticket {code} ({service}) est ouvert depuis plus de "
        f"deux fois son délai ; il vous est remonté. {url}"
    )


def console_url(session: Session, path: str) -> str:
    return settings_for(session).public_base_url.rstrip("/") + path
