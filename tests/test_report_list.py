"""Browsing reports: filters, newest first, keyset pagination, GeoJSON."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from citizen_api.extensions import db
from tests.helpers import report


@pytest.fixture
def city(client, area_points):
    """Six reports across three areas and three services, filed in this order."""
    filed = []
    for area, service, attrs in [
        ("anfa", "nid-de-poule", {}),
        ("maarif", "eclairage-panne", {}),
        ("anfa", "bac-plein", {}),
        ("sidi-moumen", "nid-de-poule", {}),
        ("maarif", "nid-de-poule", {}),
        ("sidi-moumen", "bac-plein", {}),
    ]:
        lon, lat = area_points[area]
        response = report(client, service_code=service, lat=lat, long=lon, attributes=attrs)
        assert response.status_code == 201
        filed.append(response.json)
    return filed


def codes(response):
    assert response.status_code == 200, response.json
    return [item["tracking_code"] for item in response.json["items"]]


def test_lists_newest_first(client, city):
    assert codes(client.get("/api/v1/requests")) == [r["tracking_code"] for r in reversed(city)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("service_code=nid-de-poule", {0, 3, 4}),
        ("service_code=nid-de-poule,bac-plein", {0, 2, 3, 4, 5}),
        ("area=maarif", {1, 4}),
        ("department=proprete", {2, 5}),
        ("area=anfa&service_code=bac-plein", {2}),
        ("status=submitted", {0, 1, 2, 3, 4, 5}),
        ("status=resolved,closed", set()),
    ],
)
def test_filters_narrow_the_list(client, city, query, expected):
    assert set(codes(client.get(f"/api/v1/requests?{query}"))) == {
        city[i]["tracking_code"] for i in expected
    }


def test_bbox_keeps_only_points_inside(client, city, area_points):
    lon, lat = area_points["sidi-moumen"]
    bbox = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    assert set(codes(client.get(f"/api/v1/requests?bbox={bbox}"))) == {
        city[3]["tracking_code"],
        city[5]["tracking_code"],
    }


def test_radius_measures_metres_around_a_point(client, area_points):
    lon, lat = area_points["hay-hassani"]
    near = report(client, lat=lat, long=lon).json["tracking_code"]
    # ~300 m east: inside a 400 m radius, outside a 200 m one.
    east = report(client, lat=lat, long=lon + 300 / 92_770).json["tracking_code"]
    around = f"lat={lat}&long={lon}"
    assert set(codes(client.get(f"/api/v1/requests?{around}&radius=400"))) == {near, east}
    assert codes(client.get(f"/api/v1/requests?{around}&radius=200")) == [near]


def test_time_filters(client, app, city):
    with app.app_context():  # age the first three reports by a day
        db.session.execute(
            text(
                "UPDATE service_requests SET requested_at = :t, updated_at = :t WHERE id IN "
                "(SELECT id FROM service_requests ORDER BY id LIMIT 3)"
            ),
            {
                "t": (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).replace(tzinfo=None)
                if db.engine.dialect.name == "sqlite"
                else dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
            },
        )
        db.session.commit()
    cut = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    newer = {r["tracking_code"] for r in city[3:]}
    older = {r["tracking_code"] for r in city[:3]}
    from urllib.parse import quote

    assert set(codes(client.get(f"/api/v1/requests?created_after={quote(cut)}"))) == newer
    assert set(codes(client.get(f"/api/v1/requests?created_before={quote(cut)}"))) == older
    assert set(codes(client.get(f"/api/v1/requests?updated_after={quote(cut)}"))) == newer


def test_pages_follow_the_cursor_without_gaps_or_repeats(client, city):
    seen, url, pages = [], "/api/v1/requests?limit=4", 0
    while url:
        response = client.get(url)
        seen += codes(response)
        pages += 1
        cursor = response.json["next_cursor"]
        url = f"/api/v1/requests?limit=4&cursor={cursor}" if cursor else None
        if cursor:
            assert response.headers["Link"].endswith('rel="next"')
    assert pages == 2
    assert seen == [r["tracking_code"] for r in reversed(city)]


def test_cursor_pages_keep_their_filters(client, city):
    first = client.get("/api/v1/requests?service_code=nid-de-poule&limit=2")
    second = client.get(
        f"/api/v1/requests?service_code=nid-de-poule&limit=2&cursor={first.json['next_cursor']}"
    )
    assert codes(first) + codes(second) == [city[i]["tracking_code"] for i in (4, 3, 0)]
    assert second.json["next_cursor"] is None


def test_geojson_when_asked(client, city):
    response = client.get("/api/v1/requests?limit=2", headers={"Accept": "application/geo+json"})
    assert response.status_code == 200
    assert response.content_type == "application/geo+json"
    body = response.json
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 2
    newest = body["features"][0]
    assert newest["geometry"] == {"type": "Point", "coordinates": [city[5]["long"], city[5]["lat"]]}
    assert newest["properties"]["tracking_code"] == city[5]["tracking_code"]
    assert body["next_cursor"]


def test_bbox_and_status_pages_match_the_general_query(client, app):
    """The PostGIS grid path (bbox + status only) lists the same reports in the same
    order, page after page, as the general query (forced here by an always-true filter)."""
    import random

    rng = random.Random(311)
    filed = []
    for _ in range(40):  # around downtown, over several 0.01-degree cells
        lat, lon = 33.585 + rng.random() * 0.025, -7.625 + rng.random() * 0.025
        response = report(client, lat=round(lat, 6), long=round(lon, 6))
        assert response.status_code == 201
        filed.append(response.json["tracking_code"])
    with app.app_context():
        for i, code in enumerate(filed):  # a mix of statuses, stored directly
            status = ("submitted", "closed", "in_progress", "closed")[i % 4]
            db.session.execute(
                text("UPDATE service_requests SET status = :s WHERE tracking_code = :c"),
                {"s": status, "c": code},
            )
        db.session.commit()

    def pages(query):
        seen, cursor = [], None
        while True:
            url = f"/api/v1/requests?{query}&limit=3" + (f"&cursor={cursor}" if cursor else "")
            response = client.get(url)
            seen += codes(response)
            cursor = response.json["next_cursor"]
            if not cursor:
                return seen

    for _ in range(6):
        x, y = -7.63 + rng.random() * 0.03, 33.58 + rng.random() * 0.03
        side = rng.choice([0.004, 0.01, 0.02])
        bbox = f"{x:.4f},{y:.4f},{x + side:.4f},{y + side:.4f}"
        for status in ("closed", "submitted,in_progress", "closed,submitted"):
            fast = pages(f"bbox={bbox}&status={status}")
            general = pages(f"bbox={bbox}&status={status}&created_after=2000-01-01T00:00:00Z")
            assert fast == general
    everything = pages("bbox=-7.64,33.57,-7.59,33.62&status=closed,submitted,in_progress")
    assert sorted(everything) == sorted(filed)
