"""/api/v1/triage: the clerk's queue, one ticket in full, its changes, the summary.

Every call needs a clerk's bearer token and sees only the clerk's scope: their own
department (admins: all). A ticket outside it answers 404, exactly as a code that does
not exist, so the API never confirms another department's tracking codes.
"""

from __future__ import annotations

import base64

from flask import g, request, url_for
from flask_smorest import Blueprint
from sqlalchemy import case, select
from sqlalchemy.orm.exc import StaleDataError

from citizen_api.auth import SECURITY, sign_in_request
from citizen_api.duplicates import nearby_for_ticket, priority_boost_sql
from citizen_api.errors import Problem, validation_problem
from citizen_api.extensions import db
from citizen_api.lang import localize, negotiate
from citizen_api.reports.views import _filters as resident_filters
from citizen_api.responses import json_response
from citizen_api.tracking import normalize
from citizen_api.triage.present import etag, queue_item, ticket_view
from citizen_api.triage.schemas import (
    QueuePage,
    SummaryOut,
    TicketOut,
    TriageQueryArgs,
    TriageUpdateIn,
)
from citizen_api.triage.summary import overdue_condition, status_groups
from citizen_api.workflow import (
    IllegalTransition,
    InvalidChange,
    NotPermitted,
    apply_changes,
    in_scope,
    scope,
)
from models import PRIORITIES, STATUSES, Clerk, Department, ServiceRequest, utcnow
from notifications.outbox import messages_for_report

blp = Blueprint(
    "triage",
    __name__,
    url_prefix="/api/v1/triage",
    description="Clerks' triage (bearer token required)",
)
blp.before_request(sign_in_request)
NOT_FOUND = "No report you can see has the tracking code {code!r}."


def _now():
    return db.session.scalar(select(utcnow()))


def find_ticket(code: str) -> ServiceRequest:
    """The ticket with this code in the caller's scope, else 404 (never 403)."""
    canonical = normalize(code)
    report = canonical and db.session.scalar(
        select(ServiceRequest).where(ServiceRequest.tracking_code == canonical, scope(g.clerk))
    )
    if not report:
        raise Problem(404, NOT_FOUND.format(code=code), type="not-found")
    return report


def _sort(name: str):
    sr = ServiceRequest
    if name == "due":
        return (sr.expected_at.asc().nulls_last(), sr.id.asc())
    if name == "priority":
        # Supporters raise a ticket's rank as they raise its effective priority.
        rank = case({p: i for i, p in enumerate(PRIORITIES)}, value=sr.priority)
        boosted = rank - priority_boost_sql(sr.supporters_count)
        effective = case((boosted < 0, 0), else_=boosted)
        return (effective.asc(), sr.expected_at.asc().nulls_last(), sr.id.asc())
    return (sr.requested_at.desc(), sr.id.desc())


def _assignee_filter(value: str):
    sr = ServiceRequest
    if value == "me":
        return sr.assignee_id == g.clerk.id
    if value == "none":
        return sr.assignee_id.is_(None)
    clerk_id = db.session.scalar(select(Clerk.id).where(Clerk.username == value.lower()))
    if clerk_id is None:
        raise validation_problem({"assignee": [f"No clerk is named {value!r}."]})
    return sr.assignee_id == clerk_id


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, number = raw.split(":")
        if prefix != "o" or not number.isdigit():
            raise ValueError
        return int(number)
    except (ValueError, UnicodeDecodeError):
        raise validation_problem(
            {"cursor": ["Not a cursor this API issued; use next_cursor from a previous page."]}
        ) from None


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


@blp.get("/requests")
@blp.arguments(TriageQueryArgs, location="query")
@blp.response(200, QueuePage)
@blp.alt_response(401, description="No valid access token")
@blp.doc(security=SECURITY)
def list_tickets(args):
    """List the tickets in the caller's scope, with their internal fields."""
    lang = args.get("lang") or negotiate()
    limit, offset = args["limit"], _offset(args.get("cursor"))
    query = select(ServiceRequest).where(scope(g.clerk)).order_by(*_sort(args["sort"]))
    for condition in resident_filters(args):
        query = query.where(condition)
    if "assignee" in args:
        query = query.where(_assignee_filter(args["assignee"]))
    if "priority" in args:
        query = query.where(ServiceRequest.priority.in_(args["priority"]))
    if "overdue" in args:
        query = query.where(overdue_condition() if args["overdue"] else ~overdue_condition())
    rows = db.session.scalars(query.offset(offset).limit(limit + 1)).all()
    page, more = rows[:limit], len(rows) > limit
    now = _now()
    next_cursor = _cursor(offset + limit) if more else None
    headers = {"Cache-Control": "private, no-store"}
    if next_cursor:
        link_args = {**request.args.to_dict(), "cursor": next_cursor}
        headers["Link"] = f'<{url_for(".list_tickets", **link_args)}>; rel="next"'
    body = {"items": [queue_item(r, lang, now) for r in page], "next_cursor": next_cursor}
    return localize(json_response(body, headers=headers), lang)


@blp.get("/requests/<code>")
@blp.response(200, TicketOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(404, description="No ticket with this code in your scope")
@blp.alt_response(401, description="No valid access token")
@blp.doc(security=SECURITY)
def get_ticket(code):
    """Read one ticket in full: internal fields and the whole history."""
    lang = negotiate()
    report = find_ticket(code)
    return _ticket_response(report, lang)


def _ticket_response(report: ServiceRequest, lang: str):
    headers = {"ETag": etag(report), "Cache-Control": "private, no-store"}
    nearby = [(r, d) for r, d in nearby_for_ticket(db.session, report) if in_scope(g.clerk, r)]
    messages = messages_for_report(db.session, report.id)
    body = ticket_view(report, lang, _now(), messages, nearby)
    return localize(json_response(body, headers=headers), lang)


@blp.patch("/requests/<code>")
@blp.arguments(TriageUpdateIn)
@blp.response(200, TicketOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(401, description="No valid access token")
@blp.alt_response(403, description="Your role may not set one of these fields")
@blp.alt_response(404, description="No ticket with this code in your scope")
@blp.alt_response(409, description="Illegal status transition; `allowed` lists the legal ones")
@blp.alt_response(412, description="The ticket changed since your ETag: reload it")
@blp.alt_response(428, description="Send If-Match with the ETag you read")
@blp.doc(
    security=SECURITY,
    parameters=[
        {
            "in": "header",
            "name": "If-Match",
            "required": True,
            "schema": {"type": "string"},
            "description": "The ETag of the version you are changing",
        }
    ],
)
def update_ticket(data, code):
    """Change a ticket: status, notes, priority, assignee or department."""
    lang = negotiate()
    report = find_ticket(code)
    _check_if_match(report)
    try:
        apply_changes(db.session, report, g.clerk, data, _now())
        db.session.commit()
    except IllegalTransition as exc:
        db.session.rollback()
        raise Problem(
            409,
            exc.detail,
            type="illegal-transition",
            title="Illegal status change",
            extra={"current": exc.current, "requested": exc.wanted, "allowed": exc.allowed},
        ) from None
    except InvalidChange as exc:
        db.session.rollback()
        raise validation_problem(exc.errors, exc.detail) from None
    except NotPermitted as exc:
        db.session.rollback()
        raise Problem(
            403, exc.detail, type="field-not-allowed", title="Not allowed", errors=exc.errors
        ) from None
    except StaleDataError:
        db.session.rollback()
        raise _changed_since() from None
    return _ticket_response(report, lang)


def _changed_since() -> Problem:
    return Problem(
        412,
        "The ticket changed since you read it; reload it and apply your change again.",
        type="precondition-failed",
    )


def _check_if_match(report: ServiceRequest) -> None:
    if not request.headers.get("If-Match"):
        raise Problem(
            428,
            "Send If-Match with the ETag from your last read of this ticket, so two "
            "clerks never overwrite each other.",
            type="precondition-required",
        )
    if request.if_match.star_tag:
        raise Problem(
            428,
            "If-Match: * is not accepted here; send the ticket's ETag.",
            type="precondition-required",
        )
    if not request.if_match.contains(etag(report).strip('"')):
        raise _changed_since()


@blp.get("/summary")
@blp.response(200, SummaryOut)
@blp.alt_response(401, description="No valid access token")
@blp.doc(security=SECURITY)
def summary():
    """Count the tickets in scope per department and status, with overdue and median age."""
    lang = negotiate()
    now = _now()
    groups = status_groups(db.session, scope(g.clerk), now)
    names = {
        d.id: d
        for d in db.session.scalars(select(Department).where(Department.id.in_(list(groups))))
    }
    departments = []
    for department_id, by_status in sorted(groups.items(), key=lambda i: names[i[0]].code):
        statuses = [
            {"status": status, **numbers}
            for status, numbers in sorted(by_status.items(), key=lambda i: STATUSES.index(i[0]))
        ]
        departments.append(
            {
                "code": names[department_id].code,
                "name": names[department_id].name(lang),
                "total": sum(s["count"] for s in statuses),
                "overdue": sum(s["overdue"] for s in statuses),
                "statuses": statuses,
            }
        )
    body = {"generated_at": now, "departments": departments}
    return localize(json_response(body, headers={"Cache-Control": "private, no-store"}), lang)
