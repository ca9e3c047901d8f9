"""Hypothesis on routing: for any point and any service, the decision follows the rules
(smallest containing area; snapping only within the distance; the most specific rule),
checked against shapely's geometry on the shipped polygons, not against the index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import shape
from sqlalchemy import select

from citizen_api.cli.seed import AREAS_FILE
from citizen_api.domain.area_lookup import OutsideCity
from citizen_api.domain.routing import NoRoute, area_index, route
from citizen_api.extensions import db
from models import RoutingRule, ServiceType

SNAP_M = 300
FEATURES = json.loads(Path(AREAS_FILE).read_text(encoding="utf-8"))["features"]
POLYGONS = {f["properties"]["code"]: shape(f["geometry"]) for f in FEATURES}
# Metres per degree at Casablanca's latitude (33.57 N) on the WGS84 ellipsoid, worked out
# here rather than taken from the index's own projection; distances from the index may
# differ from these by a few tenths of a percent (its projection is rounder), not more.
M_PER_DEG_LON, M_PER_DEG_LAT = 92_850.0, 110_915.0
SLACK = 0.01  # relative
PROJECTED = {
    code: shapely.transform(p, lambda xy: xy * (M_PER_DEG_LON, M_PER_DEG_LAT))
    for code, p in POLYGONS.items()
}
MINX, MINY, MAXX, MAXY = shapely.union_all(list(POLYGONS.values())).bounds
PREFECTURES = {f["properties"]["code"]: f["properties"]["prefecture_code"] for f in FEATURES}
# The most specific rule wins: an area's own rule, else its préfecture's, else the city's.
PRECEDENCE = {"area": 0, "prefecture": 1, "city": 2}
PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=list(HealthCheck)
)

# Points in and around the city (the box grown by ~2 km), where every case happens.
near_city = st.tuples(
    st.floats(MINX - 0.02, MAXX + 0.02, allow_nan=False),
    st.floats(MINY - 0.02, MAXY + 0.02, allow_nan=False),
)
far_away = st.tuples(
    st.floats(-180, 180, allow_nan=False), st.floats(-90, 90, allow_nan=False)
).filter(lambda p: not (MINX - 0.1 < p[0] < MAXX + 0.1 and MINY - 0.1 < p[1] < MAXY + 0.1))


@pytest.fixture(scope="module")
def index(app):
    with app.app_context():
        return area_index(db.session)


@pytest.mark.parametrize("snap_m", [SNAP_M, 0])
@PROPERTY_SETTINGS
@given(point=near_city)
def test_a_point_goes_to_the_smallest_area_containing_it_or_is_snapped_or_refused(
    index, snap_m, point
):
    lon, lat = point
    projected = shapely.Point(lon * M_PER_DEG_LON, lat * M_PER_DEG_LAT)
    strictly_inside = [c for c, p in PROJECTED.items() if p.contains(projected)]
    nearest = min(p.distance(projected) for p in PROJECTED.values())
    try:
        hit = index.locate(lon, lat, snap_m)
    except OutsideCity as exc:
        assert not strictly_inside
        assert nearest > snap_m * (1 - SLACK) - 0.01
        if exc.distance_m is not None:
            assert exc.distance_m > snap_m
            assert abs(exc.distance_m - nearest) <= nearest * SLACK + 0.1
        return
    distance = PROJECTED[hit.code].distance(projected)
    if hit.snapped_m == 0:
        assert distance < 0.01  # in the area, or on its border
        if strictly_inside:  # on a shared border either neighbour is right
            smallest = min(strictly_inside, key=lambda c: PROJECTED[c].area)
            assert PROJECTED[hit.code].area <= PROJECTED[smallest].area + 1e-6
    else:
        assert not strictly_inside
        assert 0 < hit.snapped_m <= snap_m
        assert abs(hit.snapped_m - distance) <= distance * SLACK + 0.1
        assert distance <= nearest * (1 + SLACK) + 1.0  # the nearest area, or a near tie


@PROPERTY_SETTINGS
@given(point=far_away)
def test_a_point_far_from_casablanca_is_always_refused(index, point):
    with pytest.raises(OutsideCity):
        index.locate(point[0], point[1], SNAP_M)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_most_specific_rule_covering_the_area_decides(app, index, data):
    with app.app_context():
        services = db.session.scalars(select(ServiceType).order_by(ServiceType.code)).all()
        service = data.draw(st.sampled_from(services), label="service")
        code = data.draw(st.sampled_from(sorted(POLYGONS)), label="area")
        point = POLYGONS[code].representative_point()
        try:
            decision = route(db.session, service, point.x, point.y, SNAP_M)
        except NoRoute:
            decision = None
        rules = db.session.scalars(
            select(RoutingRule).where(RoutingRule.service_type_id == service.id)
        ).all()
        # The area, found with shapely: the smallest polygon containing the point.
        inside = [c for c, p in POLYGONS.items() if p.contains(point)]
        area = min(inside, key=lambda c: PROJECTED[c].area)
        covering = [
            r
            for r in rules
            if (r.scope, r.scope_code)
            in {("area", area), ("prefecture", PREFECTURES[area]), ("city", "")}
        ]
        if not covering:
            assert decision is None
            return
        best = min(PRECEDENCE[r.scope] for r in covering)
        assert decision is not None
        assert PRECEDENCE[decision.rule.scope] == best
        assert decision.rule.id in {r.id for r in covering}
        assert decision.area.code == area
