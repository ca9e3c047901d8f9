"""The status machine and every change a clerk or a resident makes to a report.

Free of Flask. Each change appends one RequestEvent (who, when, what, public or internal);
nothing already recorded is rewritten. Callers pass `now`, the database clock, and commit.

    submitted -> acknowledged -> in_progress -> resolved -> closed
    any open status -> rejected (a public reason is required)
    any open status -> duplicate (of another report; the two are linked both ways)
    resolved -> in_progress (reopened) within REOPEN_WINDOW of being resolved
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from citizen_api.domain.support import confirmed_contact, record_supporter
from citizen_api.domain.tracking import normalize
from models import OPEN_STATUSES, Clerk, Department, RequestEvent, ServiceRequest
from notifications.outbox import enqueue_status_update

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "submitted": ("acknowledged", "rejected", "duplicate"),
    "acknowledged": ("in_progress", "rejected", "duplicate"),
    "in_progress": ("resolved", "rejected", "duplicate"),
    "resolved": ("closed", "in_progress"),
    "closed": (),
    "rejected": (),
    "duplicate": (),
}
CLOSING = ("closed", "rejected", "duplicate")
REOPEN_WINDOW = dt.timedelta(days=30)

# Which PATCH fields each role may send at all (a clerk may still only take or release
# a ticket for themselves through `assignee`).
CLERK_FIELDS = frozenset(
    {"status", "public_note", "internal_note", "priority", "assignee", "duplicate_of"}
)
FIELDS_BY_ROLE = {
    "clerk": CLERK_FIELDS,
    "supervisor": CLERK_FIELDS | {"department"},
    "admin": CLERK_FIELDS | {"department"},
}


class WorkflowError(Exception):
    """A change that cannot be made; the subclass says why (citizen_api.web.errors maps
    each to an answer)."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class IllegalTransition(WorkflowError):
    """The report's status cannot go there from where it is."""

    def __init__(self, current: str, wanted: str, allowed: list[str], detail: str | None = None):
        super().__init__(
            detail
            or f"A report that is {current} cannot become {wanted}; "
            f"allowed: {', '.join(allowed) or 'none (the report is closed)'}."
        )
        self.current, self.wanted, self.allowed = current, wanted, allowed


class InvalidChange(WorkflowError):
    """Fields that are wrong together or point at nothing."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(f"Invalid fields: {', '.join(sorted(errors))}.")
        self.errors = errors


class NotPermitted(WorkflowError):
    """The role may not set these fields, or not to this value."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(f"Your role may not change: {', '.join(sorted(errors))}.")
        self.errors = errors


def scope(clerk: Clerk):
    """The condition on ServiceRequest that a clerk's queries are limited to."""
    if clerk.role == "admin":
        return true()
    return ServiceRequest.department_id == clerk.department_id


def in_scope(clerk: Clerk, report: ServiceRequest) -> bool:
    return clerk.role == "admin" or report.department_id == clerk.department_id


def is_overdue(report: ServiceRequest, now: dt.datetime) -> bool:
    return (
        report.status in OPEN_STATUSES
        and report.expected_at is not None
        and report.expected_at < now
    )


def allowed_transitions(report: ServiceRequest, now: dt.datetime) -> list[str]:
    allowed = list(TRANSITIONS[report.status])
    if report.status == "resolved":
        since = report.resolved_at
        if since is not None and now - since > REOPEN_WINDOW:
            allowed.remove("in_progress")
    return allowed


def check_transition(report: ServiceRequest, wanted: str, now: dt.datetime) -> None:
    allowed = allowed_transitions(report, now)
    if wanted in allowed:
        return
    detail = None
    if report.status == "resolved" and wanted == "in_progress":
        detail = (
            f"The report was resolved more than {REOPEN_WINDOW.days} days ago and can no "
            "longer be reopened; file a new report instead."
        )
    raise IllegalTransition(report.status, wanted, allowed, detail)


@dataclass
class _Change:
    """One PATCH being applied: the report, who, when, and the events written so far."""

    session: Session
    report: ServiceRequest
    actor: str
    now: dt.datetime
    events: list[RequestEvent] = field(default_factory=list)

    def record(
        self, kind: str, *, public: bool, note: str | None = None, data=None, **status
    ) -> None:
        event = RequestEvent(
            kind=kind,
            public=public,
            note=note,
            data=data,
            actor=self.actor,
            department_id=self.report.department_id,
            **status,
        )
        self.report.events.append(event)
        self.events.append(event)


def _set_status(change: _Change, wanted: str, note: str | None, kind: str = "status") -> None:
    report, now = change.report, change.now
    check_transition(report, wanted, now)
    before = report.status
    report.status = wanted
    if wanted == "resolved":
        report.resolved_at = now
    if wanted in CLOSING:
        report.closed_at = now
    if before == "resolved" and wanted == "in_progress":
        # Reopened: the rework gets the service type's SLA afresh.
        report.expected_at = now + dt.timedelta(hours=report.service_type.sla_hours)
        report.resolved_at = None
        report.closed_at = None
    change.record("status", public=True, note=note, from_status=before, to_status=wanted)


def _notify(change: _Change) -> None:
    """Queue the reporter's messages for the public status changes, in this transaction."""
    for event in change.events:
        enqueue_status_update(change.session, change.report, event)


def _find_original(session: Session, clerk: Clerk, report: ServiceRequest, code: str):
    canonical = normalize(code)
    original = canonical and session.scalar(
        select(ServiceRequest).where(ServiceRequest.tracking_code == canonical, scope(clerk))
    )
    if not original:
        raise InvalidChange({"duplicate_of": [f"No report you can see has the code {code!r}."]})
    if original.id == report.id:
        raise InvalidChange({"duplicate_of": ["A report cannot duplicate itself."]})
    if original.status == "duplicate":
        root = original.duplicate_of.tracking_code if original.duplicate_of else "another report"
        raise InvalidChange(
            {"duplicate_of": [f"{original.tracking_code} is itself a duplicate of {root}."]}
        )
    return original


def _assignee(session: Session, clerk: Clerk, report: ServiceRequest, username: str | None):
    """The clerk to assign (None to unassign), after checking the caller may do it."""
    if clerk.role == "clerk":
        current = report.assignee_id
        if username not in (None, clerk.username) or (
            username is None and current not in (None, clerk.id)
        ):
            raise NotPermitted(
                {"assignee": ["A clerk may only take a ticket or release their own."]}
            )
    if username is None:
        return None
    target = session.scalar(select(Clerk).where(Clerk.username == username.strip().lower()))
    if (
        target is None
        or not target.active
        or target.role == "admin"
        or target.department_id != report.department_id
    ):
        raise InvalidChange(
            {"assignee": [f"No active clerk of this report's department is named {username!r}."]}
        )
    return target


def apply_changes(
    session: Session, report: ServiceRequest, clerk: Clerk, changes: dict, now: dt.datetime
) -> list[RequestEvent]:
    """Apply a clerk's PATCH to `report`: check it whole, then record one event per change."""
    refused = sorted(set(changes) - FIELDS_BY_ROLE[clerk.role])
    if refused:
        raise NotPermitted({name: [f"A {clerk.role} may not set this field."] for name in refused})
    status = changes.get("status")
    public_note = changes.get("public_note")
    errors: dict[str, list[str]] = {}
    if status == "rejected" and not public_note:
        errors["public_note"] = ["Rejecting a report needs a public reason for the resident."]
    if status == "duplicate" and not changes.get("duplicate_of"):
        errors["duplicate_of"] = ["Give the tracking code of the report this one duplicates."]
    if changes.get("duplicate_of") and status != "duplicate":
        errors["duplicate_of"] = ["Only with status 'duplicate'."]
    if errors:
        raise InvalidChange(errors)
    if status is not None:
        check_transition(report, status, now)

    change = _Change(session, report, clerk.username, now)
    if "department" in changes:
        _reroute(change, changes["department"])
    if "assignee" in changes:
        target = _assignee(session, clerk, report, changes["assignee"])
        if target is not report.assignee:
            report.assignee = target
            note = f"assigned to {target.username}" if target else "unassigned"
            data = {"assignee": target.username if target else None}
            change.record("assignment", public=False, note=note, data=data)
    if "priority" in changes and changes["priority"] != report.priority:
        note = f"{report.priority} -> {changes['priority']}"
        data = {"from": report.priority, "to": changes["priority"]}
        report.priority = changes["priority"]
        change.record("priority", public=False, note=note, data=data)
    if status == "duplicate":
        original = _find_original(session, clerk, report, changes["duplicate_of"])
        report.duplicate_of = original
        _set_status(change, status, public_note)
        original.events.append(
            RequestEvent(
                kind="duplicate_linked",
                public=False,
                note=f"{report.tracking_code} was marked a duplicate of this report",
                data={"duplicate": report.tracking_code},
                actor=clerk.username,
                department_id=original.department_id,
            )
        )
        original.updated_at = now
        _support_original(session, report, original)
    elif status is not None:
        _set_status(change, status, public_note)
    elif public_note:
        change.record("public_note", public=True, note=public_note)
    if changes.get("internal_note"):
        change.record("internal_note", public=False, note=changes["internal_note"])
    if change.events:
        report.updated_at = now  # a new version, even when only a note was added
    session.flush()
    _notify(change)
    return change.events


def _reroute(change: _Change, code: str) -> None:
    report = change.report
    department = change.session.scalar(select(Department).where(Department.code == code))
    if department is None:
        raise InvalidChange({"department": [f"Unknown department {code!r}."]})
    if department.id == report.department_id:
        return
    before = report.department
    report.department = department
    report.department_id = department.id
    report.routing_rule_id = None
    report.routing_reason = f"rerouted by {change.actor} from {before.code} to {department.code}"
    report.assignee = None  # the old department's clerk no longer sees it
    data = {"from": before.code, "to": department.code}
    change.record("rerouted", public=True, note=f"{before.code} -> {department.code}", data=data)


def duplicate_device(report: ServiceRequest) -> str:
    """The supporter id a duplicate's reporter gets on the original: their phone's
    contact when they gave one (two duplicates from one phone count once), else the
    duplicate ticket itself (marking it again, or retrying, counts nothing more)."""
    if report.contact_id is not None:
        return f"duplicate-contact:{report.contact_id}"
    return f"duplicate-report:{report.tracking_code}"


def _support_original(session: Session, report: ServiceRequest, original: ServiceRequest) -> None:
    """The duplicate's reporter now supports the original, once; toward priority only
    when their phone is confirmed (and that phone has not supported it already)."""
    if report.contact_id is not None and report.contact_id == original.contact_id:
        return  # the same resident twice: nobody new has the problem
    contact_id = confirmed_contact(session, report)
    if record_supporter(session, original, duplicate_device(report), contact_id):
        session.expire(original, ["supporters_count", "verified_supporters"])


FEEDBACK_ACTIONS = ("confirm", "not_fixed")


def resident_feedback(
    session: Session,
    report: ServiceRequest,
    action: str | None,
    comment: str | None,
    now: dt.datetime,
) -> list[RequestEvent]:
    """The resident confirms a resolved report (-> closed), says it is not fixed
    (-> in_progress, within the reopening window), and/or adds a comment."""
    change = _Change(session, report, "resident", now)
    if action is not None:
        wanted = "closed" if action == "confirm" else "in_progress"
        if report.status != "resolved":
            raise IllegalTransition(
                report.status,
                wanted,
                [],
                f"Only a resolved report can be confirmed or reopened; this one is "
                f"{report.status}.",
            )
        _set_status(change, wanted, None)
        change.events[-1].kind = (
            "resident_confirmed" if action == "confirm" else "resident_reopened"
        )
    if comment:
        # Not public: the tracking page is readable by anyone with the code, and a
        # resident's words may identify them. Clerks see it in the internal history.
        change.record("resident_comment", public=False, note=comment)
    if change.events:
        report.updated_at = now
    session.flush()
    _notify(change)
    return change.events
