"""Residents' subscriptions to the alerts of areas: asked for, confirmed by a code sent by
SMS (so nobody subscribes someone else's number), ended by STOP.

- `request_subscription` keeps one row per (number, area) in state pending, with a fresh
  six-digit code (stored hashed, valid CODE_MINUTES) and queues the SMS that carries it.
- `confirm` activates every pending row of the number when the code is right. A wrong
  code counts against all of them; after MAX_ATTEMPTS they are locked for LOCK_MINUTES,
  and no new code can be asked for meanwhile.
Keywords from the phone itself and STOP: notifications.subscribers.

Free of Flask: raises SubscriptionLocked, WrongCode and NothingPending.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AlertSubscription, OutboundMessage, ReporterContact
from notifications import texts
from notifications.alert_texts import confirmation
from notifications.runtime import remember, settings_for

CODE_MINUTES = 15
MAX_ATTEMPTS = 5
LOCK_MINUTES = 60


class SubscriptionLocked(Exception):
    def __init__(self, retry_after: float):
        super().__init__("locked")
        self.retry_after = max(1, int(retry_after))


class WrongCode(Exception):
    def __init__(self, remaining: int):
        super().__init__("wrong code")
        self.remaining = remaining


class NothingPending(Exception):
    """No subscription of this number waits for a code (none asked, or it expired)."""


def _hash(pepper: str, contact_id: int, code: str) -> str:
    return hmac.new(pepper.encode(), f"{contact_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _contact(session: Session, e164: str) -> ReporterContact:
    contact = session.scalar(select(ReporterContact).where(ReporterContact.phone_e164 == e164))
    if contact is None:
        contact = ReporterContact(phone_e164=e164)
        session.add(contact)
        session.flush()
    return contact


def _rows(session: Session, contact: ReporterContact) -> dict[int, AlertSubscription]:
    rows = session.scalars(
        select(AlertSubscription).where(AlertSubscription.contact_id == contact.id)
    )
    return {row.area_id: row for row in rows}


def request_subscription(
    session: Session,
    pepper: str,
    e164: str,
    area_ids: list[int],
    lang: str,
    now: dt.datetime,
    channel: str = "sms",
) -> list[AlertSubscription]:
    """Ask for subscriptions of this number to these areas; send the code by SMS."""
    contact = _contact(session, e164)
    rows = _rows(session, contact)
    locked = [r for r in rows.values() if r.state == "locked" and r.code_expires_at > now]
    if locked:
        raise SubscriptionLocked((max(r.code_expires_at for r in locked) - now).total_seconds())
    code = f"{secrets.randbelow(10**6):06d}"
    code_hash = _hash(pepper, contact.id, code)
    expires = now + dt.timedelta(minutes=CODE_MINUTES)
    wanted = []
    for area_id in area_ids:
        row = rows.get(area_id)
        if row is None:
            row = AlertSubscription(contact_id=contact.id, area_id=area_id)
            session.add(row)
        if row.state != "active":
            row.state, row.ended_at = "pending", None
        row.lang, row.channel = lang, channel
        wanted.append(row)
    # Every pending row of the number takes the new code: one code confirms them all.
    for row in [*rows.values(), *wanted]:
        if row.state == "pending":
            row.code_hash, row.code_expires_at, row.attempts = code_hash, expires, 0
    session.flush()
    if any(r.state == "pending" for r in wanted):
        _send_code(session, contact, lang, code)
    return wanted


def _send_code(session: Session, contact: ReporterContact, lang: str, code: str) -> None:
    settings = settings_for(session)
    body = confirmation(lang, code, CODE_MINUTES)
    message = OutboundMessage(
        dedupe_key=f"confirm:{contact.id}:{secrets.token_hex(8)}",
        contact=contact,
        kind="confirm",
        channel="sms" if settings.sms else "console",
        lang=lang,
        body=body,
        segments=texts.segments(body),
        state="skipped" if contact.opted_out_at else "pending",
        last_error="opted out (STOP)" if contact.opted_out_at else None,
    )
    session.add(message)
    session.flush()
    if message.state == "pending":
        remember(session, message.id)


def confirm(
    session: Session, pepper: str, e164: str, code: str, now: dt.datetime
) -> list[AlertSubscription]:
    """Activate the number's pending subscriptions if `code` is right."""
    contact = session.scalar(select(ReporterContact).where(ReporterContact.phone_e164 == e164))
    rows = list(_rows(session, contact).values()) if contact else []
    locked = [r for r in rows if r.state == "locked" and r.code_expires_at > now]
    if locked:
        raise SubscriptionLocked((max(r.code_expires_at for r in locked) - now).total_seconds())
    pending = [
        r for r in rows if r.state == "pending" and r.code_expires_at and r.code_expires_at > now
    ]
    if not pending:
        raise NothingPending()
    if not hmac.compare_digest(pending[0].code_hash or "", _hash(pepper, contact.id, code)):
        attempts = max(r.attempts for r in pending) + 1
        for row in pending:
            row.attempts = attempts
            if attempts >= MAX_ATTEMPTS:
                row.state = "locked"
                row.code_expires_at = now + dt.timedelta(minutes=LOCK_MINUTES)
        session.flush()
        if attempts >= MAX_ATTEMPTS:
            raise SubscriptionLocked(LOCK_MINUTES * 60)
        raise WrongCode(MAX_ATTEMPTS - attempts)
    for row in pending:
        row.state, row.confirmed_at, row.code_hash, row.attempts = "active", now, None, 0
    contact.opted_out_at = None  # asking for alerts and proving the number is consent
    session.flush()
    return pending
