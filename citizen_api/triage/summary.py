"""Per department and status: how many tickets, how many overdue, their median age; and
the incidents, each counted once.

A ticket grouped into an incident is one piece of work with the incident's other tickets
(one update moves them all, one SLA clock runs for them): the status counts leave it out,
as the queue does, and it is counted under its incident instead (`incidents`: per status,
how many incidents, how many of them overdue, how many tickets they group). Every ticket
is thus counted once: in `statuses` if it stands alone, in `grouped_tickets` if not.

Counted by the database (GROUP BY), not by loading tickets: on PostgreSQL the median is
`percentile_cont`; SQLite, the embedded default for small deployments, has no
percentile function, so there the ages of each group are read and the median taken here.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from models import OPEN_STATUSES, Incident, IncidentReport, ServiceRequest, utcnow


def overdue_condition():
    sr = ServiceRequest
    return sr.status.in_(OPEN_STATUSES) & (sr.expected_at < utcnow())


def ungrouped():
    """Tickets in no incident."""
    return ~exists().where(IncidentReport.request_id == ServiceRequest.id)


def status_groups(session: Session, scope, now: dt.datetime) -> dict[int, dict[str, dict]]:
    """{department_id: {status: {"count", "overdue", "median_age_hours"}}} in `scope`, of
    the tickets in no incident."""
    sr = ServiceRequest
    scope = scope & ungrouped()
    overdue = func.sum(case((overdue_condition(), 1), else_=0))
    keys = (sr.department_id, sr.status)
    postgres = session.get_bind().dialect.name == "postgresql"
    columns = [*keys, func.count(), overdue]
    if postgres:
        epoch = func.extract("epoch", sr.requested_at)
        columns.append(func.percentile_cont(0.5).within_group(epoch))
    groups: dict[int, dict[str, dict]] = defaultdict(dict)
    for department_id, status, count, late, *median in session.execute(
        select(*columns).where(scope).group_by(*keys)
    ):
        age = (now.timestamp() - median[0]) / 3600 if postgres else None
        groups[department_id][status] = {
            "count": count,
            "overdue": int(late or 0),
            "median_age_hours": age,
        }
    if not postgres:
        ages: dict[tuple, list[float]] = defaultdict(list)
        for department_id, status, requested_at in session.execute(
            select(*keys, sr.requested_at).where(scope)
        ):
            ages[(department_id, status)].append((now - requested_at).total_seconds() / 3600)
        for (department_id, status), hours in ages.items():
            groups[department_id][status]["median_age_hours"] = statistics.median(hours)
    for by_status in groups.values():
        for numbers in by_status.values():
            numbers["median_age_hours"] = round(numbers["median_age_hours"], 1)
    return groups


def incident_groups(session: Session, scope) -> dict[int, dict[str, dict]]:
    """{department_id: {status: {"count", "overdue", "tickets"}}} of the incidents in
    `scope`: each incident once, overdue by its own due time, with its tickets' number."""
    linked = (
        select(IncidentReport.incident_id, func.count().label("tickets"))
        .group_by(IncidentReport.incident_id)
        .subquery()
    )
    late = (Incident.status != "closed") & (Incident.expected_at < utcnow())
    groups: dict[int, dict[str, dict]] = defaultdict(dict)
    for department_id, status, count, overdue, tickets in session.execute(
        select(
            Incident.department_id,
            Incident.status,
            func.count(),
            func.sum(case((late, 1), else_=0)),
            func.coalesce(func.sum(linked.c.tickets), 0),
        )
        .outerjoin(linked, linked.c.incident_id == Incident.id)
        .where(scope)
        .group_by(Incident.department_id, Incident.status)
    ):
        groups[department_id][status] = {
            "count": count,
            "overdue": int(overdue or 0),
            "tickets": int(tickets),
        }
    return groups
