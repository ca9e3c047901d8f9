"""Every response carries security headers; CORS answers only the configured origins;
limits on input and on query time hold, and none of them leaks internals."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from citizen_api.extensions import db
from tests.helpers import DOWNTOWN, count_reports

BODY = {"service_code": "nid-de-poule", **DOWNTOWN}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/healthz"),
        ("get", "/api/v1/services"),
        ("get", "/api/v1/requests/NOPE-NOPE"),  # an error
        ("delete", "/api/v1/requests"),  # werkzeug's 405
        ("get", "/api/v1/openapi.json"),
    ],
)
def test_every_response_carries_the_security_headers(client, method, path):
    response = getattr(client, method)(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_https_answers_ask_browsers_to_stay_on_https(client):
    response = client.get("/healthz", base_url="https://casa311.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_docs_page_may_run_its_own_scripts_only(client):
    csp = client.get("/api/v1/docs").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "https:" not in csp


def test_no_cross_origin_access_unless_configured(client):
    response = client.get("/api/v1/services", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_configured_web_origin_may_call_the_api(make_variant):
    web = make_variant(CORS_ORIGINS="https://casa311.ma, https://www.casa311.ma").test_client()
    preflight = web.options(
        "/api/v1/requests",
        headers={
            "Origin": "https://casa311.ma",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type, Idempotency-Key",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://casa311.ma"
    assert "idempotency-key" in preflight.headers["Access-Control-Allow-Headers"].lower()
    created = web.post("/api/v1/requests", json=BODY, headers={"Origin": "https://casa311.ma"})
    assert created.status_code == 201
    assert created.headers["Access-Control-Allow-Origin"] == "https://casa311.ma"
    assert "Location" in created.headers["Access-Control-Expose-Headers"]
    other = web.get("/api/v1/services", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_a_long_list_filter_value_is_refused(client):
    response = client.get("/api/v1/requests?service_code=" + "x" * 65)
    assert response.status_code == 422
    assert "service_code" in response.json["errors"]


def test_a_query_stopped_by_the_statement_timeout_is_a_clean_503(make_variant, backend):
    if backend != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    slow = make_variant(STATEMENT_TIMEOUT_MS=50)

    @slow.get("/api/v1/slow")
    def crawl():
        db.session.execute(text("SELECT pg_sleep(2)"))
        return "done"

    response = slow.test_client().get("/api/v1/slow")
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert response.json["type"] == "urn:casa311:problem:query-timeout"
    assert response.headers["Retry-After"]
    assert "pg_sleep" not in response.get_data(as_text=True)
    # The worker's connection is healthy afterwards.
    assert slow.test_client().get("/readyz").status_code == 200


def test_the_phone_never_comes_back_in_any_answer(client, app):
    created = client.post("/api/v1/requests", json={**BODY, "phone": "06 12 34 56 78"})
    listing = client.get("/api/v1/requests")
    one = client.get(created.headers["Location"])
    for response in (created, listing, one):
        text_ = response.get_data(as_text=True)
        assert "12 34 56" not in text_ and "612345678" not in text_
    assert count_reports(app) == 1


@pytest.mark.parametrize(
    ("method", "path", "payload", "field"),
    [
        ("post", "/api/v1/requests", {**BODY, "description": "a\x00b"}, "description"),
        ("post", "/api/v1/requests", {**BODY, "service_code": "\x00"}, "service_code"),
        ("post", "/api/v1/requests", {**BODY, "attributes": {"taille": "x\x00"}}, "attributes"),
        ("get", "/api/v1/requests?service_code=a%00b", None, "service_code"),
        ("get", "/api/v1/services/nid%00", None, "code"),
        ("get", "/api/v1/requests/K7QM%004RZP", None, "code"),
    ],
)
def test_a_nul_character_anywhere_is_422_not_a_crash(client, app, method, path, payload, field):
    response = getattr(client, method)(path, json=payload)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert any(name.startswith(field) for name in response.json["errors"])
    assert count_reports(app) == 0
