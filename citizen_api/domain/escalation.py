"""Escalation of tickets past their SLA. Free of Flask.

- A ticket still open past `expected_at` gets one internal history event `escalated`
  (its department's supervisors will see it in their next digest).
- A ticket open for more than twice its SLA (now - filed > 2 x (due - filed)) gets one
  internal event `raised_to_head`: the department head's attention.
- Once a day, at the department's `digest_hour` (Casablanca time), a StaffDigest lists
  what was escalated since the previous digest; the console shows the latest to the
  department's supervisors.

Every step is idempotent: an event is added only if the ticket has none of its kind, a
digest only if none covers today's digest hour yet, so running it twice (a retry, two
schedulers) changes nothing the second time. Nothing is sent by SMS or WhatsApp yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, literal, select
from sqlalchemy.orm import Session

from models import OPEN_STATUSES, Department, RequestEvent, ServiceRequest, StaffDigest

CASABLANCA = ZoneInfo("Africa/Casablanca")
ACTOR = "casa311"
ESCALATED, RAISED = "escalated", "raised_to_head"
DIGEST_CODES = 200


class BadDigestHour(ValueError):
    """A digest hour is a whole hour from 0 to 23."""


@dataclass(frozen=True)
class Run:
    escalated: int
    raised: int
    digests: int


def _without(kind: str):
    ev = RequestEvent
    return ~exists().where(ev.request_id == ServiceRequest.id, ev.kind == kind)


def _add_events(session: Session, kind: str, condition, note: str, now: dt.datetime) -> int:
    sr = ServiceRequest
    rows = session.execute(
        select(sr.id, sr.department_id)
        .where(sr.status.in_(OPEN_STATUSES), sr.expected_at.is_not(None))
        .where(condition, _without(kind))
        .order_by(sr.expected_at)
    ).all()
    for request_id, department_id in rows:
        event = RequestEvent(request_id=request_id, kind=kind, public=False, note=note)
        event.actor, event.department_id, event.created_at = ACTOR, department_id, now
        session.add(event)
    session.flush()
    return len(rows)


def escalate(session: Session, now: dt.datetime) -> tuple[int, int]:
    """Add the escalation events due at `now`; how many of each kind were added."""
    sr = ServiceRequest
    late = _add_events(session, ESCALATED, sr.expected_at < now,
                       "Past its SLA: in the supervisors' next digest.", now)  # fmt: skip
    if session.get_bind().dialect.name == "postgresql":
        epoch = lambda later, earlier: func.extract("epoch", later - earlier)  # noqa: E731
        at = literal(now, sr.requested_at.type)
        twice = epoch(at, sr.requested_at) > 2 * epoch(sr.expected_at, sr.requested_at)
    else:
        span = func.julianday(literal(now, sr.requested_at.type))
        twice = span - func.julianday(sr.requested_at) > 2 * (
            func.julianday(sr.expected_at) - func.julianday(sr.requested_at)
        )
    raised = _add_events(session, RAISED, and_(sr.expected_at < now, twice),
                         "Open for more than twice its SLA: raised to the department head.",
                         now)  # fmt: skip
    return late, raised


def digest_due(department: Department, now: dt.datetime) -> dt.datetime | None:
    """Today's digest moment for the department, if it has come (else None)."""
    local = now.astimezone(CASABLANCA)
    moment = dt.datetime.combine(local.date(), dt.time(department.digest_hour),
                                 tzinfo=CASABLANCA)  # fmt: skip
    return moment.astimezone(dt.UTC) if local >= moment else None


def make_digests(session: Session, now: dt.datetime) -> int:
    """One digest per department whose digest hour has come today and has none yet."""
    made = 0
    for department in session.scalars(select(Department).order_by(Department.code)):
        moment = digest_due(department, now)
        if moment is None:
            continue
        last = session.scalar(
            select(func.max(StaffDigest.until)).where(StaffDigest.department_id == department.id)
        )
        if last is not None and last >= moment:
            continue  # today's digest is made
        ev = RequestEvent
        window = [ev.department_id == department.id, ev.created_at <= now]
        if last is not None:
            window.append(ev.created_at > last)
        rows = session.execute(
            select(ev.kind, ServiceRequest.tracking_code)
            .join(ServiceRequest, ServiceRequest.id == ev.request_id)
            .where(ev.kind.in_((ESCALATED, RAISED)), *window)
            .order_by(ev.id)
        ).all()
        codes = [code for kind, code in rows if kind == ESCALATED]
        session.add(StaffDigest(
            department_id=department.id, since=last, until=now,
            overdue=len(codes), raised=sum(1 for kind, _ in rows if kind == RAISED),
            codes=codes[:DIGEST_CODES],
        ))  # fmt: skip
        made += 1
    session.flush()
    return made


def run(session: Session, now: dt.datetime) -> Run:
    """Escalate, then make the digests that are due (the caller commits)."""
    late, raised = escalate(session, now)
    return Run(late, raised, make_digests(session, now))


def set_digest_hour(session: Session, department: Department, hour) -> None:
    try:
        value = int(hour)
    except (TypeError, ValueError):
        raise BadDigestHour(hour) from None
    if not 0 <= value <= 23:
        raise BadDigestHour(hour)
    department.digest_hour = value
    session.flush()


def latest_digest(session: Session, department_id: int) -> StaffDigest | None:
    return session.scalar(
        select(StaffDigest)
        .where(StaffDigest.department_id == department_id)
        .order_by(StaffDigest.until.desc())
        .limit(1)
    )
