"""Escalation of tickets past their SLA. Free of Flask.

- A ticket still open past `expected_at` gets one internal history event `escalated`
  (its department's supervisors will see it in their next digest).
- A ticket open for more than twice its SLA (now - filed > 2 x (due - filed)) gets one
  internal event `raised_to_head`: the department head's attention.
- Once a day, at the department's `digest_hour` (Casablanca time), a StaffDigest lists
  what was escalated since the previous digest; the console shows the latest to the
  department's supervisors.

Each digest also goes to each of the department's active supervisors, and each raise to
the department's designated head, by WhatsApp or SMS to the number on their account
(notifications.staff), queued in the outbox in the same transaction. Escalations the
city-wide SMS cap held back are released, oldest first, as the cap's window allows.

Every step is idempotent: an event is added only if the ticket has none of its kind, a
digest only if none covers today's digest hour yet, a message only once per cause and
person (its dedupe key), so running it twice (a retry, two schedulers, a job that died
before its commit) changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, literal, select
from sqlalchemy.orm import Session

from citizen_api.domain.staff_contacts import heads
from models import (
    OPEN_STATUSES,
    Clerk,
    Department,
    RequestEvent,
    ServiceRequest,
    ServiceType,
    StaffContact,
    StaffDigest,
)
from notifications import staff as staff_messages

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
    messages: int = 0  # queued to staff by this run
    released: int = 0  # deferred escalations let go by this run


def _without(kind: str):
    ev = RequestEvent
    return ~exists().where(ev.request_id == ServiceRequest.id, ev.kind == kind)


def _add_events(
    session: Session, kind: str, condition, note: str, now: dt.datetime
) -> list[RequestEvent]:
    sr = ServiceRequest
    rows = session.execute(
        select(sr.id, sr.department_id)
        .where(sr.status.in_(OPEN_STATUSES), sr.expected_at.is_not(None))
        .where(condition, _without(kind))
        .order_by(sr.expected_at)
    ).all()
    events = []
    for request_id, department_id in rows:
        event = RequestEvent(request_id=request_id, kind=kind, public=False, note=note)
        event.actor, event.department_id, event.created_at = ACTOR, department_id, now
        session.add(event)
        events.append(event)
    session.flush()
    return events


def escalate(session: Session, now: dt.datetime) -> tuple[int, list[RequestEvent]]:
    """Add the escalation events due at `now`: how many tickets were escalated, and the
    raise events added."""
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
    return len(late), raised


def _contacts(session: Session, clerk_ids) -> dict[int, StaffContact]:
    ids = list(clerk_ids)
    if not ids:
        return {}
    rows = session.scalars(select(StaffContact).where(StaffContact.clerk_id.in_(ids)))
    return {c.clerk_id: c for c in rows}


def _send_raises(session: Session, raised: list[RequestEvent]) -> int:
    """One message per raise event to its department's head (active, with a number)."""
    if not raised:
        return 0
    # A head moved to another department since (or disabled) is no longer its head.
    by_department = {d: c for d, c in heads(session).items() if c.active and c.department_id == d}
    contacts = _contacts(session, (c.id for c in by_department.values()))
    rows = {
        r.id: r
        for r in session.execute(
            select(ServiceRequest.id, ServiceRequest.tracking_code, ServiceType.name_fr,
                   Department.name_fr.label("department"))
            .join(ServiceType, ServiceType.id == ServiceRequest.service_type_id)
            .join(Department, Department.id == ServiceRequest.department_id)
            .where(ServiceRequest.id.in_([e.request_id for e in raised]))
        )
    }  # fmt: skip
    sent = 0
    for event in raised:
        head = by_department.get(event.department_id)
        contact = contacts.get(head.id) if head is not None else None
        row = rows.get(event.request_id)
        if contact is None or row is None:
            continue
        url = staff_messages.console_url(session, f"/console/requests/{row.tracking_code}")
        body = staff_messages.raise_body(row.department, row.tracking_code, row.name_fr, url)
        staff_messages.enqueue_staff(
            session, contact, "raise", f"raise:{event.id}:{head.id}", body, event.request_id
        )
        sent += 1
    return sent


def _send_digest(session: Session, department: Department, digest: StaffDigest) -> int:
    """The digest to each of the department's active supervisors with a number."""
    if not digest.overdue and not digest.raised:
        return 0  # nothing went overdue: no message
    supervisors = session.scalars(
        select(Clerk).where(
            Clerk.department_id == department.id, Clerk.role == "supervisor", Clerk.active
        )
    ).all()
    contacts = _contacts(session, (c.id for c in supervisors))
    url = staff_messages.console_url(session, "/console/")
    body = staff_messages.digest_body(
        department.name_fr, digest.overdue, digest.raised, list(digest.codes), url
    )
    for clerk_id, contact in contacts.items():
        staff_messages.enqueue_staff(
            session, contact, "digest", f"digest:{digest.id}:{clerk_id}", body
        )
    return len(contacts)


def digest_due(department: Department, now: dt.datetime) -> dt.datetime | None:
    """Today's digest moment for the department, if it has come (else None)."""
    local = now.astimezone(CASABLANCA)
    moment = dt.datetime.combine(local.date(), dt.time(department.digest_hour),
                                 tzinfo=CASABLANCA)  # fmt: skip
    return moment.astimezone(dt.UTC) if local >= moment else None


def make_digests(session: Session, now: dt.datetime) -> tuple[int, int]:
    """One digest per department whose digest hour has come today and has none yet; how
    many digests, and how many messages to supervisors were queued."""
    made = messages = 0
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
        digest = StaffDigest(
            department_id=department.id, since=last, until=now,
            overdue=len(codes), raised=sum(1 for kind, _ in rows if kind == RAISED),
            codes=codes[:DIGEST_CODES],
        )  # fmt: skip
        session.add(digest)
        session.flush()
        messages += _send_digest(session, department, digest)
        made += 1
    session.flush()
    return made, messages


def run(session: Session, now: dt.datetime) -> Run:
    """Escalate, raise to the heads, make the digests that are due, and release what the
    SMS cap deferred, if it has room now (the caller commits)."""
    released = staff_messages.release_deferred(session)
    late, raised = escalate(session, now)
    messages = _send_raises(session, raised)
    made, digest_messages = make_digests(session, now)
    return Run(late, len(raised), made, messages + digest_messages, released)


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
