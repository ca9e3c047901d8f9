"""Publishing, updating, cancelling and reading area alerts over the API."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from citizen_api.extensions import db
from models import Alert
from tests.alerts.conftest import publish, soon, water_cut
from tests.helpers import square

MAARIF_POINT = (-7.6400, 33.5790)  # lon, lat: boulevard d'Anfa side of Maârif


def alerts_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Alert.id)))


def test_a_supervisor_publishes_the_issues_example_and_gets_it_back(client, supervisor):
    response = publish(client, supervisor)
    assert response.status_code == 201, response.get_json()
    alert = response.get_json()
    assert isinstance(alert["id"], int)
    assert response.headers["Location"] == f"/api/v1/alerts/{alert['id']}"
    assert response.headers["ETag"] == f'"alert-{alert["id"]}.1"'
    assert (alert["kind"], alert["severity"], alert["areas"]) == (
        "water_cut",
        "moderate",
        ["maarif"],
    )
    assert alert["services"] == ["fuite-eau"]
    assert alert["headline"]["ar"] == "انقطاع الماء بالمعاريف"
    assert alert["live"] is True and alert["msg_type"] == "Alert"
    again = client.get(f"/api/v1/alerts/{alert['id']}")
    assert again.status_code == 200 and again.get_json()["headline"] == alert["headline"]


@pytest.mark.parametrize("who", [None, "alerts-clerk"])
def test_only_supervisors_and_admins_publish(app, client, alert_tokens, who):
    headers = alert_tokens[who] if who else {}
    response = publish(client, headers)
    assert response.status_code == (401 if who is None else 403)
    assert response.mimetype == "application/problem+json"
    assert alerts_count(app) == 0


def test_an_admin_publishes_too(client, alert_tokens):
    assert publish(client, alert_tokens["alerts-admin"]).status_code == 201


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"areas": ["atlantis"]}, "areas"),
        ({"services": ["fuite-de-biere"]}, "services"),
        ({"starts_at": soon(5), "ends_at": soon(2)}, "ends_at"),
        ({"starts_at": soon(-10), "ends_at": soon(-2)}, "ends_at"),
        ({"areas": [], "polygon": None}, "areas"),
        ({"kind": "alien_invasion"}, "kind"),
        ({"starts_at": "2026-12-02T08:00:00"}, "starts_at"),  # no timezone
        ({"headline": {"en": "English only"}}, "headline.fr"),
        ({"text": {"fr": "x", "de": "Deutsch"}}, "text.de"),  # fr, ar, en only
        ({"status": "published"}, "status"),  # unknown on creation
    ],
)
def test_bad_alerts_are_422_naming_the_field_and_nothing_is_published(
    app, client, supervisor, overrides, field
):
    response = publish(client, supervisor, **overrides)
    assert response.status_code == 422, response.get_json()
    problem = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert field in problem["errors"], problem
    assert alerts_count(app) == 0


def test_a_drawn_polygon_covers_the_areas_it_touches(client, supervisor):
    polygon = square(*MAARIF_POINT)
    response = publish(client, supervisor, areas=[], polygon=polygon, kind="road_works")
    assert response.status_code == 201, response.get_json()
    alert = response.get_json()
    assert alert["areas"] == [] and "maarif" in alert["covered_areas"]
    inside = client.get(
        "/api/v1/alerts",
        query_string={"long": MAARIF_POINT[0] + 0.002, "lat": MAARIF_POINT[1] + 0.002},
    )
    assert [a["id"] for a in inside.get_json()["items"]] == [alert["id"]]
    # Elsewhere in Maârif, outside the drawn square: not covered.
    outside = client.get(
        "/api/v1/alerts",
        query_string={"long": MAARIF_POINT[0] - 0.01, "lat": MAARIF_POINT[1] - 0.004},
    )
    assert outside.get_json()["items"] == []


@pytest.mark.parametrize(
    ("polygon", "words"),
    [
        # A bow tie: its edges cross.
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[-7.64, 33.57], [-7.63, 33.58], [-7.63, 33.57], [-7.64, 33.58], [-7.64, 33.57]]
                ],
            },
            "not valid",
        ),
        (square(-6.85, 34.02), "inside Casablanca"),  # Rabat
        ({"type": "Point", "coordinates": [-7.64, 33.57]}, "GeoJSON Polygon"),
        ({"type": "Polygon", "coordinates": [[[-7.64, 33.57], [-7.63, 33.58]]]}, "at least 4"),
    ],
)
def test_bad_polygons_are_refused_with_the_reason(app, client, supervisor, polygon, words):
    response = publish(client, supervisor, polygon=polygon)
    assert response.status_code == 422
    assert words in " ".join(response.get_json()["errors"]["polygon"])
    assert alerts_count(app) == 0


def test_a_polygon_with_too_many_vertices_is_refused(app, client, supervisor):
    import math

    lon, lat = MAARIF_POINT
    ring = [
        [
            lon + 0.003 * math.cos(t / 600 * 2 * math.pi),
            lat + 0.003 * math.sin(t / 600 * 2 * math.pi),
        ]
        for t in range(600)
    ]
    ring.append(ring[0])
    response = publish(client, supervisor, polygon={"type": "Polygon", "coordinates": [ring]})
    assert response.status_code == 422
    assert "at most 500" in response.get_json()["errors"]["polygon"][0]
    huge = [[lon, lat]] * 100_000
    response = publish(client, supervisor, polygon={"type": "Polygon", "coordinates": [huge]})
    assert response.status_code in (413, 422)  # the body limit or the vertex count
    assert response.mimetype == "application/problem+json"
    assert alerts_count(app) == 0


def test_the_list_keeps_live_and_upcoming_alerts_and_those_at_a_point(client, supervisor):
    live = publish(client, supervisor).get_json()
    upcoming = publish(
        client,
        supervisor,
        areas=["sidi-moumen"],
        kind="power_cut",
        services=["eclairage-panne"],
        starts_at=soon(24),
        ends_at=soon(30),
    ).get_json()
    items = client.get("/api/v1/alerts").get_json()["items"]
    assert [a["id"] for a in items] == [live["id"], upcoming["id"]]
    assert [a["live"] for a in items] == [True, False]
    at = client.get(
        "/api/v1/alerts", query_string={"long": MAARIF_POINT[0], "lat": MAARIF_POINT[1]}
    )
    assert [a["id"] for a in at.get_json()["items"]] == [live["id"]]
    assert client.get("/api/v1/alerts", query_string={"lat": 33.5}).status_code == 422


def test_the_list_as_geojson_is_a_feature_collection(client, supervisor):
    created = publish(client, supervisor).get_json()
    response = client.get("/api/v1/alerts", headers={"Accept": "application/geo+json"})
    assert response.mimetype == "application/geo+json"
    collection = response.get_json()
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["properties"]["id"] == created["id"]
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    from shapely.geometry import Point, shape

    assert shape(feature["geometry"]).contains(Point(*MAARIF_POINT))


def _patch(client, headers, alert_id, etag, **body):
    return client.patch(
        f"/api/v1/alerts/{alert_id}", json=body, headers={**headers, "If-Match": etag}
    )


def test_an_update_needs_the_current_etag(client, supervisor):
    created = publish(client, supervisor)
    alert_id, etag = created.get_json()["id"], created.headers["ETag"]
    no_etag = client.patch(
        f"/api/v1/alerts/{alert_id}", json={"severity": "severe"}, headers=supervisor
    )
    assert no_etag.status_code == 428
    first = _patch(client, supervisor, alert_id, etag, severity="severe", ends_at=soon(20))
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["severity"] == "severe" and first.get_json()["msg_type"] == "Update"
    assert first.headers["ETag"] == f'"alert-{alert_id}.2"'
    stale = _patch(client, supervisor, alert_id, etag, severity="minor")
    assert stale.status_code == 412
    assert client.get(f"/api/v1/alerts/{alert_id}").get_json()["severity"] == "severe"


def test_a_bad_update_changes_nothing(client, supervisor):
    created = publish(client, supervisor)
    alert_id, etag = created.get_json()["id"], created.headers["ETag"]
    response = _patch(client, supervisor, alert_id, etag, ends_at=soon(-5))
    assert response.status_code == 422 and "ends_at" in response.get_json()["errors"]
    after = client.get(f"/api/v1/alerts/{alert_id}")
    assert after.headers["ETag"] == etag


def test_a_partial_translation_update_keeps_the_other_languages(client, supervisor):
    created = publish(client, supervisor)
    alert_id, etag = created.get_json()["id"], created.headers["ETag"]
    response = _patch(client, supervisor, alert_id, etag, headline={"en": "Water cut, Maarif"})
    headline = response.get_json()["headline"]
    assert headline["en"] == "Water cut, Maarif" and headline["fr"] == "Coupure d'eau à Maârif"


def test_a_cancelled_alert_leaves_the_list_and_cannot_change(client, supervisor):
    created = publish(client, supervisor)
    alert_id, etag = created.get_json()["id"], created.headers["ETag"]
    cancelled = _patch(client, supervisor, alert_id, etag, status="cancelled")
    assert cancelled.status_code == 200
    assert cancelled.get_json()["status"] == "cancelled"
    assert cancelled.get_json()["msg_type"] == "Cancel"
    assert client.get("/api/v1/alerts").get_json()["items"] == []
    again = _patch(client, supervisor, alert_id, cancelled.headers["ETag"], severity="minor")
    assert again.status_code == 409


def test_a_clerk_cannot_update_and_an_unknown_alert_is_404(client, supervisor, alert_tokens):
    created = publish(client, supervisor)
    alert_id, etag = created.get_json()["id"], created.headers["ETag"]
    assert (
        _patch(client, alert_tokens["alerts-clerk"], alert_id, etag, severity="minor").status_code
        == 403
    )
    assert client.get("/api/v1/alerts/999999").status_code == 404
    assert _patch(client, supervisor, 999999, etag, severity="minor").status_code == 404


def test_an_unknown_field_in_an_update_is_refused(client, supervisor):
    created = publish(client, supervisor)
    response = _patch(
        client, supervisor, created.get_json()["id"], created.headers["ETag"], version=7
    )
    assert response.status_code == 422 and "version" in response.get_json()["errors"]


def test_the_example_body_validates_as_documented(client, supervisor):
    body = water_cut()
    assert set(body) == {
        "kind",
        "severity",
        "areas",
        "services",
        "starts_at",
        "ends_at",
        "headline",
        "text",
    }
