"""Health probes, the error envelope, the OpenAPI document and the docs page."""

from __future__ import annotations

import re

import pytest
from flask import abort

from citizen_api.reports.schemas import ServiceRequestCreatedOut
from tests.helpers import make_app, report


def test_healthz_and_readyz_when_all_is_well(client, backend):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["database"] == backend


def test_readyz_is_503_when_the_database_is_unreachable():
    # Nothing listens on port 1: the connection is refused at once.
    app = make_app("postgresql://postgres@127.0.0.1:1/casa311")
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert response.headers["Retry-After"]
    listing = client.get("/api/v1/requests")
    assert listing.status_code == 503
    assert "psycopg" not in listing.get_data(as_text=True)
    assert "127.0.0.1" not in listing.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/nowhere", 404),
        ("delete", "/api/v1/requests", 405),
        ("put", "/api/v1/services", 405),
    ],
)
def test_werkzeug_errors_are_problems_too(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert response.json["status"] == status and response.json["title"]
    if status == 405:
        assert "GET" in response.headers["Allow"]


def test_an_unexpected_error_is_a_500_problem_without_internals(app):
    broken = make_app(app.config["DATABASE_URL"])

    @broken.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret SQL: SELECT * FROM reporter_contacts")

    @broken.get("/api/v1/teapot")
    def teapot():
        abort(418)

    response = broken.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.content_type == "application/problem+json"
    assert "secret" not in response.get_data(as_text=True)
    assert broken.test_client().get("/api/v1/teapot").json["status"] == 418


def test_the_openapi_document_describes_every_endpoint(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) >= {
        "/api/v1/services",
        "/api/v1/services/{code}",
        "/api/v1/requests",
        "/api/v1/requests/{code}",
        "/api/v1/areas",
        "/api/v1/areas/{code}",
    }
    create = spec["paths"]["/api/v1/requests"]["post"]
    assert create["summary"] and "201" in create["responses"] and "422" in create["responses"]
    props = spec["components"]["schemas"]["ServiceRequestIn"]["properties"]
    assert "status" not in props and "phone" in props


def test_responses_carry_exactly_the_documented_fields(client):
    body = report(client).json
    assert set(body) == set(ServiceRequestCreatedOut().fields)


def test_the_docs_page_loads_nothing_from_the_internet(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert not re.search(r"""(src|href)=["']https?://""", html)
    for asset in re.findall(r"""(?:src|href)=["'](/[^"']+)["']""", html):
        response = client.get(asset)
        assert response.status_code == 200, asset
        response.close()
