"""Where an alert applies: the areas' shapes (lon/lat, from the database, cached per
process), the checks a drawn polygon must pass, and which alerts cover a point.

Free of Flask.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import shapely
from geoalchemy2.shape import to_shape
from shapely.geometry import shape
from shapely.validation import explain_validity
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Alert, Area

# A drawn polygon has at most this many vertices: enough to follow streets, not a
# whole cadastre (a 100,000-vertex polygon is refused before any work on it).
MAX_VERTICES = 500
# The city's outline in the data is coarse along the coast: allow this much overhang.
CITY_TOLERANCE_DEG = 0.003  # ~300 m
TTL_SECONDS = 300.0


@dataclass
class CityShapes:
    by_code: dict[str, object]  # area code -> shapely (Multi)Polygon, lon/lat
    ids: dict[str, int]
    city: object  # the union of every area, with the tolerance above
    loaded_at: float


class Reason(str):
    """What is wrong, in English (the API's words), with a code and its values so that a
    page can say the same in its reader's language."""

    code: str
    params: dict

    def __new__(cls, code: str, text: str, **params):
        reason = super().__new__(cls, text)
        reason.code, reason.params = code, params
        return reason


_cache: dict[str, CityShapes] = {}
_lock = threading.Lock()


def city_shapes(session: Session) -> CityShapes:
    """The areas' shapes for the session's database (reloaded after TTL_SECONDS)."""
    key = str(session.get_bind().url)
    current = _cache.get(key)
    if current is not None and time.monotonic() - current.loaded_at < TTL_SECONDS:
        return current
    with _lock:
        rows = session.execute(select(Area.id, Area.code, Area.geom)).all()
        by_code = {r.code: to_shape(r.geom) for r in rows}
        shapely.prepare(list(by_code.values()))
        city = shapely.union_all(list(by_code.values())).buffer(CITY_TOLERANCE_DEG)
        shapely.prepare(city)
        current = CityShapes(by_code, {r.code: r.id for r in rows}, city, time.monotonic())
        _cache[key] = current
    return current


def check_polygon(geojson, city: CityShapes) -> tuple[object | None, list[str]]:
    """The drawn polygon as a shape, or None and what is wrong with it (in words a
    publisher can act on)."""
    if not isinstance(geojson, dict) or geojson.get("type") != "Polygon":
        return None, [
            Reason(
                "polygon-type",
                'Send a GeoJSON Polygon: {"type": "Polygon", "coordinates": [[[lon, lat], ...]]}.',
            )
        ]
    rings = geojson.get("coordinates")
    if not isinstance(rings, list) or not rings or not all(isinstance(r, list) for r in rings):
        return None, [
            Reason(
                "polygon-rings", "coordinates must be a list of rings, each a list of [lon, lat]."
            )
        ]
    vertices = sum(len(r) for r in rings)
    if vertices > MAX_VERTICES:
        return None, [
            Reason(
                "polygon-vertices",
                f"The polygon has {vertices} vertices; draw it with at most {MAX_VERTICES}.",
                vertices=vertices,
                max=MAX_VERTICES,
            )
        ]
    for ring in rings:
        if len(ring) < 4 or ring[0] != ring[-1]:
            return None, [
                Reason(
                    "polygon-ring",
                    "Each ring needs at least 4 positions and must end where it starts.",
                )
            ]
        for position in ring:
            if (
                not isinstance(position, list)
                or len(position) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position)
            ):
                return None, [
                    Reason(
                        "polygon-position", "Each position is [longitude, latitude], two numbers."
                    )
                ]
    try:
        polygon = shape(geojson)
    except (ValueError, TypeError, shapely.errors.GEOSException):
        return None, [Reason("polygon-unreadable", "Not a polygon that can be read.")]
    if not polygon.is_valid:
        return None, [
            Reason(
                "polygon-invalid",
                f"The polygon is not valid ({explain_validity(polygon)}): edges must not cross.",
            )
        ]
    if not city.city.contains(polygon):
        return None, [
            Reason(
                "polygon-outside",
                "The polygon must lie inside Casablanca (every vertex within the city).",
            )
        ]
    return polygon, []


def touched_areas(polygon, city: CityShapes) -> list[str]:
    """The codes of the areas a drawn polygon overlaps (their subscribers are told)."""
    return sorted(
        code
        for code, area in city.by_code.items()
        if area.intersects(polygon) and area.intersection(polygon).area > 0
    )


def covers(alert: Alert, lon: float, lat: float, city: CityShapes) -> bool:
    """Whether the point lies in one of the alert's named areas or in its polygon."""
    point = shapely.Point(lon, lat)
    if alert.polygon and shape(alert.polygon).covers(point):
        return True
    return any(
        city.by_code[code].covers(point) for code in alert.area_codes if code in city.by_code
    )


def cap_polygons(alert: Alert, city: CityShapes, tolerance: float = 0.0005) -> list[list]:
    """The alert's outlines as CAP wants them: closed rings of (lat, lon), the drawn
    polygon and each named area's outer rings (simplified to ~50 m)."""
    shapes = [shape(alert.polygon)] if alert.polygon else []
    shapes += [city.by_code[c] for c in alert.area_codes if c in city.by_code]
    rings = []
    for geom in shapes:
        simple = geom.simplify(tolerance, preserve_topology=True)
        for part in getattr(simple, "geoms", [simple]):
            rings.append([(lat, lon) for lon, lat in part.exterior.coords])
    return rings
