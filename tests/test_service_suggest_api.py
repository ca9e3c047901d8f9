"""GET /api/v1/services/suggest: the likeliest services for a resident's own words."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from citizen_api.extensions import db
from models import ServiceType

URL = "/api/v1/services/suggest"


def test_arabizi_darija_finds_the_pothole_with_french_names_by_default(client):
    response = client.get(URL, query_string={"q": "kayn wa7ed l7ofra kbira f zen9a"})
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "fr"
    assert "Accept-Language" in response.headers["Vary"]
    body = response.json
    assert body["written_in"] == "ar"
    assert len(body["items"]) == 3
    first = body["items"][0]
    assert first == {"code": "nid-de-poule", "name": "Nid-de-poule", "score": first["score"]}
    scores = [item["score"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True)
    assert 0 < scores[-1] <= scores[0] <= 1
    assert len({item["code"] for item in body["items"]}) == 3


@pytest.mark.parametrize(
    ("q", "how", "code", "name", "written_in"),
    [
        ("Lampadaire éteint depuis une semaine", {}, "eclairage-panne", None, "fr"),
        ("الحاوية ممتلئة عن آخرها", {"lang": "ar"}, "bac-plein", "حاوية نفايات ممتلئة", "ar"),
        ("الواد الحار مسدود فالزنقة", {"lang": "en"}, "egout-bouche", None, "ar"),
        ("stray dogs chasing children", {"lang": "en"}, "animaux-errants", "Stray animals", "en"),
    ],
)
def test_each_language_finds_its_service(client, q, how, code, name, written_in):
    body = client.get(URL, query_string={"q": q, **how}).json
    assert body["items"][0]["code"] == code
    assert body["written_in"] == written_in
    if name:
        assert body["items"][0]["name"] == name


def test_names_follow_accept_language_when_lang_is_absent(client):
    response = client.get(
        URL, query_string={"q": "nid de poule"}, headers={"Accept-Language": "en-GB,en;q=0.9"}
    )
    assert response.headers["Content-Language"] == "en"
    assert response.json["items"][0] == {
        "code": "nid-de-poule",
        "name": "Pothole",
        "score": response.json["items"][0]["score"],
    }


@pytest.fixture
def lamps_retired(app):
    """The street-light service switched off by an administrator, for one test."""
    lamps = select(ServiceType).where(ServiceType.code == "eclairage-panne")
    with app.app_context():
        db.session.scalar(lamps).active = False
        db.session.commit()
    yield
    with app.app_context():
        db.session.scalar(lamps).active = True
        db.session.commit()


def test_an_inactive_service_is_never_suggested(client, lamps_retired):
    body = client.get(URL, query_string={"q": "lampadaire en panne"}).json
    codes = [item["code"] for item in body["items"]]
    assert len(codes) == 3
    assert "eclairage-panne" not in codes


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "    "}, "q"),
        ({"q": "?!... 👍"}, "q"),
        ({"q": "trou " * 101}, "q"),  # 505 characters
        ({"q": "x" * 5000}, "q"),
        ({"q": "trou", "lang": "es"}, "lang"),
        ({"q": "trou", "limit": "5"}, "limit"),
    ],
)
def test_bad_q_is_a_problem_naming_the_field(client, query, field):
    response = client.get(URL, query_string=query)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in response.json["errors"]


def test_too_long_says_how_long_it_may_be(client):
    response = client.get(URL, query_string={"q": "x" * 501})
    assert "500" in " ".join(response.json["errors"]["q"])


def test_the_openapi_document_describes_suggest(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"][URL]["get"]
    assert operation["summary"].startswith("Suggest")
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["q"]["required"] is True
    assert params["q"]["schema"]["maxLength"] == 500
    assert "422" in operation["responses"]
