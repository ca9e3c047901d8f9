"""Grouping reports into an incident and moving them all with one update.

- `create_incident`: a title, where (areas and/or a polygon), which services, in the
  clerk's department (an admin names one); its SLA clock is the longest SLA of its
  services, started once, and every linked report takes that due time.
- `attach`: by tracking codes, or "every open report of these services inside the
  area"; each linked report gets an internal event.
- `update_incident` (citizen_api.domain.incident_updates): one status for all.

Free of Flask: raises IncidentInvalid (field -> messages).
"""

from __future__ import annotations

import datetime as dt

from shapely.geometry import shape
from sqlalchemy import exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from citizen_api.domain.alert_areas import check_polygon, city_shapes
from citizen_api.domain.catalogue_cache import catalogue
from citizen_api.domain.tracking import normalize
from models import (
    OPEN_STATUSES,
    Clerk,
    Department,
    Incident,
    IncidentReport,
    RequestEvent,
    ServiceRequest,
)

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
    if incident.expected_at is not None:
        # One SLA clock for all. Open reports only, so the statistics do not move.
        session.execute(
            update(ServiceRequest)
            .where(ServiceRequest.id.in_(ids))
            .values(expected_at=incident.expected_at, version=ServiceRequest.version + 1)
            .execution_options(synchronize_session=False)
        )
    session.flush()
    return len(ids)


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
