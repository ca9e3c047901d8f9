"""Read the statistics aggregates. Free of Flask.

Each call reads at most (months x areas x service types) aggregate rows and the matching
resolution-hour histogram rows, whatever the number of reports stored.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Area, MonthlyStats, ResolutionHours, ServiceType

GROUPS = ("month", "area", "service")
COLUMNS = {"month": "month", "area": "area_id", "service": "service_type_id"}


def _where(table, since, until, area_ids, service_type_ids):
    if since:
        yield table.month >= since
    if until:
        yield table.month <= until
    if area_ids is not None:
        yield table.area_id.in_(area_ids)
    if service_type_ids is not None:
        yield table.service_type_id.in_(service_type_ids)


def median_from_histogram(buckets: list[tuple[int, int]]) -> float | None:
    """The median of values given as (whole hours, how many), sorted by hours."""
    total = sum(n for _, n in buckets)
    if total <= 0:
        return None
    wanted = [(total + 1) // 2, total // 2 + 1]  # 1-based ranks; the same one when odd
    found, seen = [], 0
    for hours, n in buckets:
        seen += n
        while wanted and wanted[0] <= seen:
            found.append(hours)
            wanted.pop(0)
    return sum(found) / len(found)


def statistics(
    session: Session,
    *,
    group_by: tuple[str, ...] = GROUPS,
    since: str | None = None,
    until: str | None = None,
    area_ids: list[int] | None = None,
    service_type_ids: list[int] | None = None,
    lang: str = "fr",
) -> list[dict]:
    """One row per group: reports, open, resolved, median hours to resolve, and the share
    of resolved reports resolved within the service type's SLA."""
    filters = (since, until, area_ids, service_type_ids)
    keys = [getattr(MonthlyStats, COLUMNS[g]) for g in group_by]
    totals = session.execute(
        select(
            *keys,
            func.sum(MonthlyStats.reports),
            func.sum(MonthlyStats.open),
            func.sum(MonthlyStats.resolved),
            func.sum(MonthlyStats.resolved_within_sla),
        )
        .where(*_where(MonthlyStats, *filters))
        .group_by(*keys)
        .order_by(*keys)
    ).all()
    hist_keys = [getattr(ResolutionHours, COLUMNS[g]) for g in group_by]
    histogram = defaultdict(list)
    for row in session.execute(
        select(*hist_keys, ResolutionHours.hours, func.sum(ResolutionHours.reports))
        .where(*_where(ResolutionHours, *filters))
        .group_by(*hist_keys, ResolutionHours.hours)
        .order_by(*hist_keys, ResolutionHours.hours)
    ):
        histogram[tuple(row[: len(group_by)])].append((row[-2], int(row[-1])))
    areas = {a.id: a for a in session.scalars(select(Area))} if "area" in group_by else {}
    types = {t.id: t for t in session.scalars(select(ServiceType))} if "service" in group_by else {}

    rows = []
    for row in totals:
        key = tuple(row[: len(group_by)])
        reports, still_open, resolved, within = (int(v or 0) for v in row[len(group_by) :])
        if reports == 0:
            continue
        out: dict = {}
        for group, value in zip(group_by, key, strict=True):
            if group == "month":
                out["month"] = value
            elif group == "area":
                out["area_code"], out["area_name"] = areas[value].code, areas[value].name(lang)
            else:
                out["service_code"], out["service_name"] = (
                    types[value].code,
                    types[value].name(lang),
                )
        median = median_from_histogram(histogram.get(key, []))
        out.update(
            reports=reports,
            open=still_open,
            resolved=resolved,
            median_hours_to_resolve=median,
            resolved_within_sla_share=round(within / resolved, 4) if resolved else None,
        )
        rows.append(out)
    return rows
