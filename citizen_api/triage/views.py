"""/api/v1/triage: the clerk's queue, one ticket in full, its changes, the summary.

Every call needs a clerk's bearer token and sees only the clerk's scope: their own
department (admins: all). A ticket outside it answers 404, exactly as a code that does
not exist, so the API never confirms another department's tracking codes.
"""

from __future__ import annotations

from flask import current_app, g, request, url_for
from flask_smorest import Blueprint
from sqlalchemy import exists, select
from sqlalchemy.orm.exc import StaleDataError

from citizen_api.domain.incidents import incident_scope
from citizen_api.domain.moderation import moderate
from citizen_api.domain.workflow import (
    apply_changes,
    in_scope,
    scope,
)
from citizen_api.duplicates import nearby_for_ticket
from citizen_api.extensions import db
from citizen_api.notify import notifier_of
from citizen_api.photos.serving import send_photo
from citizen_api.reports.queries import report_filters
from citizen_api.triage.present import etag, queue_item, ticket_view
from citizen_api.triage.queries import cursor_values, queue_query, ticket_in_scope
from citizen_api.triage.schemas import (
    ModerationIn,
    QueuePage,
    SummaryOut,
    TicketOut,
    TriageQueryArgs,
    TriageUpdateIn,
)
from citizen_api.triage.summary import incident_groups, overdue_condition, status_groups
from citizen_api.web.auth import SECURITY, sign_in_request
from citizen_api.web.cursor import encode_cursor
from citizen_api.web.errors import Problem, validation_problem
from citizen_api.web.lang import localize, negotiate
from citizen_api.web.preconditions import changed_since, check_if_match
from citizen_api.web.responses import json_response
from models import STATUSES, Clerk, Department, IncidentReport, ServiceRequest, utcnow
from models.incidents import INCIDENT_STATUSES
from notifications.outbox import messages_for_report, sms_budget

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
    report = ticket_in_scope(db.session, g.clerk, code)
    if not report:
        raise Problem(404, NOT_FOUND.format(code=code), type="not-found")
    return report


def _assignee_filter(value: str):
    sr = ServiceRequest
    if value == "me":
        return sr.assignee_id == g.clerk.id
    if value == "none":
        return sr.assignee_id.is_(None)
    # Only the caller's colleagues are looked up: a name from another department is
    # answered exactly like a name nobody has, so the filter tells nobody who exists.
    colleagues = select(Clerk.id).where(Clerk.username == value.strip().lower())
    if g.clerk.role != "admin":
        colleagues = colleagues.where(Clerk.department_id == g.clerk.department_id)
    clerk_id = db.session.scalar(colleagues)
    if clerk_id is None:
        raise validation_problem({"assignee": [f"No clerk of yours is named {value!r}."]})
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
    cursor = cursor_values(args["cursor"], sort) if "cursor" in args else None
    query = queue_query(g.clerk, sort, cursor)
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


IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string"},
    "description": "The ETag of the version you are changing",
}


@blp.patch("/requests/<code>")
@blp.arguments(TriageUpdateIn)
@blp.response(200, TicketOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(401, description="No valid access token")
@blp.alt_response(403, description="Your role may not set one of these fields")
@blp.alt_response(404, description="No ticket with this code in your scope")
@blp.alt_response(409, description="Illegal status transition; `allowed` lists the legal ones")
@blp.alt_response(412, description="The ticket changed since your ETag: reload it")
@blp.alt_response(428, description="Send If-Match with the ETag you read")
@blp.doc(security=SECURITY, parameters=[IF_MATCH])
def update_ticket(data, code):
    """Change a ticket: status, notes, priority, assignee or department."""
    return _guarded(code, lambda report: apply_changes(db.session, report, g.clerk, data, _now()))


def _guarded(code: str, change):
    """Apply `change(report)` to the ticket if If-Match names its current version (412
    when it moved on meanwhile, even between the check and the commit); the new ticket."""
    lang = negotiate()
    report = find_ticket(code)
    check_if_match(etag(report), "ticket")
    try:
        change(report)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise changed_since("ticket") from None
    return _ticket_response(report, lang)


@blp.post("/requests/<code>/moderation")
@blp.arguments(ModerationIn)
@blp.response(200, TicketOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(401, description="No valid access token")
@blp.alt_response(403, description="Only a supervisor or an admin may show it again")
@blp.alt_response(404, description="No ticket with this code in your scope")
@blp.alt_response(412, description="The ticket changed since your ETag: reload it")
@blp.alt_response(
    422, description="A wrong field, no such photo, or it is already hidden (or shown)"
)
@blp.alt_response(428, description="Send If-Match with the ETag you read")
@blp.doc(security=SECURITY, parameters=[IF_MATCH])
def moderate_ticket(data, code):
    """Hide the description or one photo from every public view (page, API, Open311,
    photo files), or show it again (supervisors and admins). The reason is kept in the
    ticket's internal history."""
    return _guarded(
        code,
        lambda report: moderate(
            db.session,
            report,
            g.clerk,
            target=data["target"],
            hide=data["hidden"],
            now=_now(),
            photo_id=data.get("photo"),
            reason=data.get("reason"),
            note=data.get("note"),
        ),
    )


@blp.get("/requests/<code>/photos/<photo_id>")
@blp.response(200, content_type="image/jpeg", description="The photo (or `?thumbnail=1`)")
@blp.alt_response(401, description="No valid access token")
@blp.alt_response(404, description="No such photo of a ticket in your scope")
@blp.doc(
    security=SECURITY,
    parameters=[
        {
            "in": "query",
            "name": "thumbnail",
            "schema": {"type": "integer", "enum": [0, 1]},
            "description": "1: the thumbnail",
        }
    ],
)
def ticket_photo(code, photo_id):
    """A photo of a ticket (`photo_id`: its `id` in the ticket's `photos`), hidden by
    moderation or not (never cached)."""
    report = find_ticket(code)
    photo = next((p for p in report.photos if str(p.id) == photo_id), None)
    thumbnail = request.args.get("thumbnail", "0")
    if photo is None or thumbnail not in ("0", "1"):
        raise Problem(404, "No photo of this ticket has this id.", type="not-found")
    return send_photo(photo.thumb_key if thumbnail == "1" else photo.key, private=True)


@blp.get("/summary")
@blp.response(200, SummaryOut)
@blp.alt_response(401, description="No valid access token")
@blp.doc(security=SECURITY)
def summary():
    """Count the tickets in scope per department and status, with overdue and median age."""
    lang = negotiate()
    now = _now()
    groups = status_groups(db.session, scope(g.clerk), now)
    incidents = incident_groups(db.session, incident_scope(g.clerk))
    ids = set(groups) | set(incidents)
    names = {d.id: d for d in db.session.scalars(select(Department).where(Department.id.in_(ids)))}
    departments = []
    for department_id in sorted(ids, key=lambda i: names[i].code):
        by_status = groups.get(department_id, {})
        statuses = [
            {"status": status, **numbers}
            for status, numbers in sorted(by_status.items(), key=lambda i: STATUSES.index(i[0]))
        ]
        grouped = [
            {"status": status, **numbers}
            for status, numbers in sorted(
                incidents.get(department_id, {}).items(),
                key=lambda i: INCIDENT_STATUSES.index(i[0]),
            )
        ]
        departments.append(
            {
                "code": names[department_id].code,
                "name": names[department_id].name(lang),
                "total": sum(s["count"] for s in statuses),
                "overdue": sum(s["overdue"] for s in statuses),
                "statuses": statuses,
                "grouped_tickets": sum(i["tickets"] for i in grouped),
                "incidents": grouped,
            }
        )
    body = {"generated_at": now, "departments": departments}
    if g.clerk.role in ("supervisor", "admin"):  # what SMS cost the city today, and its caps
        body["sms"] = sms_budget(db.session, notifier_of(current_app).settings)
    return localize(json_response(body, headers={"Cache-Control": "private, no-store"}), lang)
