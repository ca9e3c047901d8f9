"""Before filing, a resident sees the same problem already reported nearby and can say
"me too"; clerks see the same list for a ticket; supporters raise triage priority."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from citizen_api.duplicates import nearby_for_ticket, priority_boost
from citizen_api.extensions import db
from models import ServiceType
from tests.helpers import DOWNTOWN, db_time, report, stored_report

LAT, LONG = DOWNTOWN["lat"], DOWNTOWN["long"]
M_PER_DEG_LAT = 110_574


def north(metres: float) -> float:
    return LAT + metres / M_PER_DEG_LAT


def nearby(client, **params):
    query = {"lat": LAT, "long": LONG, "service_code": "nid-de-poule", **params}
    return client.get("/api/v1/requests/nearby", query_string=query)


def filed(client, metres=0.0, **fields) -> str:
    response = report(client, lat=north(metres), **fields)
    assert response.status_code == 201, response.json
    return response.json["tracking_code"]


def set_status(app, code, status):
    with app.app_context():
        stored_report(code).status = status
        db.session.commit()


def test_open_reports_of_the_same_kind_nearby_come_nearest_first(app, client):
    far_in_radius = filed(client, 200)
    closest = filed(client, 30)
    filed(client, 400)  # beyond the 250 m default
    filed(client, 50, service_code="eclairage-panne")  # another problem
    set_status(app, filed(client, 10), "resolved")  # already fixed

    response = nearby(client)

    assert response.status_code == 200
    assert response.json["radius_m"] == 250 and response.json["days"] == 30
    items = response.json["items"]
    assert [i["tracking_code"] for i in items] == [closest, far_in_radius]
    assert 25 < items[0]["distance_m"] < 35
    assert items[0]["service_name"] == "Nid-de-poule"


def test_reports_older_than_30_days_are_not_offered(app, client):
    old = filed(client, 20)
    recent = filed(client, 40)
    with app.app_context():
        when = db_time(dt.datetime.now(dt.UTC) - dt.timedelta(days=31))
        db.session.execute(
            text("UPDATE service_requests SET requested_at = :when WHERE tracking_code = :code"),
            {"when": when, "code": old},
        )
        db.session.commit()
    assert [i["tracking_code"] for i in nearby(client).json["items"]] == [recent]


@pytest.fixture
def wide_pothole_radius(app):
    with app.app_context():
        service = db.session.scalar(select(ServiceType).where(ServiceType.code == "nid-de-poule"))
        service.duplicate_radius_m = 600
        db.session.commit()
    yield 600
    with app.app_context():
        service = db.session.scalar(select(ServiceType).where(ServiceType.code == "nid-de-poule"))
        service.duplicate_radius_m = 250
        db.session.commit()


def test_the_radius_is_set_per_service_type(client, wide_pothole_radius):
    code = filed(client, 450)
    response = nearby(client)
    assert response.json["radius_m"] == 600
    assert [i["tracking_code"] for i in response.json["items"]] == [code]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"service_code": "volcan"}, "service_code"), ({"lat": "nord"}, "lat"), ({"x": "1"}, "x")],
)
def test_a_bad_nearby_question_is_a_clear_422(client, params, field):
    response = nearby(client, **params)
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_clerks_see_the_possible_duplicates_of_a_ticket(app, client):
    ticket = filed(client, 0)
    twin = filed(client, 60)
    with app.app_context():
        found = nearby_for_ticket(db.session, stored_report(ticket))
        assert [(r.tracking_code, round(d, -1)) for r, d in found] == [(twin, 60.0)]


def support(client, code, device="device-0001-abcd"):
    return client.post(f"/api/v1/requests/{code}/supporters", json={"device_id": device})


def test_me_too_counts_once_per_device(app, client):
    code = filed(client)
    before = client.get(f"/api/v1/requests/{code}").json["updated_at"]

    first = support(client, code)
    again = support(client, code)
    other = support(client, code, "device-0002-efgh")

    assert (first.status_code, first.json["supporters"], first.json["counted"]) == (201, 1, True)
    assert (again.status_code, again.json["supporters"], again.json["counted"]) == (200, 1, False)
    assert (other.status_code, other.json["supporters"]) == (201, 2)
    shown = client.get(f"/api/v1/requests/{code}").json
    assert shown["supporters"] == 2
    assert shown["updated_at"] == before  # support is not a change of the report
    with app.app_context():
        stored = db.session.execute(text("SELECT device_hash FROM report_supporters")).scalars()
        assert all("device" not in h for h in stored)  # device ids are kept hashed only


def test_invented_device_ids_never_raise_triage_priority(app, client):
    """Seven made-up device ids used to take a ticket from normal to urgent; they are
    counted publicly but add nothing to priority (tests/duplicates/test_verified_support
    shows what does)."""
    code = filed(client)
    for n in range(8):
        assert support(client, code, f"device-{n:04d}-xyz").json["raises_priority"] is False
    with app.app_context():
        found = stored_report(code)
        assert (found.supporters_count, priority_boost(found)) == (8, 0)


def test_a_closed_report_takes_no_support(app, client):
    code = filed(client)
    set_status(app, code, "resolved")
    response = support(client, code)
    assert response.status_code == 409
    assert client.get(f"/api/v1/requests/{code}").json["supporters"] == 0


@pytest.mark.parametrize("body", [{}, {"device_id": "short"}, {"device_id": 42}])
def test_a_bad_supporter_is_a_clear_422(client, body):
    code = filed(client)
    response = client.post(f"/api/v1/requests/{code}/supporters", json=body)
    assert response.status_code == 422
    assert "device_id" in response.json["errors"]


def test_support_for_an_unknown_report_is_a_404(client):
    assert support(client, "ZZZZ-ZZZZ").status_code == 404
