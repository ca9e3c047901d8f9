"""Per department and status: how many tickets, how many overdue, their median age.

Counted by the database (GROUP BY), not by loading tickets: on PostgreSQL the median is
`percentile_cont`; SQLite, the embedded default for small deployments, has no
percentile function, so there the ages of each group are read and the median taken here.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models import OPEN_STATUSES, ServiceRequest, utcnow


def overdue_condition():
    sr = ServiceRequest
    return sr.status.in_(OPEN_STATUSES) & (sr.expected_at < utcnow())


def status_groups(session: Session, scope, now: dt.datetime) -> dict[int, dict[str, dict]]:
    """{department_id: {status: {"count", "overdue", "median_age_hours"}}} in `scope`."""
    sr = ServiceRequest
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
