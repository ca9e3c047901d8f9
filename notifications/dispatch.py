"""Sending outbox rows: claim, send, record — so that a crash loses nothing and a retry
sends nothing twice.

1. Claim: a pending, due row whose lease is free gets a lease and one more attempt, and
   the claim commits before anything is sent. On PostgreSQL one statement claims one row
   (`deliver`) or a batch of the oldest due rows (`drain`), locking them with
   FOR UPDATE SKIP LOCKED so that workers draining at once never take the same row nor
   wait for each other; on SQLite one conditional UPDATE per row, guarded by the attempt
   count just read. Two workers cannot both win; a worker that dies leaves a lease that
   expires.
2. Send, outside any transaction (a batch over NOTIFY_SEND_CONCURRENCY connections). If the
   previous attempt's outcome is unknown (a timeout, or a lease that expired because its
   worker died), first ask Twilio whether a message with this body already went to this
   number since that attempt, and adopt it if so. The number is a resident's
   (reporter_contacts) or, for an escalation, a staff member's (staff_contacts).
3. Record the outcomes (a batch in one statement on PostgreSQL), each guarded by its
   attempt number: sent; dead at once on a permanent error (21610, 21211, 21614, 21408,
   21612); otherwise back to pending with exponential backoff and jitter (at least
   Retry-After), dead after NOTIFY_MAX_ATTEMPTS.

A worker killed between 1 and 3 leaves its whole batch leased: after the lease, each of
those rows is "ambiguous" and gets the check of step 2 before any resend.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from dataclasses import dataclass

from sqlalchemy import or_, select, text, update

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


@dataclass
class Claim:
    """A message this worker owns until its lease ends: what to send, and how to record it."""

    id: int
    attempt: int
    channel: str
    to: str | None
    body: str
    ambiguous: bool  # the previous attempt's outcome is unknown: look before resending
    since: dt.datetime | None
    skipped: str | None = None  # set when the claim itself marked the message skipped
    # An approved WhatsApp template to send instead of a free-form body.
    content_sid: str | None = None
    content_variables: str | None = None

    @property
    def template(self) -> tuple[str, str] | None:
        return (self.content_sid, self.content_variables or "{}") if self.content_sid else None


@dataclass
class Result:
    claim: Claim
    outcome: Outcome
    values: dict


# --- PostgreSQL: claim and record in one statement each, for one message or a batch ---------
# The candidates are locked with FOR UPDATE SKIP LOCKED (rows another worker is claiming are
# passed over, never waited for), and re-checked by PostgreSQL after the lock. A message whose
# contact opted out or was erased is marked skipped by the claim itself, and not counted as
# an attempt.
_PG_CLAIM = """
WITH picked AS (
    SELECT m.id, m.uncertain AS old_uncertain, m.lease_until AS old_lease,
           coalesce(m.claimed_at, m.created_at) AS since,
           coalesce(c.phone_e164, s.phone_e164) AS phone,
           CASE WHEN c.id IS NULL AND s.id IS NULL THEN 'number erased'
                WHEN c.opted_out_at IS NOT NULL THEN 'opted out (STOP)' END AS skip
    FROM outbound_messages m LEFT JOIN reporter_contacts c ON c.id = m.contact_id
         LEFT JOIN staff_contacts s ON s.id = m.staff_contact_id
    WHERE m.state = 'pending' AND {where}
      AND (m.lease_until IS NULL OR m.lease_until < now())
    ORDER BY m.next_attempt_at, m.id
    LIMIT :limit
    FOR UPDATE OF m SKIP LOCKED
)
UPDATE outbound_messages m SET
    attempts = m.attempts + CASE WHEN p.skip IS NULL THEN 1 ELSE 0 END,
    claimed_at = CASE WHEN p.skip IS NULL THEN now() ELSE m.claimed_at END,
    lease_until = CASE WHEN p.skip IS NULL THEN now() + make_interval(secs => :lease) END,
    state = CASE WHEN p.skip IS NULL THEN m.state ELSE 'skipped' END,
    last_error = coalesce(p.skip, m.last_error),
    updated_at = now()
FROM picked p
WHERE m.id = p.id
RETURNING m.id, m.attempts, m.channel, m.body, p.phone, p.skip,
          p.old_uncertain OR p.old_lease IS NOT NULL AS ambiguous, p.since,
          m.content_sid, m.content_variables
"""
_PG_CLAIM_DUE = _PG_CLAIM.format(
    where="m.next_attempt_at <= now() AND m.created_at <= now() - make_interval(secs => :grace)"
)
_PG_CLAIM_ONE = _PG_CLAIM.format(where="m.id = :id AND (:force OR m.next_attempt_at <= now())")

# Outcomes, guarded by the attempt they belong to (a lost lease records nothing).
_PG_RECORD = """
UPDATE outbound_messages m SET
    state = u.state,
    provider_sid = CASE WHEN u.state = 'sent' THEN u.sid ELSE m.provider_sid END,
    uncertain = coalesce(u.uncertain, m.uncertain),
    error_code = u.error_code,
    last_error = u.last_error,
    sent_at = CASE WHEN u.state = 'sent' THEN now() ELSE m.sent_at END,
    next_attempt_at = CASE WHEN u.retry_in IS NULL THEN m.next_attempt_at
                           ELSE now() + make_interval(secs => u.retry_in) END,
    lease_until = NULL,
    updated_at = now()
FROM unnest(CAST(:ids AS bigint[]), CAST(:attempts AS integer[]), CAST(:states AS text[]),
            CAST(:sids AS text[]), CAST(:uncertain AS boolean[]), CAST(:codes AS integer[]),
            CAST(:errors AS text[]), CAST(:retry_in AS float8[]))
     AS u(id, attempt, state, sid, uncertain, error_code, last_error, retry_in)
WHERE m.id = u.id AND m.state = 'pending' AND m.attempts = u.attempt
RETURNING m.id
"""


def _postgres(notifier) -> bool:
    return notifier.engine.dialect.name == "postgresql"


def _claims(rows) -> list[Claim]:
    return [
        Claim(
            r.id,
            r.attempts,
            r.channel,
            r.phone,
            r.body,
            r.ambiguous,
            r.since,
            r.skip,
            r.content_sid,
            r.content_variables,
        )
        for r in rows
    ]


def claim_due(notifier, limit: int, *, grace_seconds: float = 0.0) -> list[Claim]:
    """Claim up to `limit` due messages (oldest due first) for this worker."""
    settings = notifier.settings
    if _postgres(notifier):
        with notifier.Session() as session:
            rows = session.execute(
                text(_PG_CLAIM_DUE),
                {"limit": limit, "grace": grace_seconds, "lease": settings.notify_lease_seconds},
            ).all()
            session.commit()
        return _claims(rows)
    claims = []  # SQLite (one writer at a time): the simple path, one message at a time
    for message_id in due(notifier, grace_seconds=grace_seconds, limit=limit):
        claim = _claim_one_simple(notifier, message_id, force=False)
        if isinstance(claim, Claim):
            claims.append(claim)
        elif claim.result == "skipped":  # already recorded as skipped
            claims.append(Claim(message_id, 0, "", None, "", False, None, skipped="skipped"))
    return claims


def claim_one(notifier, message_id: int, *, force: bool = False) -> Claim | Outcome:
    """Claim this message, or say why not: done, busy, or not-due (and in how long)."""
    if not _postgres(notifier):
        return _claim_one_simple(notifier, message_id, force=force)
    with notifier.Session() as session:
        rows = session.execute(
            text(_PG_CLAIM_ONE),
            {
                "id": message_id,
                "force": force,
                "limit": 1,
                "lease": notifier.settings.notify_lease_seconds,
            },
        ).all()
        if rows:
            session.commit()
            return _claims(rows)[0]
        # Not claimed (the rare path): find out why.
        row = session.execute(
            select(
                OutboundMessage.state,
                OutboundMessage.lease_until,
                OutboundMessage.next_attempt_at,
                utcnow(),
            ).where(OutboundMessage.id == message_id)
        ).first()
        session.rollback()
    if row is None or row.state != "pending":
        return Outcome("done")
    _state, lease_until, next_attempt_at, now = row
    if (lease_until is not None and lease_until > now) or force or next_attempt_at <= now:
        return Outcome("busy")  # leased, or locked by a claim in flight
    return Outcome("not-due", (next_attempt_at - now).total_seconds())


def _claim_one_simple(notifier, message_id: int, *, force: bool) -> Claim | Outcome:
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
        contact = message.contact or message.staff_contact  # a resident's, or staff's
        if contact is None or getattr(contact, "opted_out_at", None) is not None:
            message.state = "skipped"
            message.last_error = "number erased" if contact is None else "opted out (STOP)"
            message.lease_until = None
            session.commit()
            return Outcome("skipped")
        claim = Claim(
            id=message_id,
            attempt=message.attempts + 1,
            channel=message.channel,
            to=contact.phone_e164,
            body=message.body,
            ambiguous=message.uncertain or message.lease_until is not None,
            since=message.claimed_at or message.created_at,
            content_sid=message.content_sid,
            content_variables=message.content_variables,
        )
        claimed = session.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.id == message_id,
                OutboundMessage.state == "pending",
                OutboundMessage.attempts == claim.attempt - 1,
            )
            .values(
                attempts=claim.attempt,
                claimed_at=now,
                lease_until=now + dt.timedelta(seconds=settings.notify_lease_seconds),
            )
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if claimed.rowcount != 1:
            return Outcome("busy")
    return claim


def send(notifier, claim: Claim) -> Result:
    """Send one claimed message (outside any transaction); the outcome, not yet recorded."""
    settings = notifier.settings
    values: dict = {"lease_until": None}
    outcome: Outcome
    channel = notifier.channels.get(claim.channel)
    try:
        if channel is None:
            raise TransientError(f"channel {claim.channel} is not configured")
        sid = channel.find_sent(claim.to, claim.body, claim.since) if claim.ambiguous else None
        if sid:
            log.info("message %s had reached %s already: not sent again", claim.id, mask(claim.to))
        else:
            sid = channel.send(claim.to, claim.body, template=claim.template)
        values.update(state="sent", provider_sid=sid, uncertain=False, error_code=None)
        values.update(last_error=None)
        outcome = Outcome("sent")
    except PermanentError as exc:
        values.update(state="dead", error_code=exc.code, last_error=exc.detail)
        outcome = Outcome("dead")
    except (TransientError, UncertainError) as exc:
        uncertain = claim.ambiguous if isinstance(exc, TransientError) else True
        values.update(uncertain=uncertain, error_code=exc.code, last_error=exc.detail[:300])
        outcome = _retry_or_give_up(settings, claim.attempt, exc.retry_after, values)
    except Exception as exc:  # a bug or an SDK surprise: keep the message, look before resending
        log.exception("unexpected error sending message %s", claim.id)
        values.update(uncertain=True, last_error=f"unexpected: {type(exc).__name__}")
        outcome = _retry_or_give_up(settings, claim.attempt, None, values)
    return Result(claim, outcome, values)


def record(notifier, results: list[Result]) -> None:
    """Record these outcomes, each guarded by its attempt number, in one transaction (one
    statement on PostgreSQL)."""
    if not results:
        return
    if _postgres(notifier):
        with notifier.Session() as session:
            recorded = set(
                session.scalars(
                    text(_PG_RECORD),
                    {
                        "ids": [r.claim.id for r in results],
                        "attempts": [r.claim.attempt for r in results],
                        "states": [r.values.get("state", "pending") for r in results],
                        "sids": [r.values.get("provider_sid") for r in results],
                        "uncertain": [r.values.get("uncertain") for r in results],
                        "codes": [r.values.get("error_code") for r in results],
                        "errors": [r.values.get("last_error") for r in results],
                        "retry_in": [r.outcome.retry_in for r in results],
                    },
                )
            )
            session.commit()
    else:
        recorded = set()
        with notifier.Session() as session:
            now = db_now(session)
            for r in results:
                values = dict(r.values)
                if r.outcome.result == "sent":
                    values["sent_at"] = now
                if r.outcome.result == "retry":
                    values["next_attempt_at"] = now + dt.timedelta(seconds=r.outcome.retry_in)
                done = session.execute(
                    update(OutboundMessage)
                    .where(
                        OutboundMessage.id == r.claim.id,
                        OutboundMessage.state == "pending",
                        OutboundMessage.attempts == r.claim.attempt,
                    )
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
                if done.rowcount == 1:
                    recorded.add(r.claim.id)
            session.commit()
    for r in results:
        if r.claim.id not in recorded:
            log.warning(
                "message %s: attempt %s's outcome not recorded (lease lost)",
                r.claim.id,
                r.claim.attempt,
            )
        if r.outcome.result == "dead" and r.claim.id in recorded:
            # Once per message: a dead message is never claimed again. No number here.
            log.warning(
                "message %s gave up after attempt %s: %s",
                r.claim.id,
                r.claim.attempt,
                r.values.get("last_error"),
            )
            continue
        log.info(
            "message %s to %s via %s: %s (attempt %s)%s",
            r.claim.id,
            mask(r.claim.to),
            r.claim.channel,
            r.outcome.result,
            r.claim.attempt,
            f": {r.values['last_error']}" if r.values.get("last_error") else "",
        )


def deliver(notifier, message_id: int, *, force: bool = False) -> Outcome:
    """Try to send one outbox row now; what happened, and when to try again if needed."""
    claim = claim_one(notifier, message_id, force=force)
    if isinstance(claim, Outcome):
        return claim
    if claim.skipped:
        return Outcome("skipped")
    result = send(notifier, claim)
    record(notifier, [result])
    return result.outcome


def alert_messages_due(notifier) -> bool:
    """Whether some alert broadcast message is due now (one small query)."""
    with notifier.Session() as session:
        return (
            session.scalar(
                select(OutboundMessage.id)
                .where(
                    OutboundMessage.kind == "alert",
                    OutboundMessage.state == "pending",
                    OutboundMessage.next_attempt_at <= utcnow(),
                )
                .limit(1)
            )
            is not None
        )


def drain(
    notifier,
    *,
    batch: int | None = None,
    grace_seconds: float = 0.0,
    until_empty: bool = True,
    max_seconds: float | None = None,
    stop=None,
) -> dict[str, int]:
    """Send due messages in batches: claim a batch (one statement on PostgreSQL), send it
    over NOTIFY_SEND_CONCURRENCY connections, record the outcomes (one statement); again
    until nothing is due (or once, or for at most `max_seconds`, or until `stop()` says
    so: checked between batches, so every claimed message is recorded). Counts by outcome."""
    settings = notifier.settings
    batch = batch or settings.notify_claim_batch
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    counts: dict[str, int] = {}
    while True:
        claims = claim_due(notifier, batch, grace_seconds=grace_seconds)
        to_send = [c for c in claims if not c.skipped]
        if len(to_send) < len(claims):
            counts["skipped"] = counts.get("skipped", 0) + len(claims) - len(to_send)
        results = notifier.send_all(to_send)
        record(notifier, results)
        for r in results:
            counts[r.outcome.result] = counts.get(r.outcome.result, 0) + 1
        if not claims or not until_empty or (deadline and time.monotonic() > deadline):
            return counts
        if stop is not None and stop():
            return counts


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
