"""Routing: a point -> the smallest area containing it -> the department that handles
the service type there, by the most specific rule (area > préfecture > whole city).

Area lookup runs in-process on the area polygons loaded once from the database (an
STRtree of prepared shapes), so it costs microseconds instead of a database round trip.
A point just outside every polygon (the coastline in the data is coarse) is snapped to
the nearest area when it lies within AREA_SNAP_METERS of it; farther away, it is refused.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import shapely
from geoalchemy2.shape import to_shape
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models import Area, RoutingRule, ServiceType
from models.catalogue import SCOPE_PRECEDENCE
from models.spatial import EARTH_M_PER_DEG_LAT, EARTH_M_PER_DEG_LON_EQUATOR

# A local equirectangular projection centred on Casablanca: metres, good to ~0.1 %
# across the city, enough to measure a snapping distance.
_REF_LAT = 33.57
_KX = EARTH_M_PER_DEG_LON_EQUATOR * math.cos(math.radians(_REF_LAT))
_KY = EARTH_M_PER_DEG_LAT


class OutsideCity(Exception):
    """The point is in no area and farther than the snapping distance from all of them."""

    def __init__(self, distance_m: float | None):
        super().__init__("point outside every area")
        self.distance_m = distance_m


class NoRoute(Exception):
    """No routing rule sends this service type from this area anywhere."""


@dataclass(frozen=True)
class AreaHit:
    area_id: int
    code: str
    prefecture_code: str | None
    snapped_m: float  # 0 when the point lies inside the area

    def describe(self) -> str:
        if self.snapped_m:
            return f"point {self.snapped_m:.0f} m outside area {self.code}, snapped to it"
        return f"point inside area {self.code}"


@dataclass(frozen=True)
class Decision:
    area: AreaHit
    rule: RoutingRule  # or a catalogue_cache.RuleEntry (id, department_id, describe())

    @property
    def reason(self) -> str:
        return f"{self.area.describe()}; {self.rule.describe()} (most specific of the rules)"


def _project(geom):
    return shapely.transform(geom, lambda xy: xy * (_KX, _KY))


class AreaIndex:
    """The areas' polygons, ready for point-in-polygon and nearest-area queries."""

    def __init__(self, areas: list[tuple[int, str, str | None, object]]):
        self.ids = [a[0] for a in areas]
        self.codes = [a[1] for a in areas]
        self.prefectures = [a[2] for a in areas]
        self.shapes = [_project(a[3]) for a in areas]
        self.sizes = [s.area for s in self.shapes]
        shapely.prepare(self.shapes)
        self.tree = shapely.STRtree(self.shapes)

    @classmethod
    def load(cls, session: Session) -> AreaIndex:
        rows = session.execute(select(Area.id, Area.code, Area.prefecture_code, Area.geom)).all()
        return cls([(r.id, r.code, r.prefecture_code, to_shape(r.geom)) for r in rows])

    def _hit(self, i: int, snapped_m: float) -> AreaHit:
        return AreaHit(self.ids[i], self.codes[i], self.prefectures[i], round(snapped_m, 1))

    def locate(self, lon: float, lat: float, snap_m: float = 0) -> AreaHit:
        """The smallest area containing the point, else the nearest within `snap_m`."""
        point = shapely.Point(lon * _KX, lat * _KY)
        inside = self.tree.query(point, predicate="within")
        if len(inside):
            return self._hit(min(inside, key=self.sizes.__getitem__), 0.0)
        nearest = self.tree.query_nearest(point, return_distance=True, all_matches=True)
        indexes, distances = nearest
        if not len(indexes):
            raise OutsideCity(None)
        best = min(range(len(indexes)), key=lambda k: (distances[k], self.sizes[indexes[k]]))
        distance = float(distances[best])
        if distance > snap_m:
            raise OutsideCity(distance)
        return self._hit(int(indexes[best]), distance)


_indexes: dict[str, AreaIndex] = {}
_lock = threading.Lock()


def area_index(session: Session) -> AreaIndex:
    """This process's area index for the session's database, built on first use."""
    key = str(session.get_bind().url)
    index = _indexes.get(key)
    if index is None:
        with _lock:
            index = _indexes.get(key) or AreaIndex.load(session)
            _indexes[key] = index
    return index


def forget_areas() -> None:
    """Drop the cached area indexes (after the areas were edited)."""
    _indexes.clear()


def applies_at(area: AreaHit):
    """SQL condition: a routing rule whose scope covers `area`."""
    scopes = [("area", area.code), ("city", "")]
    if area.prefecture_code:
        scopes.append(("prefecture", area.prefecture_code))
    return or_(*(and_(RoutingRule.scope == s, RoutingRule.scope_code == c) for s, c in scopes))


def rules_for(session: Session, service: ServiceType, area: AreaHit) -> list[RoutingRule]:
    """The rules that could route `service` from `area`, most specific first."""
    rules = session.scalars(
        select(RoutingRule).where(RoutingRule.service_type_id == service.id, applies_at(area))
    ).all()
    return sorted(rules, key=lambda r: SCOPE_PRECEDENCE[r.scope])


def route(
    session: Session, service: ServiceType, lon: float, lat: float, snap_m: float
) -> Decision:
    """Decide where a report of `service` at (lon, lat) goes, and why."""
    hit = area_index(session).locate(lon, lat, snap_m)
    rules = rules_for(session, service, hit)
    if not rules:
        raise NoRoute(f"no department handles {service.code} in {hit.code}")
    return Decision(hit, rules[0])


def route_cached(session: Session, service, lon: float, lat: float, snap_m: float) -> Decision:
    """`route` with the rules from this process's catalogue copy (no query): what filing a
    report uses. `service` is a catalogue entry; the decision's rule a RuleEntry."""
    from citizen_api.catalogue_cache import catalogue

    hit = area_index(session).locate(lon, lat, snap_m)
    rules = catalogue(session).rules_for(service.id, hit)
    if not rules:
        raise NoRoute(f"no department handles {service.code} in {hit.code}")
    return Decision(hit, rules[0])
