"""Grouping reports into an incident and moving them all with one update.

- `create_incident`: a title, where (areas and/or a polygon), which services, in the
  clerk's department (an admin names one); its SLA clock is the longest SLA of its
  services, started once, and every linked report takes that due time.
- `attach`: by tracking codes, or "every open report of these services inside the
  area"; each linked report gets an internal event.
- `update_incident`: one status (+ public note) for all: every linked report that is
  behind that status moves to it with its own public event, and each reporter gets one
  message (one per number, however many of their reports are linked), all in the
  caller's transaction. Closing the incident resolves its reports.

Free of Flask: raises IncidentInvalid (field -> messages).
"""

from __future__ import annotations

import datetime as dt

from shapely.geometry import shape
from sqlalchemy import exists, func, insert, or_, select
from sqlalchemy.orm import Session, lazyload

from citizen_api.domain.alert_areas import check_polygon, city_shapes
from citizen_api.domain.catalogue_cache import catalogue
from citizen_api.domain.tracking import normalize
from models import (
    OPEN_STATUSES,
    Clerk,
    Department,
    Incident,
    IncidentReport,
    OutboundMessage,
    ReporterContact,
    RequestEvent,
    ServiceRequest,
    utcnow,
)
from notifications import texts
from notifications.outbox import choose_channel
from notifications.runtime import remember_drain, settings_for

FORWARD = ("submitted", "acknowledged", "in_progress", "resolved")
# The incident's status -> the status its reports take.
REPORT_STATUS = {"acknowledged": "acknowledged", "in_progress": "in_progress", "closed": "resolved"}
MAX_CODES = 5000


class IncidentInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("invalid incident")
        self.errors = errors


def incident_scope(clerk: Clerk):
    """The incidents a clerk may see: their department's (admins: all)."""
    return (
        Incident.id.is_not(None)
        if clerk.role == "admin"
        else (Incident.department_id == clerk.department_id)
    )


def _department(session: Session, clerk: Clerk, code: str | None) -> int:
    if clerk.role != "admin":
        if code and code != clerk.department.code:
            raise IncidentInvalid({"department": ["Only an administrator chooses the department."]})
        return clerk.department_id
    department_id = code and session.scalar(select(Department.id).where(Department.code == code))
    if not department_id:
        raise IncidentInvalid({"department": ["An administrator names the department (a code)."]})
    return department_id


def create_incident(session: Session, clerk: Clerk, data: dict, now: dt.datetime) -> Incident:
    errors: dict[str, list[str]] = {}
    city = city_shapes(session)
    areas = data.get("areas", [])
    unknown = [c for c in areas if c not in city.by_code]
    if unknown:
        errors["areas"] = [f"Unknown area(s) {', '.join(unknown)}."]
    if data.get("polygon") is not None:
        _polygon, problems = check_polygon(data["polygon"], city)
        if problems:
            errors["polygon"] = problems
    services = catalogue(session).services_by_code
    unknown = [c for c in data.get("services", []) if c not in services]
    if unknown:
        errors["services"] = [f"Unknown service code(s) {', '.join(unknown)}."]
    if errors:
        raise IncidentInvalid(errors)
    department_id = _department(session, clerk, data.get("department"))
    hours = [services[c].sla_hours for c in data.get("services", []) if services[c].sla_hours]
    incident = Incident(
        title=data["title"],
        department_id=department_id,
        area_codes=sorted(set(areas)),
        polygon=data.get("polygon"),
        service_codes=sorted(set(data.get("services", []))),
        expected_at=now + dt.timedelta(hours=max(hours)) if hours else None,
        created_by=clerk.username,
    )
    session.add(incident)
    session.flush()
    if data.get("attach"):
        attach(session, clerk, incident, data["attach"], now)
    return incident


def _candidates(incident: Incident):
    linked = exists().where(IncidentReport.request_id == ServiceRequest.id)
    return select(ServiceRequest.id, ServiceRequest.tracking_code).where(
        ServiceRequest.department_id == incident.department_id,
        ServiceRequest.status.in_(OPEN_STATUSES),
        ~linked,
    )


def attach(session: Session, clerk: Clerk, incident: Incident, how: dict, now) -> int:
    """Link reports to the incident; how many were linked."""
    query = _candidates(incident)
    if "codes" in how:
        wanted = {normalize(c) or c: c for c in how["codes"]}
        rows = session.execute(query.where(ServiceRequest.tracking_code.in_(list(wanted)))).all()
        missing = sorted(set(wanted) - {r.tracking_code for r in rows})
        if missing:
            raise IncidentInvalid(
                {
                    "attach.codes": [
                        "No open report of your department, not yet in an incident, has "
                        f"the code(s) {', '.join(wanted[m] for m in missing)}."
                    ]
                }
            )
    else:
        cat = catalogue(session)
        service_ids = [cat.services_by_code[c].id for c in incident.service_codes]
        if not service_ids:
            raise IncidentInvalid({"services": ["Name the services whose open reports to link."]})
        where = []
        if incident.area_codes:
            city = city_shapes(session)
            where.append(ServiceRequest.area_id.in_([city.ids[c] for c in incident.area_codes]))
        if incident.polygon:
            wkt = shape(incident.polygon).wkt
            where.append(func.ST_Within(ServiceRequest.geom, func.ST_GeomFromText(wkt, 4326)))
        if not where:
            raise IncidentInvalid({"areas": ["Name areas or draw a polygon to link reports."]})
        rows = session.execute(
            query.where(ServiceRequest.service_type_id.in_(service_ids), or_(*where))
        ).all()
    ids = [r.id for r in rows]
    if not ids:
        return 0
    session.execute(
        insert(IncidentReport), [{"request_id": i, "incident_id": incident.id} for i in ids]
    )
    actor = f"clerk:{clerk.username}"
    session.execute(
        insert(RequestEvent),
        [
            {
                "request_id": i,
                "kind": "incident",
                "public": False,
                "note": f"Linked to incident #{incident.id}: {incident.title}"[:500],
                "actor": actor,
                "department_id": incident.department_id,
            }
            for i in ids
        ],
    )
    if incident.expected_at is not None:  # one SLA clock for all
        for report in session.scalars(_reports(ids)):
            report.expected_at = incident.expected_at
    session.flush()
    return len(ids)


def _reports(ids):
    return (
        select(ServiceRequest)
        .where(ServiceRequest.id.in_(ids))
        .options(lazyload(ServiceRequest.photos), lazyload(ServiceRequest.assignee))
    )


def link_to_alert(session: Session, report: ServiceRequest, alert) -> Incident:
    """Link a report the alert explains to the alert's incident in the report's
    department (opened with the first such report): clerks answer them all at once, and
    the report's due time is the alert's expected end."""
    incident = session.scalar(
        select(Incident).where(
            Incident.alert_id == alert.id, Incident.department_id == report.department_id
        )
    )
    if incident is None:  # two first reports at once: the unique key makes one retry
        incident = Incident(
            title=(alert.headline.get("fr") or next(iter(alert.headline.values())))[:200],
            department_id=report.department_id,
            area_codes=list(alert.area_codes),
            polygon=alert.polygon,
            service_codes=list(alert.service_codes),
            alert_id=alert.id,
            expected_at=alert.ends_at,
            created_by=f"alert:{alert.id}",
        )
        session.add(incident)
        session.flush()
    session.add(IncidentReport(request_id=report.id, incident_id=incident.id))
    report.expected_at = alert.ends_at
    return incident


def linked_ids(session: Session, incident: Incident) -> list[int]:
    return list(
        session.scalars(
            select(IncidentReport.request_id).where(IncidentReport.incident_id == incident.id)
        )
    )


def update_incident(
    session: Session, clerk: Clerk, incident: Incident, status: str, note: str | None, now
) -> int:
    """Move the incident and every linked report; how many reports moved."""
    if incident.status == "closed":
        raise IncidentInvalid({"status": ["The incident is closed; open a new one."]})
    target = REPORT_STATUS[status]
    actor = f"clerk:{clerk.username}"
    moved: list[tuple[ServiceRequest, RequestEvent]] = []
    for report in session.scalars(_reports(linked_ids(session, incident))):
        if report.status not in FORWARD or FORWARD.index(report.status) >= FORWARD.index(target):
            continue  # already there or past it, or rejected/duplicate/closed
        event = RequestEvent(
            request_id=report.id,
            kind="status",
            from_status=report.status,
            to_status=target,
            public=True,
            note=note,
            actor=actor,
            department_id=report.department_id,
        )
        report.status = target
        if target == "resolved":
            report.resolved_at = now
        session.add(event)
        moved.append((report, event))
    incident.status, incident.public_note = status, note or incident.public_note
    if status == "closed":
        incident.closed_at = now
    session.flush()
    _tell_reporters(session, moved, note)
    return len(moved)


def _tell_reporters(session: Session, moved, note: str | None) -> None:
    """One message per reporter (their oldest moved report), in one multi-row insert."""
    settings = settings_for(session)
    first: dict[int, tuple[ServiceRequest, RequestEvent]] = {}
    for report, event in moved:
        if report.contact_id is not None and report.contact_id not in first:
            first[report.contact_id] = (report, event)
    if not first:
        return
    contacts = {
        c.id: c
        for c in session.scalars(select(ReporterContact).where(ReporterContact.id.in_(list(first))))
    }
    recent = dict(
        session.execute(
            select(OutboundMessage.contact_id, func.count(OutboundMessage.id))
            .where(
                OutboundMessage.contact_id.in_(list(first)),
                OutboundMessage.created_at >= utcnow(-24),
                OutboundMessage.state != "skipped",
            )
            .group_by(OutboundMessage.contact_id)
        ).all()
    )
    rows = []
    for contact_id, (report, event) in first.items():
        contact = contacts[contact_id]
        body = texts.status_update(
            report.lang,
            report.tracking_code,
            event.to_status,
            note,
            settings.report_url(report.tracking_code),
        )
        state, reason = "pending", None
        if contact.opted_out_at is not None:
            state, reason = "skipped", "opted out (STOP)"
        elif recent.get(contact_id, 0) >= settings.notify_daily_cap:
            state, reason = "skipped", f"daily cap of {settings.notify_daily_cap} messages reached"
        rows.append(
            {
                "dedupe_key": f"status:{event.id}",
                "request_id": report.id,
                "event_id": event.id,
                "contact_id": contact_id,
                "kind": "status",
                "channel": choose_channel(settings, contact, report),
                "lang": report.lang,
                "body": body,
                "segments": texts.segments(body),
                "state": state,
                "last_error": reason,
            }
        )
    session.execute(insert(OutboundMessage), rows)
    remember_drain(session)
