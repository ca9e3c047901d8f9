"""Which area a point falls in: the areas' polygons in memory (an STRtree of prepared
shapes in a local metric projection), so a lookup costs microseconds instead of a
database round trip. The smallest containing area wins (the Méchouar inside Mers
Sultan); a point outside every polygon but within the snapping distance of one (the
coastline in the data is coarse) is snapped to the nearest. Free of Flask."""

from __future__ import annotations

import math
from dataclasses import dataclass

import shapely
from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Area
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


def rule_scopes(area: AreaHit) -> list[tuple[str, str]]:
    """The (scope, scope_code) pairs of the routing rules that cover `area`."""
    scopes = [("area", area.code), ("city", "")]
    if area.prefecture_code:
        scopes.append(("prefecture", area.prefecture_code))
    return scopes
