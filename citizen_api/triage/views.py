"""/api/v1/triage: the clerk's queue, one ticket in full, its changes, the summary.

Every call needs a clerk's bearer token and sees only the clerk's scope: their own
department (admins: all). A ticket outside it answers 404, exactly as a code that does
not exist, so the API never confirms another department's tracking codes.
"""

from __future__ import annotations

import datetime as dt

from flask import g, request, url_for
from flask_smorest import Blueprint
from sqlalchemy import and_, case, exists, false, or_, select
from sqlalchemy.orm.exc import StaleDataError

from citizen_api.domain.tracking import normalize
from citizen_api.domain.workflow import (
    apply_changes,
    in_scope,
    scope,
)
from citizen_api.duplicates import nearby_for_ticket, priority_boost_sql
from citizen_api.extensions import db
from citizen_api.reports.queries import report_filters
from citizen_api.triage.present import etag, queue_item, ticket_view
from citizen_api.triage.schemas import (
    QueuePage,
    SummaryOut,
    TicketOut,
    TriageQueryArgs,
    TriageUpdateIn,
)
from citizen_api.triage.summary import overdue_condition, status_groups
from citizen_api.web.auth import SECURITY, sign_in_request
from citizen_api.web.cursor import decode_cursor, encode_cursor
from citizen_api.web.errors import Problem, validation_problem
from citizen_api.web.lang import localize, negotiate
from citizen_api.web.preconditions import changed_since, check_if_match
from citizen_api.web.responses import json_response
from models import PRIORITIES, STATUSES, Clerk, Department, IncidentReport, ServiceRequest, utcnow
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


# A sort: its keys, each (SQL expression, ascending?, may be NULL?), NULLs last. The
# queue pages by keyset: the cursor holds the last row's keys, the next page starts after.
SortKey = tuple  # (expression, ascending, nullable)


def _sort_keys(name: str) -> list[SortKey]:
    sr = ServiceRequest
    if name == "due":
        return [(sr.expected_at, True, True), (sr.id, True, False)]
    if name == "priority":
        # Supporters raise a ticket's rank as they raise its effective priority.
        rank = case({p: i for i, p in enumerate(PRIORITIES)}, value=sr.priority)
        boosted = rank - priority_boost_sql(sr.supporters_count)
        effective = case((boosted < 0, 0), else_=boosted)
        return [(effective, True, False), (sr.expected_at, True, True), (sr.id, True, False)]
    return [(sr.requested_at, False, False), (sr.id, False, False)]


def _order_by(keys: list[SortKey]):
    return [
        (expr.asc() if ascending else expr.desc()).nulls_last() if nullable
        else (expr.asc() if ascending else expr.desc())
        for expr, ascending, nullable in keys
    ]  # fmt: skip


def _after(keys: list[SortKey], values: list):
    """SQL: rows that sort after the row whose keys are `values`."""

    def same(expr, value):
        return expr.is_(None) if value is None else expr == value

    def beyond(expr, ascending, nullable, value):
        if value is None:
            return false()  # NULLs come last: nothing sorts after one on this key
        later = expr > value if ascending else expr < value
        return or_(later, expr.is_(None)) if nullable else later

    return or_(
        *(
            and_(*(same(k[0], v) for k, v in zip(keys[:i], values[:i], strict=True)),
                 beyond(*keys[i], values[i]))
            for i in range(len(keys))
        )
    )  # fmt: skip


CURSOR_MESSAGE = "Not a cursor of this sort; use next_cursor from a previous page."
KEY_TYPES = int | dt.datetime | type(None)


def _cursor_values(cursor: str, sort: str) -> list:
    """The last row's sort keys from a queue cursor ([sort, *keys]) of this sort."""

    def valid(values):
        return (
            len(values) == len(_sort_keys(sort)) + 1
            and values[0] == sort
            and all(isinstance(v, KEY_TYPES) and not isinstance(v, bool) for v in values[1:])
        )

    return decode_cursor(cursor, valid, CURSOR_MESSAGE)[1:]


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


@blp.get("/requests")
@blp.arguments(TriageQueryArgs, location="query")
@blp.response(200, QueuePage)
@blp.alt_response(401, description="No valid access token")
@blp.doc(security=SECURITY)
def list_tickets(args):
    """List the tickets in the caller's scope, with their internal fields."""
    lang = args.get("lang") or negotiate()
    limit, sort = args["limit"], args["sort"]
    keys = _sort_keys(sort)
    query = (
        select(ServiceRequest, *(k[0] for k in keys))
        .where(scope(g.clerk))
        .order_by(*_order_by(keys))
    )
    if "cursor" in args:
        query = query.where(_after(keys, _cursor_values(args["cursor"], sort)))
    for condition in report_filters(args):
        query = query.where(condition)
    if "assignee" in args:
        query = query.where(_assignee_filter(args["assignee"]))
    if "priority" in args:
        query = query.where(ServiceRequest.priority.in_(args["priority"]))
    if "overdue" in args:
        query = query.where(overdue_condition() if args["overdue"] else ~overdue_condition())
    if args["incident"] != "any":
        grouped = exists().where(IncidentReport.request_id == ServiceRequest.id)
        if args["incident"] != "none":
            grouped = grouped.where(IncidentReport.incident_id == int(args["incident"]))
        query = query.where(~grouped if args["incident"] == "none" else grouped)
    rows = db.session.execute(query.limit(limit + 1)).all()
    page, more = rows[:limit], len(rows) > limit
    now = _now()
    next_cursor = encode_cursor([sort, *page[-1][1:]]) if more else None
    headers = {"Cache-Control": "private, no-store"}
    if next_cursor:
        link_args = {**request.args.to_dict(), "cursor": next_cursor}
        headers["Link"] = f'<{url_for(".list_tickets", **link_args)}>; rel="next"'
    items = [queue_item(row[0], lang, now) for row in page]
    body = {"items": items, "next_cursor": next_cursor}
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
    check_if_match(etag(report), "ticket")
    try:
        apply_changes(db.session, report, g.clerk, data, _now())
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise changed_since("ticket") from None
    return _ticket_response(report, lang)


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
