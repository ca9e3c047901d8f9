"""One update on an incident moves every linked report, set-based, in the caller's
transaction: one locked read of the reports, one UPDATE, one multi-row INSERT of their
public events, the statistics moved by the same deltas the ORM hook would apply, and
one message per reporter (however many of their reports are linked) in one INSERT.

Reports behind the incident's status move to it (submitted -> in_progress directly: the
incident speaks for the steps); those at or past it, rejected or marked duplicate are
left alone. Closing the incident resolves its reports. A closed incident is reopened
with status in_progress within the tickets' REOPEN_WINDOW: the reports it resolved go
back to in_progress (the tickets' own resolved -> in_progress), each with a public
event, one message per reporter, and one SLA clock afresh. Free of Flask.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, insert, literal_column, select, update
from sqlalchemy.orm import Session

from citizen_api.domain.catalogue_cache import catalogue
from citizen_api.domain.incidents import REPORT_STATUS, IncidentInvalid
from citizen_api.domain.workflow import REOPEN_WINDOW
from models import (
    Clerk,
    Incident,
    IncidentReport,
    OutboundMessage,
    ReporterContact,
    RequestEvent,
    ServiceRequest,
    utcnow,
)
from models.stats import move_contributions
from notifications import texts
from notifications.outbox import choose_channel
from notifications.runtime import remember_drain, settings_for

FORWARD = ("submitted", "acknowledged", "in_progress", "resolved")
SR = ServiceRequest


def update_incident(
    session: Session, clerk: Clerk, incident: Incident, status: str, note: str | None, now
) -> int:
    """Move the incident and every linked report; how many reports moved."""
    if incident.status == "closed":
        return _reopen(session, clerk, incident, status, note, now)
    target = REPORT_STATUS[status]
    behind = SR.status.in_(FORWARD[: FORWARD.index(target)])
    incident.status, incident.public_note = status, note or incident.public_note
    if status == "closed":
        incident.closed_at = now

    def after(r):
        resolved = now if target == "resolved" else r.resolved_at
        return target, resolved, r.expected_at

    return _move(session, clerk, incident, behind, after, note, reopened=False)


def _reopen(session: Session, clerk: Clerk, incident: Incident, status: str, note, now) -> int:
    """closed -> in_progress, within REOPEN_WINDOW of the closing: the reports it resolved
    (still resolved, within their own window) go back to in_progress with one SLA clock
    afresh; reports a resident confirmed (closed) stay closed."""
    if status != "in_progress":
        raise IncidentInvalid(
            {"status": ["The incident is closed; reopen it with status in_progress."]}
        )
    if incident.closed_at is not None and now - incident.closed_at > REOPEN_WINDOW:
        raise IncidentInvalid(
            {
                "status": [
                    f"The incident was closed more than {REOPEN_WINDOW.days} days ago and "
                    "can no longer be reopened; open a new one."
                ]
            }
        )
    services = catalogue(session).services
    hours = _sla_hours(session, incident, services)
    due = now + dt.timedelta(hours=max(hours)) if hours else None
    incident.status, incident.public_note = status, note or incident.public_note
    incident.closed_at, incident.expected_at = None, due
    reopenable = (SR.status == "resolved") & (SR.resolved_at >= now - REOPEN_WINDOW)
    return _move(
        session, clerk, incident, reopenable, lambda r: ("in_progress", None, due), note, True
    )


def _sla_hours(session: Session, incident: Incident, services) -> list[int]:
    """The SLAs of the incident's services, else those of its linked reports."""
    by_code = {s.code: s for s in services.values()}
    hours = [by_code[c].sla_hours for c in incident.service_codes if c in by_code]
    if not hours:
        linked = session.scalars(
            select(SR.service_type_id)
            .join(IncidentReport, IncidentReport.request_id == SR.id)
            .where(IncidentReport.incident_id == incident.id)
            .distinct()
        )
        hours = [services[i].sla_hours for i in linked if i in services]
    return [h for h in hours if h]


def _move(
    session: Session, clerk: Clerk, incident: Incident, which, after, note, reopened: bool
) -> int:
    """Move the linked reports that `which` selects to `after(row)` (status, resolved_at,
    expected_at), set-based: one locked read, one UPDATE, their public events, the
    statistics, one message per reporter."""
    rows = session.execute(
        select(
            SR.id,
            SR.status,
            SR.requested_at,
            SR.area_id,
            SR.service_type_id,
            SR.resolved_at,
            SR.expected_at,
            SR.department_id,
            SR.contact_id,
            SR.lang,
            SR.tracking_code,
        )
        .join(IncidentReport, IncidentReport.request_id == SR.id)
        .where(IncidentReport.incident_id == incident.id, which)
        .order_by(SR.id)
        .with_for_update(of=SR)
    ).all()
    if not rows:
        session.flush()
        return 0
    ids = [r.id for r in rows]
    target, resolved_at, expected_at = after(rows[0])
    values = {"status": target, "version": SR.version + 1, "updated_at": utcnow()}
    if target == "resolved":
        values["resolved_at"] = resolved_at
    if reopened:
        values.update(resolved_at=None, closed_at=None, expected_at=expected_at)
    linked = select(IncidentReport.request_id).where(IncidentReport.incident_id == incident.id)
    session.execute(
        update(SR)
        .where(SR.id.in_(linked), which)  # the rows locked above
        .values(**values)
        .execution_options(synchronize_session=False)
    )

    def fields(r, status, resolved, expected):
        return (r.requested_at, r.area_id, r.service_type_id, status, resolved, expected)

    move_contributions(
        session.connection(),
        [(fields(r, r.status, r.resolved_at, r.expected_at), fields(r, *after(r))) for r in rows],
    )
    event_ids = session.scalars(
        insert(RequestEvent).returning(RequestEvent.id, sort_by_parameter_order=True),
        [
            {
                "request_id": r.id,
                "kind": "status",
                "from_status": r.status,
                "to_status": target,
                "public": True,
                "note": note,
                "actor": f"clerk:{clerk.username}",
                "department_id": r.department_id,
            }
            for r in rows
        ],
    ).all()
    _tell_reporters(session, incident.id, list(zip(rows, event_ids, strict=True)), target, note)
    session.flush()
    # Reports this session holds are stale now.
    moved_ids = set(ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, SR) and obj.id in moved_ids:
            session.expire(obj)
    return len(rows)


def _tell_reporters(
    session: Session, incident_id: int, moved, target: str, note: str | None
) -> None:
    settings = settings_for(session)
    first = {}
    for row, event_id in moved:
        if row.contact_id is not None and row.contact_id not in first:
            first[row.contact_id] = (row, event_id)
    if not first:
        return
    rc = ReporterContact
    contacts = {  # plain rows: choose_channel reads whatsapp_at, the rest opted_out_at
        c.id: c
        for c in session.execute(
            select(rc.id, rc.whatsapp_at, rc.opted_out_at)
            .join(SR, SR.contact_id == rc.id)
            .join(IncidentReport, IncidentReport.request_id == SR.id)
            .where(IncidentReport.incident_id == incident_id)
            .distinct()
        )
    }
    recent = dict(
        session.execute(
            select(OutboundMessage.contact_id, func.count(OutboundMessage.id))
            .where(
                OutboundMessage.contact_id.in_(
                    select(literal_column("id")).select_from(
                        select(rc.id)
                        .join(SR, SR.contact_id == rc.id)
                        .join(IncidentReport, IncidentReport.request_id == SR.id)
                        .where(IncidentReport.incident_id == incident_id)
                        .subquery()
                    )
                ),
                OutboundMessage.created_at >= utcnow(-24),
                OutboundMessage.state != "skipped",
            )
            .group_by(OutboundMessage.contact_id)
        ).all()
    )
    messages = []
    for contact_id, (row, event_id) in first.items():
        contact = contacts[contact_id]
        url = settings.report_url(row.tracking_code)
        body = texts.status_update(row.lang, row.tracking_code, target, note, url)
        state, reason = "pending", None
        if contact.opted_out_at is not None:
            state, reason = "skipped", "opted out (STOP)"
        elif recent.get(contact_id, 0) >= settings.notify_daily_cap:
            state, reason = "skipped", f"daily cap of {settings.notify_daily_cap} messages reached"
        messages.append(
            {
                "dedupe_key": f"status:{event_id}",
                "request_id": row.id,
                "event_id": event_id,
                "contact_id": contact_id,
                "kind": "status",
                "channel": choose_channel(settings, contact, None),
                "lang": row.lang,
                "body": body,
                "segments": texts.segments(body),
                "state": state,
                "last_error": reason,
            }
        )
    session.execute(insert(OutboundMessage), messages)
    remember_drain(session)
