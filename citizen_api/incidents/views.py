"""/api/v1/triage/incidents: clerks group reports into incidents and move them together.
A clerk sees and changes only their department's incidents (admins: all); another
department's incident answers 404, as one that does not exist."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from citizen_api.domain.incident_updates import update_incident
from citizen_api.domain.incidents import (
    IncidentInvalid,
    attach,
    create_incident,
    incident_scope,
    linked_ids,
)
from citizen_api.extensions import db
from citizen_api.incidents.schemas import (
    AttachIn,
    IncidentIn,
    IncidentList,
    IncidentListArgs,
    IncidentOut,
    IncidentUpdateIn,
)
from citizen_api.web.auth import SECURITY, sign_in_request
from citizen_api.web.errors import Problem, validation_problem
from citizen_api.web.preconditions import check_if_match
from citizen_api.web.resources import find_or_404, links_to_id, newest_first_page
from citizen_api.web.responses import json_response
from models import Incident, ServiceRequest, utcnow

blp = Blueprint(
    "incidents",
    __name__,
    url_prefix="/api/v1/triage/incidents",
    description="Incidents: many reports of one problem, answered at once (bearer token)",
)
blp.before_request(sign_in_request)
# Where a new incident is read, moved and grown (OpenAPI links from POST's 201).
INCIDENT_ID = "incident_id"
INCIDENT_OPS = {
    "GetIncident": "getIncident",
    "UpdateIncident": "updateIncident",
    "LinkReports": "linkIncidentReports",
}


def _now():
    return db.session.scalar(select(utcnow()))


def find_incident(incident_id: int) -> Incident:
    detail = f"No incident you can see has the id {incident_id}."
    return find_or_404(Incident, incident_id, detail, incident_scope(g.clerk))


def etag(incident: Incident) -> str:
    return f'"incident-{incident.id}.{incident.version}"'


def _view(incident: Incident, moved: int | None = None, codes: bool = True) -> dict:
    ids = linked_ids(db.session, incident)
    body = {
        "id": incident.id,
        "title": incident.title,
        "status": incident.status,
        "department": incident.department.code,
        "areas": incident.area_codes,
        "services": incident.service_codes,
        "public_note": incident.public_note,
        "alert_id": incident.alert_id,
        "expected_at": incident.expected_at,
        "reports": len(ids),
    }
    if codes:
        body["tracking_codes"] = list(
            db.session.scalars(
                select(ServiceRequest.tracking_code)
                .where(ServiceRequest.id.in_(ids))
                .order_by(ServiceRequest.id)
            )
        )
    if moved is not None:
        body["moved"] = moved
    return body


def _answer(incident: Incident, status: int = 200, moved: int | None = None):
    headers = {"ETag": etag(incident), "Cache-Control": "private, no-store"}
    return json_response(_view(incident, moved), status, headers)


def _invalid(exc: IncidentInvalid) -> Problem:
    db.session.rollback()
    return validation_problem(exc.errors)


@blp.post("")
@blp.arguments(IncidentIn)
@blp.response(201, IncidentOut)
@blp.alt_response(422, description="Invalid incident, or codes that cannot be linked")
@blp.alt_response(401, description="No valid access token")
@blp.doc(security=SECURITY, responses={"201": {"links": links_to_id(INCIDENT_ID, INCIDENT_OPS)}})
def create(data):
    """Open an incident, optionally linking reports by code or every open one in its area."""
    now = _now()
    try:
        incident = create_incident(db.session, g.clerk, data, now)
        db.session.commit()
    except IncidentInvalid as exc:
        raise _invalid(exc) from None
    return _answer(incident, 201)


@blp.get("")
@blp.arguments(IncidentListArgs, location="query")
@blp.response(200, IncidentList)
@blp.alt_response(401, description="No valid access token")
@blp.alt_response(422, description="Invalid limit or cursor")
@blp.doc(security=SECURITY)
def list_incidents(args):
    """List the incidents of your department, newest first, a page at a time: pass
    `next_cursor` back as `cursor` (also in the `Link: rel="next"` header)."""
    query = select(Incident).where(incident_scope(g.clerk))
    page, next_cursor, headers = newest_first_page(
        query, Incident, args["limit"], args.get("cursor")
    )
    body = {"items": [_view(i, codes=False) for i in page], "next_cursor": next_cursor}
    return json_response(body, headers={**headers, "Cache-Control": "private, no-store"})


@blp.get("/<id:incident_id>")
@blp.response(200, IncidentOut)
@blp.alt_response(404, description="No incident of yours has this id")
@blp.alt_response(401, description="No valid access token")
@blp.doc(security=SECURITY, operationId="getIncident")
def get_incident(incident_id):
    """Read one incident with its linked reports' tracking codes."""
    return _answer(find_incident(incident_id))


@blp.post("/<id:incident_id>/reports")
@blp.arguments(AttachIn)
@blp.response(200, IncidentOut)
@blp.alt_response(404, description="No incident of yours has this id")
@blp.alt_response(422, description="Reports that cannot be linked, or invalid input")
@blp.alt_response(401, description="No valid access token")
@blp.doc(security=SECURITY, operationId="linkIncidentReports")
def link_reports(data, incident_id):
    """Link more reports: by code, or every open report of its services in its area."""
    incident = find_incident(incident_id)
    try:
        moved = attach(db.session, g.clerk, incident, data, _now())
        db.session.commit()
    except IncidentInvalid as exc:
        raise _invalid(exc) from None
    return _answer(incident, moved=moved)


@blp.patch("/<id:incident_id>")
@blp.arguments(IncidentUpdateIn)
@blp.response(200, IncidentOut)
@blp.alt_response(404, description="No incident of yours has this id")
@blp.alt_response(412, description="The incident changed since your ETag")
@blp.alt_response(
    422, description="Invalid status; a closed incident only reopens (in_progress, 30 days)"
)
@blp.alt_response(428, description="Send If-Match with the ETag you read")
@blp.alt_response(401, description="No valid access token")
@blp.doc(security=SECURITY, operationId="updateIncident")
def update(data, incident_id):
    """Move the incident and every linked report, with one message per reporter.

    A closed incident is reopened with `status: in_progress` within 30 days of its
    closing: the reports it resolved go back to in_progress (each with a public event;
    each resident told once); reports a resident already confirmed stay closed."""
    incident = find_incident(incident_id)
    check_if_match(etag(incident), "incident")
    try:
        moved = update_incident(
            db.session, g.clerk, incident, data["status"], data.get("public_note"), _now()
        )
        db.session.commit()
    except IncidentInvalid as exc:
        raise _invalid(exc) from None
    except StaleDataError:
        db.session.rollback()
        raise Problem(
            412,
            "The incident or one of its reports changed meanwhile; reload and retry.",
            type="precondition-failed",
        ) from None
    return _answer(incident, moved=moved)
