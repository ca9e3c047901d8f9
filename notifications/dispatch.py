"""Sending outbox rows: claim, send, record — so that a crash loses nothing and a retry
sends nothing twice.

1. Claim: one conditional UPDATE takes a pending, due row whose lease is free and whose
   attempt count is the one just read; it sets a lease and counts the attempt, and commits.
   Two workers cannot both win; a worker that dies leaves a lease that expires.
2. Send, outside any transaction. If the previous attempt's outcome is unknown (a timeout,
   or a lease that expired because its worker died), first ask Twilio whether a message
   with this body already went to this number since that attempt, and adopt it if so.
3. Record the outcome, guarded by the attempt number: sent; dead at once on a permanent
   error (21610, 21211, 21614, 21408, 21612); otherwise back to pending with exponential
   backoff and jitter (at least Retry-After), dead after NOTIFY_MAX_ATTEMPTS.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass

from sqlalchemy import or_, select, update

from models import OutboundMessage, utcnow
from notifications.channels import PermanentError, TransientError, UncertainError
from notifications.phones import mask
from notifications.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    result: str  # sent, retry, dead, skipped, busy, done, not-due
    retry_in: float | None = None


def backoff(settings: Settings, attempts: int, retry_after: float | None = None) -> float:
    """Seconds before the next attempt: exponential in the attempts made, capped, with
    "equal jitter" (half fixed, half random) so retries of many messages spread out."""
    exponential = settings.notify_retry_base_seconds * 2 ** max(attempts - 1, 0)
    ceiling = min(settings.notify_retry_max_seconds, exponential)
    delay = ceiling / 2 + random.uniform(0, ceiling / 2)
    return max(delay, retry_after or 0.0)


def db_now(session) -> dt.datetime:
    return session.scalar(select(utcnow()))


def deliver(notifier, message_id: int, *, force: bool = False) -> Outcome:
    """Try to send one outbox row now; what happened, and when to try again if needed."""
    settings = notifier.settings
    with notifier.Session() as session:
        message = session.get(OutboundMessage, message_id)
        if message is None or message.state != "pending":
            return Outcome("done")
        now = db_now(session)
        if message.lease_until is not None and message.lease_until > now:
            return Outcome("busy")
        if message.next_attempt_at > now and not force:
            return Outcome("not-due", (message.next_attempt_at - now).total_seconds())
        contact = message.contact
        if contact is None or contact.opted_out_at is not None:
            message.state = "skipped"
            message.last_error = "number erased" if contact is None else "opted out (STOP)"
            message.lease_until = None
            session.commit()
            return Outcome("skipped")
        to, body, channel_name = contact.phone_e164, message.body, message.channel
        ambiguous = message.uncertain or message.lease_until is not None
        since = message.claimed_at or message.created_at
        attempt = message.attempts + 1
        claimed = session.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.id == message_id,
                OutboundMessage.state == "pending",
                OutboundMessage.attempts == attempt - 1,
            )
            .values(
                attempts=attempt,
                claimed_at=now,
                lease_until=now + dt.timedelta(seconds=settings.notify_lease_seconds),
            )
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if claimed.rowcount != 1:
            return Outcome("busy")

    values: dict = {"lease_until": None}
    outcome: Outcome
    channel = notifier.channels.get(channel_name)
    try:
        if channel is None:
            raise TransientError(f"channel {channel_name} is not configured")
        sid = channel.find_sent(to, body, since) if ambiguous else None
        if sid:
            log.info("message %s had reached %s already: not sent again", message_id, mask(to))
        else:
            sid = channel.send(to, body)
        values.update(state="sent", provider_sid=sid, uncertain=False, error_code=None)
        values.update(last_error=None)
        outcome = Outcome("sent")
    except PermanentError as exc:
        values.update(state="dead", error_code=exc.code, last_error=exc.detail)
        outcome = Outcome("dead")
    except (TransientError, UncertainError) as exc:
        uncertain = ambiguous if isinstance(exc, TransientError) else True
        values.update(uncertain=uncertain, error_code=exc.code, last_error=exc.detail[:300])
        outcome = _retry_or_give_up(settings, attempt, exc.retry_after, values)
    except Exception as exc:  # a bug or an SDK surprise: keep the message, look before resending
        log.exception("unexpected error sending message %s", message_id)
        values.update(uncertain=True, last_error=f"unexpected: {type(exc).__name__}")
        outcome = _retry_or_give_up(settings, attempt, None, values)

    with notifier.Session() as session:
        now = db_now(session)
        if outcome.result == "sent":
            values["sent_at"] = now
        if outcome.result == "retry":
            values["next_attempt_at"] = now + dt.timedelta(seconds=outcome.retry_in)
        recorded = session.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.id == message_id,
                OutboundMessage.state == "pending",
                OutboundMessage.attempts == attempt,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    if recorded.rowcount != 1:
        log.warning(
            "message %s: attempt %s's outcome not recorded (lease lost)", message_id, attempt
        )
    log.info(
        "message %s to %s via %s: %s (attempt %s)%s",
        message_id,
        mask(to),
        channel_name,
        outcome.result,
        attempt,
        f": {values['last_error']}" if values.get("last_error") else "",
    )
    return outcome


def _retry_or_give_up(settings: Settings, attempt: int, retry_after, values: dict) -> Outcome:
    if attempt >= settings.notify_max_attempts:
        reason = f"gave up after {attempt} attempts: {values.get('last_error')}"
        values.update(state="dead", last_error=reason[:300])
        return Outcome("dead")
    return Outcome("retry", backoff(settings, attempt, retry_after))


def due(notifier, *, grace_seconds: float = 15.0, limit: int | None = None) -> list[int]:
    """Pending rows whose time has come and whose lease (if any) has expired: those a
    crashed worker or a lost task left behind. Rows younger than `grace_seconds` are left
    to the task enqueued at their commit."""
    settings = notifier.settings
    with notifier.Session() as session:
        now = db_now(session)
        return list(
            session.scalars(
                select(OutboundMessage.id)
                .where(
                    OutboundMessage.state == "pending",
                    OutboundMessage.next_attempt_at <= now,
                    or_(OutboundMessage.lease_until.is_(None), OutboundMessage.lease_until < now),
                    OutboundMessage.created_at <= now - dt.timedelta(seconds=grace_seconds),
                )
                .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id)
                .limit(limit or settings.notify_sweep_batch)
            )
        )
