"""Spatial predicates written once and compiled for PostGIS or SpatiaLite.

Distances are in metres on the sphere; envelopes are lon/lat degrees (SRID 4326).
"""

from __future__ import annotations

import math

from sqlalchemy import Boolean, Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement, literal

EARTH_M_PER_DEG_LAT = 110_574.0
EARTH_M_PER_DEG_LON_EQUATOR = 111_320.0


def envelope_around(lon: float, lat: float, metres: float) -> tuple[float, float, float, float]:
    """The lon/lat box that contains every point within `metres` of (lon, lat)."""
    dlat = metres / EARTH_M_PER_DEG_LAT
    dlon = metres / (EARTH_M_PER_DEG_LON_EQUATOR * max(math.cos(math.radians(lat)), 1e-6))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


class in_envelope(ColumnElement):  # noqa: N801 - a SQL predicate
    """True where the point column `geom` of the table keyed by `id_col` lies in a box.

    PostGIS uses the GiST index through ``&&``; SpatiaLite reads its R*Tree index table
    (``idx_<table>_<column>``) directly, which is how SpatiaLite queries use an index.
    """

    type = Boolean()
    inherit_cache = False

    def __init__(self, geom, id_col, box):
        self.geom, self.id_col = geom, id_col
        self.box = tuple(float(v) for v in box)


@compiles(in_envelope, "postgresql")
def _in_envelope_pg(element, compiler, **kw):
    x1, y1, x2, y2 = (compiler.process(literal(v), **kw) for v in element.box)
    geom = compiler.process(element.geom, **kw)
    return f"({geom} && ST_MakeEnvelope({x1}, {y1}, {x2}, {y2}, 4326))"


@compiles(in_envelope, "sqlite")
def _in_envelope_sqlite(element, compiler, **kw):
    x1, y1, x2, y2 = (compiler.process(literal(v), **kw) for v in element.box)
    index_table = f"idx_{element.geom.table.name}_{element.geom.name}"
    return (
        f"{compiler.process(element.id_col, **kw)} IN (SELECT pkid FROM {index_table} "
        f"WHERE xmin <= {x2} AND xmax >= {x1} AND ymin <= {y2} AND ymax >= {y1})"
    )


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
