"""Bad input gets a clear problem+json 4xx naming what to fix, and changes nothing."""

from __future__ import annotations

import json

import pytest

from tests.helpers import DOWNTOWN, count_reports

VALID = {"service_code": "nid-de-poule", **DOWNTOWN}


def body(**changes):
    data = {**VALID, **changes}
    return {k: v for k, v in data.items() if v is not ...}


CASES = [
    # (case id, JSON body, status, field named in errors)
    ("missing service_code", body(service_code=...), 422, "service_code"),
    ("missing lat", body(lat=...), 422, "lat"),
    ("missing long", body(long=...), 422, "long"),
    ("service_code not a string", body(service_code=12), 422, "service_code"),
    ("lat as a string", body(lat="33.59"), 422, "lat"),
    ("long as a boolean", body(long=True), 422, "long"),
    ("lat above 90", body(lat=91), 422, "lat"),
    ("long below -180", body(long=-181.5), 422, "long"),
    (
        "lat overflowing to infinity",
        '{"service_code": "nid-de-poule", "lat": 1e999, "long": -7.6}',
        422,
        "lat",
    ),
    ("lat NaN", '{"service_code": "nid-de-poule", "lat": NaN, "long": -7.6}', 422, "lat"),
    (
        "long Infinity",
        '{"service_code": "nid-de-poule", "lat": 33.5, "long": -Infinity}',
        422,
        "long",
    ),
    ("status is server-set", body(status="closed"), 422, "status"),
    ("area is server-set", body(area="anfa"), 422, "area"),
    ("department is server-set", body(department="voirie"), 422, "department"),
    ("tracking_code is server-set", body(tracking_code="AAAA-BBBB"), 422, "tracking_code"),
    ("point in Rabat", body(lat=34.0209, long=-6.8416), 422, "lat"),
    ("point at sea", body(lat=33.70, long=-7.60), 422, "lat"),
    ("unknown service", body(service_code="licorne"), 422, "service_code"),
    ("required attribute missing", body(service_code="depot-sauvage"), 422, "nature"),
    (
        "value not in the list",
        body(service_code="nid-de-poule", attributes={"taille": "geant"}),
        422,
        "taille",
    ),
    (
        "multi-value with an unknown value",
        body(service_code="depot-sauvage", attributes={"nature": ["gravats", "uranium"]}),
        422,
        "nature",
    ),
    (
        "number attribute given text",
        body(service_code="eclairage-panne", attributes={"nombre_lampadaires": "beaucoup"}),
        422,
        "nombre_lampadaires",
    ),
    (
        "datetime attribute without timezone",
        body(service_code="vehicule-abandonne", attributes={"vu_depuis": "2026-01-01T10:00:00"}),
        422,
        "vu_depuis",
    ),
    ("unknown attribute", body(attributes={"couleur": "rouge"}), 422, "couleur"),
    ("attributes not an object", body(attributes=["taille"]), 422, "attributes"),
    ("description over 4,000 characters", body(description="x" * 4001), 422, "description"),
    ("address over 300 characters", body(address="x" * 301), 422, "address"),
    ("phone that is not a number", body(phone="appelez-moi"), 422, "phone"),
    ("phone with too few digits", body(phone="06123"), 422, "phone"),
    ("fixed-line phone", body(phone="0522123456"), 422, "phone"),
    ("unknown language", body(lang="es"), 422, "lang"),
    ("a list instead of an object", [VALID], 422, "_schema"),
]


@pytest.mark.parametrize(("case", "payload", "status", "field"), CASES, ids=[c[0] for c in CASES])
def test_bad_report_is_refused_with_the_field_named(client, app, case, payload, status, field):
    data = payload if isinstance(payload, str) else json.dumps(payload)
    response = client.post("/api/v1/requests", data=data, content_type="application/json")
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    problem = response.json
    assert problem["status"] == status and problem["title"] and problem["detail"]
    assert field in problem["errors"], problem
    assert all(isinstance(m, str) and m for m in problem["errors"][field])
    assert count_reports(app) == 0


def test_a_body_that_is_not_json_is_400(client, app):
    response = client.post("/api/v1/requests", data="{lat: 1", content_type="application/json")
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert count_reports(app) == 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_of_another_type_is_415(client, app, content_type):
    response = client.post(
        "/api/v1/requests", data=json.dumps(VALID), headers={"Content-Type": content_type or ""}
    )
    assert response.status_code == 415
    assert "application/json" in response.json["detail"]
    assert count_reports(app) == 0


def test_a_body_over_the_size_limit_is_413(client, app):
    huge = json.dumps({**VALID, "description": "x" * 300_000})
    response = client.post("/api/v1/requests", data=huge, content_type="application/json")
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"
    assert count_reports(app) == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=WyJ4IiwgMV0", "cursor"),  # valid base64 of ["x", 1]
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=-7.5,33.5,-7.6,33.6", "bbox"),  # min after max
        ("bbox=-9,30,-5,35", "bbox"),  # too large
        ("bbox=nan,33.5,-7.6,33.6", "bbox"),
        ("lat=33.5&long=-7.6&radius=0", "radius"),
        ("lat=33.5&long=-7.6&radius=50000", "radius"),
        ("lat=33.5&long=-7.6&radius=far", "radius"),
        ("lat=33.5&long=-7.6", "radius"),
        ("radius=100", "lat"),
        ("lat=nan&long=-7.6&radius=100", "lat"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("status=open-ish", "status"),
        ("service_code=licorne", "service_code"),
        ("area=atlantis", "area"),
        ("created_after=yesterday", "created_after"),
        ("created_after=2026-01-01T00:00:00", "created_after"),  # no timezone
        ("created_after=0001-01-01T00:00:00%2B01:00", "created_after"),  # before year 1 in UTC
        ("created_before=9999-12-31T23:59:59-01:00", "created_before"),  # after 9999 in UTC
        (
            "created_after=2026-02-01T00:00:00Z&created_before=2026-01-01T00:00:00Z",
            "created_before",
        ),
        ("colour=red", "colour"),
    ],
)
def test_bad_list_queries_are_422_naming_the_parameter(client, query, field):
    response = client.get(f"/api/v1/requests?{query}")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    assert field in response.json["errors"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/requests?service_code=a%00b",
        "/api/v1/requests?area=%00",
        "/api/v1/requests/AB%00C-DEFG",
        "/api/v1/services/a%00",
        "/api/v1/areas/%00",
    ],
)
def test_a_nul_character_in_the_url_is_refused(client, url):
    response = client.get(url)
    assert response.status_code == 422
    assert "NUL" in str(response.json["errors"])


@pytest.mark.parametrize(
    "fields",
    [
        {"description": "trou\u0000profond"},
        {"service_code": "nid\u0000"},
        {"attributes": {"taille": "grand\u0000"}},
    ],
)
def test_a_nul_character_in_the_body_is_refused_and_stores_nothing(client, app, fields):
    response = client.post("/api/v1/requests", json={**VALID, **fields})
    assert response.status_code == 422
    (field,) = fields
    assert any(name.startswith(field) for name in response.json["errors"])
    assert response.content_type == "application/problem+json"
    assert count_reports(app) == 0
