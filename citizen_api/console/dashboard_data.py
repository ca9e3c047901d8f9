"""The dashboard's numbers, counted by the database in the viewer's scope. Free of Flask.

Definitions (the same as the API's, so the numbers agree):
- open: a status in OPEN_STATUSES; overdue: open and past `expected_at` (as
  /api/v1/triage/summary);
- resolved this week: resolved or closed since Monday 00:00 in Casablanca;
- time to resolve: whole hours from filing to `resolved_at`, its median taken over the
  resolved and closed reports, and the share of those resolved by `expected_at` (as
  /api/v1/stats, which keeps the same figures in its aggregates);
- the trend: reports filed, and reports resolved, in each of the last 12 weeks.

Medians are SQL on both backends: ROW_NUMBER() and COUNT() over each group (window
functions, which SQLite has had since 3.25), the middle one or two rows averaged.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session

from models import OPEN_STATUSES, ServiceRequest
from models.stats import RESOLVED_STATUSES

CASABLANCA = ZoneInfo("Africa/Casablanca")
WEEKS = 12


@dataclass
class Numbers:
    """The figures of one group (a department, an area, or everything in scope)."""

    open: int = 0
    overdue: int = 0
    resolved_this_week: int = 0
    resolved: int = 0
    resolved_within_sla: int = 0
    median_hours_to_resolve: float | None = None

    @property
    def within_sla_share(self) -> float | None:
        return round(self.resolved_within_sla / self.resolved, 4) if self.resolved else None


@dataclass
class Week:
    start: dt.datetime
    filed: int = 0
    resolved: int = 0


@dataclass
class Dashboard:
    now: dt.datetime
    week_start: dt.datetime
    total: Numbers
    departments: dict[int, Numbers] = field(default_factory=dict)
    areas: dict[int, Numbers] = field(default_factory=dict)
    weeks: list[Week] = field(default_factory=list)


def week_starts(now: dt.datetime, weeks: int = WEEKS) -> list[dt.datetime]:
    """The Mondays 00:00 (Casablanca) that begin the last `weeks` weeks, the current one
    last, and the next Monday after it (the end of the current week), in UTC."""
    local = now.astimezone(CASABLANCA)
    monday = (local - dt.timedelta(days=local.weekday())).date()
    days = [monday - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks + 1)]
    return [dt.datetime.combine(d, dt.time(), tzinfo=CASABLANCA).astimezone(dt.UTC) for d in days]


def _hours(session: Session, now: dt.datetime):
    """Whole hours from filing to resolution (to now if no resolution time), never < 0."""
    sr = ServiceRequest
    done = func.coalesce(sr.resolved_at, literal(now, sr.resolved_at.type))
    if session.get_bind().dialect.name == "postgresql":
        seconds = func.extract("epoch", done - sr.requested_at)
    else:
        # julianday() is a double: rounding to the millisecond drops its noise (90 h
        # must not come out as 89.99999 h and floor to 89).
        seconds = func.round((func.julianday(done) - func.julianday(sr.requested_at)) * 86400.0, 3)
    whole = cast(func.floor(seconds / 3600.0), Integer)
    return case((whole < 0, 0), else_=whole)


def _counts(session, scope, key, now, week_start):
    sr = ServiceRequest
    done = func.coalesce(sr.resolved_at, literal(now, sr.resolved_at.type))
    is_open = sr.status.in_(OPEN_STATUSES)
    resolved = sr.status.in_(RESOLVED_STATUSES)
    columns = [
        func.sum(case((is_open, 1), else_=0)),
        func.sum(
            case((and_(is_open, sr.expected_at < literal(now, sr.expected_at.type)), 1), else_=0)
        ),
        func.sum(case((and_(resolved, sr.resolved_at >= week_start), 1), else_=0)),
        func.sum(case((resolved, 1), else_=0)),
        func.sum(case((and_(resolved, done <= sr.expected_at), 1), else_=0)),
    ]
    keys = [key] if key is not None else []
    query = select(*keys, *columns).where(scope)
    if keys:
        query = query.group_by(*keys)
    found = {}
    for row in session.execute(query):
        group = row[0] if keys else None
        values = [int(v or 0) for v in row[len(keys) :]]
        found[group] = Numbers(*values)
    return found


def _medians(session, scope, key, now) -> dict:
    sr = ServiceRequest
    hours = _hours(session, now).label("hours")
    group = key.label("grp") if key is not None else literal(0).label("grp")
    ranked = (
        select(
            group,
            hours,
            func.row_number().over(partition_by=group, order_by=hours).label("rn"),
            func.count().over(partition_by=group).label("n"),
        )
        .where(scope, sr.status.in_(RESOLVED_STATUSES))
        .subquery()
    )
    middle = ranked.c.rn.in_([(ranked.c.n + 1) // 2, ranked.c.n // 2 + 1])
    query = select(ranked.c.grp, func.avg(ranked.c.hours)).where(middle).group_by(ranked.c.grp)
    return {(g if key is not None else None): float(m) for g, m in session.execute(query)}


def _breakdown(session, scope, key, now, week_start) -> dict:
    numbers = _counts(session, scope, key, now, week_start)
    for group, median in _medians(session, scope, key, now).items():
        numbers.setdefault(group, Numbers()).median_hours_to_resolve = median
    return numbers


def _trend(session, scope, bounds) -> list[Week]:
    sr = ServiceRequest
    resolved = sr.status.in_(RESOLVED_STATUSES)
    columns = []
    for start, end in itertools.pairwise(bounds):
        columns.append(func.sum(case((and_(sr.requested_at >= start, sr.requested_at < end), 1),
                                     else_=0)))  # fmt: skip
        columns.append(func.sum(case(
            (and_(resolved, sr.resolved_at >= start, sr.resolved_at < end), 1), else_=0
        )))  # fmt: skip
    since = bounds[0]
    row = session.execute(
        select(*columns).where(scope, (sr.requested_at >= since) | (sr.resolved_at >= since))
    ).one()
    return [
        Week(start, int(row[2 * i] or 0), int(row[2 * i + 1] or 0))
        for i, start in enumerate(bounds[:-1])
    ]


def dashboard(session: Session, scope, now: dt.datetime) -> Dashboard:
    """Every figure of the dashboard for the reports matching `scope`."""
    bounds = week_starts(now)
    week_start = bounds[-2]
    sr = ServiceRequest
    return Dashboard(
        now=now,
        week_start=week_start,
        total=_breakdown(session, scope, None, now, week_start).get(None, Numbers()),
        departments=_breakdown(session, scope, sr.department_id, now, week_start),
        areas=_breakdown(session, scope, sr.area_id, now, week_start),
        weeks=_trend(session, scope, bounds),
    )
