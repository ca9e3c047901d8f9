"""Spatial predicates written once and compiled for PostGIS or SpatiaLite.

Distances are in metres on the sphere; envelopes are lon/lat degrees (SRID 4326).
"""

from __future__ import annotations

import math

from sqlalchemy import Float, and_, column, func, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

EARTH_M_PER_DEG_LAT = 110_574.0
EARTH_M_PER_DEG_LON_EQUATOR = 111_320.0


def envelope_around(lon: float, lat: float, metres: float) -> tuple[float, float, float, float]:
    """The lon/lat box that contains every point within `metres` of (lon, lat)."""
    dlat = metres / EARTH_M_PER_DEG_LAT
    dlon = metres / (EARTH_M_PER_DEG_LON_EQUATOR * max(math.cos(math.radians(lat)), 1e-6))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def in_envelope(dialect: str, geom, id_col, box):
    """SQL condition: the point column `geom` (of the table keyed by `id_col`) lies in `box`.

    PostGIS uses the GiST index through ``&&``; SpatiaLite reads its R*Tree index table
    (``idx_<table>_<column>``) directly, which is how a SpatiaLite query uses an index.
    """
    x1, y1, x2, y2 = (float(v) for v in box)
    if dialect == "postgresql":
        return geom.op("&&")(func.ST_MakeEnvelope(x1, y1, x2, y2, 4326))
    rtree = table(
        f"idx_{geom.table.name}_{geom.name}",
        column("pkid"),
        column("xmin"),
        column("xmax"),
        column("ymin"),
        column("ymax"),
    )
    return id_col.in_(
        select(rtree.c.pkid).where(
            rtree.c.xmin <= x2, rtree.c.xmax >= x1, rtree.c.ymin <= y2, rtree.c.ymax >= y1
        )
    )


def within_radius(dialect: str, geom, id_col, lon: float, lat: float, metres: float):
    """SQL condition: the point column `geom` lies within `metres` of (lon, lat).
    The bounding box lets the spatial index cut the candidates first."""
    box = in_envelope(dialect, geom, id_col, envelope_around(lon, lat, metres))
    return and_(box, distance_m(geom, point(lon, lat)) <= metres)


def point(lon: float, lat: float):
    """A SQL point geometry (SRID 4326)."""
    return func.ST_GeomFromText(f"POINT({float(lon)!r} {float(lat)!r})", 4326)


class distance_m(FunctionElement):  # noqa: N801 - a SQL function
    """Great-circle distance in metres between two SRID 4326 geometries."""

    type = Float()
    inherit_cache = True
    name = "distance_m"


@compiles(distance_m, "postgresql")
def _distance_pg(element, compiler, **kw):
    return f"ST_DistanceSphere({compiler.process(element.clauses, **kw)})"


@compiles(distance_m, "sqlite")
def _distance_sqlite(element, compiler, **kw):
    # SpatiaLite: a third argument of 0 measures on the great circle, in metres.
    return f"ST_Distance({compiler.process(element.clauses, **kw)}, 0)"
