"""Open statistics kept current as reports change, so reading them never scans reports.

Two aggregate tables, keyed by the month a report was filed (UTC, 'YYYY-MM'), its area and
its service type:

- ``stats_monthly``: reports filed, still open, resolved, resolved within the SLA;
- ``stats_resolution_hours``: how many resolved reports took each whole number of hours,
  a histogram from which the median time to resolve is read at one-hour resolution.

Every ORM flush that inserts, changes or deletes a report moves its contribution from
the old cell to the new one in the same transaction (``after_flush`` below), whoever
wrote the change (resident API, triage, Open311). Writes that bypass the ORM (a COPY
bulk import) call ``rebuild_stats`` afterwards; ``flask stats rebuild`` does the same.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import ForeignKey, Integer, String, case, cast, delete, event, func, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.service_requests import OPEN_STATUSES, ServiceRequest

RESOLVED_STATUSES = ("resolved", "closed")


class MonthlyStats(Base):
    """Counts for the reports filed in one month, in one area, of one service type."""

    __tablename__ = "stats_monthly"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_types.id"), primary_key=True)
    reports: Mapped[int] = mapped_column(Integer, default=0)
    open: Mapped[int] = mapped_column(Integer, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    resolved_within_sla: Mapped[int] = mapped_column(Integer, default=0)


class ResolutionHours(Base):
    """How many of a cell's resolved reports took `hours` (whole hours) to resolve."""

    __tablename__ = "stats_resolution_hours"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_types.id"), primary_key=True)
    hours: Mapped[int] = mapped_column(Integer, primary_key=True)
    reports: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class Contribution:
    """What one report adds to the aggregates in its current state."""

    cell: tuple[str, int, int]
    open: int
    resolved: int
    within_sla: int
    hours: int | None


def contribution(
    requested_at: dt.datetime,
    area_id: int,
    service_type_id: int,
    status: str,
    resolved_at: dt.datetime | None,
    expected_at: dt.datetime | None,
) -> Contribution:
    month = requested_at.astimezone(dt.UTC).strftime("%Y-%m")
    resolved = status in RESOLVED_STATUSES
    hours = within = None
    if resolved:
        done = resolved_at or dt.datetime.now(dt.UTC)
        hours = max(0, int((done - requested_at).total_seconds() // 3600))
        within = expected_at is not None and done <= expected_at
    return Contribution(
        (month, area_id, service_type_id),
        int(status in OPEN_STATUSES),
        int(resolved),
        int(bool(within)),
        hours,
    )


_FIELDS = ("requested_at", "area_id", "service_type_id", "status", "resolved_at", "expected_at")


def _state(report: ServiceRequest, old: bool) -> Contribution:
    attrs = sa_inspect(report).attrs
    values = []
    for name in _FIELDS:
        history = attrs[name].history
        if old and history.deleted:
            values.append(history.deleted[0])
        elif old and history.unchanged:
            values.append(history.unchanged[0])
        else:
            values.append(getattr(report, name))
    if values[0] is None:  # not read back yet: it is being filed now
        values[0] = dt.datetime.now(dt.UTC)
    return contribution(*values)


class _Deltas:
    def __init__(self):
        self.cells: dict[tuple, Counter] = {}
        self.hours: Counter = Counter()

    def add(self, c: Contribution, sign: int) -> None:
        cell = self.cells.setdefault(c.cell, Counter())
        cell["reports"] += sign
        cell["open"] += sign * c.open
        cell["resolved"] += sign * c.resolved
        cell["resolved_within_sla"] += sign * c.within_sla
        if c.hours is not None:
            self.hours[(*c.cell, c.hours)] += sign

    def apply(self, connection) -> None:
        for (month, area_id, type_id), counts in self.cells.items():
            if any(counts.values()):
                _bump(
                    connection,
                    MonthlyStats,
                    {"month": month, "area_id": area_id, "service_type_id": type_id},
                    counts,
                )
        for (month, area_id, type_id, hours), n in self.hours.items():
            if n:
                key = {"month": month, "area_id": area_id, "service_type_id": type_id}
                _bump(connection, ResolutionHours, {**key, "hours": hours}, {"reports": n})


def _bump(connection, model, key: dict, increments: dict) -> None:
    """Add `increments` to the row at `key`, creating it at zero first (one statement)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    table = model.__table__
    stmt = dialect.insert(table).values(**key, **increments)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(key),
        set_={name: table.c[name] + stmt.excluded[name] for name in increments},
    )
    connection.execute(stmt)


def _changed(report: ServiceRequest) -> bool:
    attrs = sa_inspect(report).attrs
    return any(attrs[name].history.has_changes() for name in _FIELDS)


def move_contributions(connection, changes) -> None:
    """Move the aggregates for reports changed by a set-based UPDATE (which the flush
    hook below does not see): each change is (old, new), each a tuple of requested_at,
    area_id, service_type_id, status, resolved_at, expected_at."""
    deltas = _Deltas()
    for old, new in changes:
        deltas.add(contribution(*old), -1)
        deltas.add(contribution(*new), +1)
    deltas.apply(connection)


def _keep_stats_current(session, _context):
    deltas = _Deltas()
    for obj in session.new:
        if isinstance(obj, ServiceRequest):
            deltas.add(_state(obj, old=False), +1)
    for obj in session.dirty:
        if isinstance(obj, ServiceRequest) and _changed(obj):
            deltas.add(_state(obj, old=True), -1)
            deltas.add(_state(obj, old=False), +1)
    for obj in session.deleted:
        if isinstance(obj, ServiceRequest):
            deltas.add(_state(obj, old=True), -1)
    if deltas.cells:
        deltas.apply(session.connection())


def install_listeners(session_class: type[Session] = Session) -> None:
    """Keep the statistics current on every flush of a `session_class` session. Called
    where the app is built (create_app); idempotent, so a second app changes nothing."""
    if not event.contains(session_class, "after_flush", _keep_stats_current):
        event.listen(session_class, "after_flush", _keep_stats_current)


def month_of(dialect: str, column):
    """SQL: 'YYYY-MM' of a UTC timestamp column."""
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")  # the app's connections run in UTC
    return func.substr(column, 1, 7)


def hours_between(dialect: str, start, end):
    """SQL: whole hours from `start` to `end` (never negative)."""
    if dialect == "postgresql":
        seconds = func.extract("epoch", end - start)
    else:
        # julianday is a double: round to the millisecond so 100 h is not 99.99999 h.
        seconds = func.round((func.julianday(end) - func.julianday(start)) * 86400, 3)
    return case((seconds < 0, 0), else_=cast(func.floor(seconds / 3600), Integer))


def rebuild_stats(session: Session) -> None:
    """Recompute both aggregate tables from the reports (after a bulk import, or to check)."""
    dialect = session.get_bind().dialect.name
    sr = ServiceRequest.__table__
    month = month_of(dialect, sr.c.requested_at)
    resolved = sr.c.status.in_(RESOLVED_STATUSES)
    session.execute(delete(ResolutionHours))
    session.execute(delete(MonthlyStats))
    session.execute(
        insert(MonthlyStats).from_select(
            [
                "month",
                "area_id",
                "service_type_id",
                "reports",
                "open",
                "resolved",
                "resolved_within_sla",
            ],
            select(
                month,
                sr.c.area_id,
                sr.c.service_type_id,
                func.count(),
                func.sum(case((sr.c.status.in_(OPEN_STATUSES), 1), else_=0)),
                func.sum(case((resolved, 1), else_=0)),
                func.sum(case((resolved & (sr.c.resolved_at <= sr.c.expected_at), 1), else_=0)),
            ).group_by(month, sr.c.area_id, sr.c.service_type_id),
        )
    )
    hours = hours_between(dialect, sr.c.requested_at, sr.c.resolved_at)
    session.execute(
        insert(ResolutionHours).from_select(
            ["month", "area_id", "service_type_id", "hours", "reports"],
            select(month, sr.c.area_id, sr.c.service_type_id, hours, func.count())
            .where(resolved, sr.c.resolved_at.is_not(None))
            .group_by(month, sr.c.area_id, sr.c.service_type_id, hours),
        )
    )
