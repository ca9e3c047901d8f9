"""Routing: the point picks the area, the most specific rule picks the department."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from citizen_api.domain.area_lookup import OutsideCity
from citizen_api.domain.routing import area_index
from citizen_api.extensions import db
from models import Department, RoutingRule, ServiceRequest, ServiceType
from tests.helpers import just_outside, report

ALL_AREAS = [
    "anfa",
    "maarif",
    "sidi-belyout",
    "al-fida",
    "mers-sultan",
    "ain-sebaa",
    "roches-noires",
    "hay-mohammadi",
    "hay-hassani",
    "ain-chock",
    "sidi-bernoussi",
    "sidi-moumen",
    "ben-msick",
    "sbata",
    "moulay-rachid",
    "sidi-othmane",
    "mechouar",
]


@pytest.mark.parametrize("area", ALL_AREAS)
def test_a_report_inside_each_area_is_routed_to_it(client, area_points, area):
    lon, lat = area_points[area]
    response = report(client, service_code="trottoir-degrade", lat=lat, long=lon)
    assert response.status_code == 201, response.json
    assert response.json["area"]["code"] == area
    # Sidewalks belong to the technical division of the area itself.
    assert response.json["department"]["code"] == f"dt-{area}"


def test_the_mechouar_wins_over_mers_sultan_that_surrounds_it(client, area_points):
    lon, lat = area_points["mechouar"]
    index_hits = area_index_codes_containing(client, lon, lat)
    assert set(index_hits) == {"mechouar", "mers-sultan"}  # the data really nests them
    assert report(client, lat=lat, long=lon).json["area"]["code"] == "mechouar"


def area_index_codes_containing(client, lon, lat):
    with client.application.app_context():
        rows = db.session.execute(
            text(
                "SELECT code FROM areas WHERE ST_Contains(geom, ST_GeomFromText(:wkt, 4326)) = 1"
                if db.engine.dialect.name == "sqlite"
                else "SELECT code FROM areas WHERE ST_Contains(geom, ST_GeomFromText(:wkt, 4326))"
            ),
            {"wkt": f"POINT({lon} {lat})"},
        )
        return [r.code for r in rows]


def test_in_process_lookup_agrees_with_the_database(client):
    """The fast in-memory index and the database's ST_Contains pick the same area."""
    with client.application.app_context():
        index = area_index(db.session)
        checked = 0
        for i in range(12):
            for j in range(12):
                lon, lat = -7.72 + i * 0.018, 33.50 + j * 0.012
                in_db = area_index_codes_containing(client, lon, lat)
                if not in_db:
                    continue
                smallest = index.locate(lon, lat).code
                assert smallest in in_db
                checked += 1
        assert checked > 60


@pytest.fixture
def extra_rules(app):
    """Temporary préfecture- and area-level rules for fuite-eau, removed afterwards."""
    with app.app_context():
        service = db.session.scalar(select(ServiceType).where(ServiceType.code == "fuite-eau"))
        dept = {d.code: d for d in db.session.scalars(select(Department))}
        rules = [
            RoutingRule(
                service_type_id=service.id,
                scope="prefecture",
                scope_code="casablanca-anfa",
                department_id=dept["dt-anfa"].id,
            ),
            RoutingRule(
                service_type_id=service.id,
                scope="area",
                scope_code="maarif",
                department_id=dept["dt-maarif"].id,
            ),
        ]
        db.session.add_all(rules)
        db.session.commit()
        ids = [r.id for r in rules]
    yield
    with app.app_context():
        db.session.execute(text("UPDATE service_requests SET routing_rule_id = NULL"))
        for rule_id in ids:
            db.session.delete(db.session.get(RoutingRule, rule_id))
        db.session.commit()


@pytest.mark.parametrize(
    ("area", "department", "scope"),
    [
        ("maarif", "dt-maarif", "area maarif"),  # area rule beats préfecture and city
        ("anfa", "dt-anfa", "prefecture casablanca-anfa"),  # préfecture beats city
        ("hay-hassani", "eau-assainissement", "the whole city"),  # only the city rule
    ],
)
def test_the_most_specific_rule_wins_and_the_reason_is_kept(
    client, app, area_points, extra_rules, area, department, scope
):
    lon, lat = area_points[area]
    body = {"lat": lat, "long": lon, "attributes": {"source": "chaussee"}}
    response = report(client, service_code="fuite-eau", **body)
    assert response.status_code == 201
    assert response.json["department"]["code"] == department
    with app.app_context():
        stored = db.session.scalar(
            select(ServiceRequest).where(
                ServiceRequest.tracking_code == response.json["tracking_code"]
            )
        )
        assert f"point inside area {area}" in stored.routing_reason
        assert f"fuite-eau in {scope} -> {department}" in stored.routing_reason
        assert stored.routing_rule.department.code == department


def test_a_point_just_off_the_coast_is_snapped_and_says_so(client, app):
    # ~150 m north of Anfa's coarse coastline, in the sea.
    lon, lat = just_outside(app, "anfa", metres=150)
    response = report(client, lat=lat, long=lon)
    assert response.status_code == 201
    assert response.json["area"]["code"] == "anfa"
    assert (response.json["lat"], response.json["long"]) == (lat, lon)  # kept as sent
    with app.app_context():
        reason = db.session.scalar(select(ServiceRequest.routing_reason))
    assert "outside area anfa, snapped to it" in reason


def test_a_point_beyond_the_snapping_distance_is_refused(client, app):
    lon, lat = just_outside(app, "anfa", metres=2000)
    response = report(client, lat=lat, long=lon)
    assert response.status_code == 422
    assert response.json["type"].endswith("outside-city")
    assert "outside Casablanca" in response.json["detail"]
    # It says how far: 2 km north of the northernmost vertex, so at most 2.0 km from
    # the city and, the coast running east-west there, not much less.
    away = re.search(r"\(about (\d+\.\d) km away\)", response.json["detail"])
    assert away and 1.5 <= float(away.group(1)) <= 2.0, response.json["detail"]


def test_snapping_can_be_turned_off(app):
    with app.app_context():
        lon, lat = just_outside(app, "anfa", metres=150)
        with pytest.raises(OutsideCity):
            area_index(db.session).locate(lon, lat, snap_m=0)


@pytest.mark.parametrize("order", [1, -1])
def test_a_point_as_far_from_two_areas_snaps_to_the_smaller(order):
    # Two made-up areas on either side of the point, their nearest edges both exactly
    # 0.5 degrees of longitude away (about 46 km): a tie, which the smaller area wins.
    from shapely.geometry import box

    from citizen_api.domain.area_lookup import AreaIndex

    big = (1, "big", None, box(-1.5, -0.5, -0.5, 0.5))
    small = (2, "small", None, box(0.5, -0.1, 0.75, 0.1))
    index = AreaIndex([big, small][::order])
    hit = index.locate(0.0, 0.0, snap_m=100_000)
    assert (hit.code, hit.area_id) == ("small", 2)
    assert 40_000 < hit.snapped_m < 50_000


def test_without_a_snapping_distance_a_point_just_outside_is_refused():
    from shapely.geometry import box

    from citizen_api.domain.area_lookup import AreaIndex

    index = AreaIndex([(1, "square", None, box(0.0, 0.0, 0.01, 0.01))])
    assert index.locate(0.005, 0.005).code == "square"
    with pytest.raises(OutsideCity) as refused:
        index.locate(0.005, 0.01 + 0.5 / 110_574)  # half a metre north: no snapping
    assert 0.3 < refused.value.distance_m < 0.7
