"""The public list's fast path on PostGIS: reports in a box, by status, newest first.

With millions of reports, a box of a square kilometre downtown holds tens of thousands
of them; finding the newest 50 by a GiST scan of the box and a sort costs 25-45 ms. The
index of migration 0007 keys reports by (status, cell of a 0.01-degree grid, time) and
carries the point: each (status, cell) touching the box is read newest first by an
index-only scan that checks the box on the index entry, PostgreSQL merges the streams
(Merge Append) and stops at the page size, and only the page's rows are read from the
table (~0.5 ms for the ids at 10 million reports).

Same rows and order as the general query: every point lies in exactly one cell, and the
cells read cover the box (with a margin for the single-precision boxes of `&&`).
"""

from __future__ import annotations

import math

from sqlalchemy import Integer, bindparam, cast, func, literal_column, select, tuple_, union_all

from citizen_api.reports.reading import LIST_COLUMNS_PG, SR

CELLS_PER_DEGREE = 100  # as in the index of alembic/versions/0007_list_grid_index.py
MAX_SCANS = 36  # (status, cell) pairs; a larger box takes the general query
MARGIN = 1e-5  # degrees: more than the float4 rounding of a PostGIS box around Casablanca
_SCALE = literal_column(str(CELLS_PER_DEGREE))  # a constant, so the index expression matches
cell_x = cast(func.floor(func.ST_X(SR.c.geom) * _SCALE), Integer)
cell_y = cast(func.floor(func.ST_Y(SR.c.geom) * _SCALE), Integer)
NEWEST_FIRST = (SR.c.requested_at.desc(), SR.c.id.desc())


def _cells(low: float, high: float) -> range:
    return range(
        math.floor((low - MARGIN) * CELLS_PER_DEGREE),
        math.floor((high + MARGIN) * CELLS_PER_DEGREE) + 1,
    )


def page_query(statuses: list[str], box, after: tuple | None, size: int):
    """(statement, parameters) selecting the list's columns of the `size` newest reports
    in `box` with one of `statuses` (older than `after` = (requested_at, id), the
    cursor, when given), or None when the box covers too many cells for this path."""
    x1, y1, x2, y2 = (float(v) for v in box)
    xs, ys = _cells(x1, x2), _cells(y1, y2)
    statuses = list(dict.fromkeys(statuses))
    if len(statuses) * len(xs) * len(ys) > MAX_SCANS:
        return None
    params = {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "size": size}
    for i, status in enumerate(statuses):
        params[f"s{i}"] = status
    for i, x in enumerate(xs):
        params[f"cx{i}"] = x
    for i, y in enumerate(ys):
        params[f"cy{i}"] = y
    if after is not None:
        params["at"], params["last_id"] = after
    shape = (len(statuses), len(xs), len(ys), after is not None)
    statement = _statements.get(shape)
    if statement is None:
        statement = _statements.setdefault(shape, _statement(*shape))
    return statement, params


# One statement per shape (how many statuses, cells across, cells up; a cursor or not),
# built once: building it per request cost more than running it.
_statements: dict[tuple, object] = {}


def _statement(statuses: int, across: int, up: int, cursor: bool):
    envelope = func.ST_MakeEnvelope(
        bindparam("x1"), bindparam("y1"), bindparam("x2"), bindparam("y2"), 4326
    )
    conditions = [SR.c.geom.op("&&")(envelope)]
    if cursor:
        conditions.append(
            tuple_(SR.c.requested_at, SR.c.id)
            < tuple_(bindparam("at", type_=SR.c.requested_at.type), bindparam("last_id"))
        )
    size = bindparam("size", type_=Integer)
    scans = [
        select(SR.c.id, SR.c.requested_at)
        .where(
            SR.c.status == bindparam(f"s{s}"),
            cell_x == bindparam(f"cx{x}"),
            cell_y == bindparam(f"cy{y}"),
            *conditions,
        )
        .order_by(*NEWEST_FIRST)
        .limit(size)
        .subquery()
        for s in range(statuses)
        for x in range(across)
        for y in range(up)
    ]
    merged = union_all(*(select(s.c.id, s.c.requested_at) for s in scans)).subquery()
    page = (
        select(merged.c.id)
        .order_by(merged.c.requested_at.desc(), merged.c.id.desc())
        .limit(size)
        .subquery()
    )
    return (
        select(*LIST_COLUMNS_PG).join_from(SR, page, page.c.id == SR.c.id).order_by(*NEWEST_FIRST)
    )
