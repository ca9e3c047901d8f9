"""The catalogue (/api/v1/services) and the areas (/api/v1/areas), as residents see them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from citizen_api.extensions import db
from models import Department, RoutingRule, ServiceType


def test_the_catalogue_lists_the_twelve_starting_services_in_french(client):
    response = client.get("/api/v1/services")
    assert response.status_code == 200
    items = {s["code"]: s for s in response.json["items"]}
    assert len(items) == 12
    pothole = items["nid-de-poule"]
    assert pothole["name"] == "Nid-de-poule"
    assert pothole["group"] == "Voirie et trottoirs"
    assert pothole["sla_hours"] == 72
    assert "pothole" in pothole["keywords"] and "حفرة" in pothole["keywords"]
    assert response.headers["Content-Language"] == "fr"


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ({"query_string": {"lang": "ar"}}, "عطل في الإنارة العمومية"),
        ({"query_string": {"lang": "en"}}, "Street light out"),
        ({"headers": {"Accept-Language": "ar-MA,ar;q=0.9,fr;q=0.5"}}, "عطل في الإنارة العمومية"),
        ({"headers": {"Accept-Language": "es"}}, "Éclairage public en panne"),  # fallback
        (
            {"headers": {"Accept-Language": "ar"}, "query_string": {"lang": "en"}},
            "Street light out",
        ),
    ],
)
def test_names_follow_lang_then_accept_language(client, how, expected):
    items = client.get("/api/v1/services", **how).json["items"]
    assert {s["code"]: s["name"] for s in items}["eclairage-panne"] == expected


def test_one_service_describes_its_typed_attributes(client):
    response = client.get("/api/v1/services/depot-sauvage?lang=en")
    assert response.status_code == 200
    (nature,) = response.json["attributes"]
    assert nature["code"] == "nature" and nature["datatype"] == "multivaluelist"
    assert nature["required"] is True and nature["description"] == "Kind of waste"
    assert {"key": "gravats", "name": "Rubble"} in nature["values"]


def test_an_unknown_service_is_404(client):
    response = client.get("/api/v1/services/licorne")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


@pytest.fixture
def anfa_only_service(app):
    """A service routed in Anfa only (no city-wide rule)."""
    with app.app_context():
        service = ServiceType(
            code="plage-sale",
            name_fr="Plage sale",
            name_ar="شاطئ متسخ",
            group_fr="Propreté",
            group_ar="النظافة",
            sla_hours=48,
        )
        db.session.add(service)
        db.session.flush()
        proprete = db.session.scalar(select(Department).where(Department.code == "proprete"))
        db.session.add(
            RoutingRule(
                service_type_id=service.id,
                scope="area",
                scope_code="anfa",
                department_id=proprete.id,
            )
        )
        db.session.commit()
        service_id = service.id
    yield
    with app.app_context():
        db.session.delete(db.session.get(ServiceType, service_id))
        db.session.commit()


def test_services_at_a_point_are_those_routed_there(client, area_points, anfa_only_service):
    def codes_at(area):
        lon, lat = area_points[area]
        response = client.get(f"/api/v1/services?lat={lat}&long={lon}")
        assert response.status_code == 200
        return {s["code"] for s in response.json["items"]}

    assert "plage-sale" in codes_at("anfa")
    assert "plage-sale" not in codes_at("sidi-moumen")
    assert len(codes_at("sidi-moumen")) == 12
    # ...and a report of it elsewhere is refused rather than sent nowhere.
    lon, lat = area_points["sidi-moumen"]
    refused = client.post(
        "/api/v1/requests", json={"service_code": "plage-sale", "lat": lat, "long": lon}
    )
    assert refused.status_code == 422
    assert refused.json["type"].endswith("service-unavailable-here")
    assert refused.json["errors"] == {"service_code": ["plage-sale is not handled at this place."]}
    assert refused.json["detail"] == "no department handles plage-sale in sidi-moumen"


def test_services_at_a_point_outside_the_city_is_422(client):
    response = client.get("/api/v1/services?lat=34.02&long=-6.84")
    assert response.status_code == 422
    assert response.json["type"].endswith("outside-city")


def test_areas_are_a_geojson_feature_collection(client):
    response = client.get("/api/v1/areas?lang=ar")
    assert response.status_code == 200
    assert response.content_type == "application/geo+json"
    features = response.json["features"]
    assert len(features) == 17
    anfa = next(f for f in features if f["id"] == "anfa")
    assert anfa["geometry"]["type"] == "MultiPolygon"
    lon, lat = anfa["geometry"]["coordinates"][0][0][0]
    assert -7.8 < lon < -7.4 and 33.4 < lat < 33.7
    assert anfa["properties"]["name"] == "أنفا"
    assert anfa["properties"]["prefecture_code"] == "casablanca-anfa"


def test_one_area_and_an_unknown_one(client):
    mechouar = client.get("/api/v1/areas/mechouar")
    assert mechouar.status_code == 200
    assert mechouar.json["properties"]["kind"] == "commune"
    assert mechouar.json["properties"]["prefecture_code"] is None
    assert client.get("/api/v1/areas/atlantis").status_code == 404
