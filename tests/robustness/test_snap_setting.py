"""AREA_SNAP_METERS through the app: set to 0 in the environment, a point in the sea
150 m off Anfa's coastline is refused by every door a report or a lookup comes in by
(the native API, Open311, both service lists); with the default it is snapped to Anfa."""

from __future__ import annotations

import pytest

from tests.helpers import count_reports, just_outside, report
from tests.open311.conftest import V2, errors_of, issue

OUT_AT_SEA_M = 150  # inside the default snapping distance, outside every polygon


@pytest.fixture
def no_snapping(make_variant, monkeypatch):
    """The app built with AREA_SNAP_METERS=0 read from the environment, as in production."""
    monkeypatch.setenv("AREA_SNAP_METERS", "0")
    variant = make_variant()
    assert variant.config["AREA_SNAP_METERS"] == 0
    return variant


@pytest.fixture
def at_sea(app):
    lon, lat = just_outside(app, "anfa", metres=OUT_AT_SEA_M)
    return {"lat": lat, "long": lon}


def test_with_the_default_the_point_at_sea_is_snapped_to_anfa(app, client, at_sea):
    response = report(client, **at_sea)
    assert response.status_code == 201, response.json
    assert response.json["area"]["code"] == "anfa"


def test_with_snapping_off_a_report_at_sea_is_refused(no_snapping, at_sea):
    response = report(no_snapping.test_client(), **at_sea)
    assert response.status_code == 422, response.json
    assert response.json["type"].endswith("outside-city")
    assert set(response.json["errors"]) == {"lat", "long"}
    assert count_reports(no_snapping) == 0


def test_with_snapping_off_a_report_inside_anfa_is_still_taken(no_snapping, area_points):
    lon, lat = area_points["anfa"]
    response = report(no_snapping.test_client(), lat=lat, long=lon)
    assert response.status_code == 201
    assert response.json["area"]["code"] == "anfa"


def test_with_snapping_off_open311_refuses_a_request_at_sea(no_snapping, at_sea):
    key = issue(no_snapping)
    form = {"api_key": key, "service_code": "nid-de-poule"}
    form |= {"lat": str(at_sea["lat"]), "long": str(at_sea["long"])}
    response = no_snapping.test_client().post(f"{V2}/requests.json", data=form)
    assert response.status_code == 400
    errors = errors_of(response, "json")
    assert {e["code"] for e in errors} == {400}
    assert all("outside Casablanca" in e["description"] for e in errors)
    assert count_reports(no_snapping) == 0


def test_with_snapping_off_the_service_lists_at_that_point_are_refused(no_snapping, at_sea):
    client = no_snapping.test_client()
    native = client.get("/api/v1/services", query_string=at_sea)
    assert native.status_code == 422 and native.json["type"].endswith("outside-city")
    open311 = client.get(f"{V2}/services.json", query_string=at_sea)
    assert open311.status_code == 400
    assert "outside Casablanca" in errors_of(open311, "json")[0]["description"]
