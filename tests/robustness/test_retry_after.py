"""Retry-After appears where its status means it, with the value that status promises:
the limiter's wait on a 429, 5 seconds on a 503, 1 second on an idempotency 409, and on
no other answer (issue 14, class 6). Every test runs with the rate limits on, which is
where the limiter used to write its own value over every answer."""

from __future__ import annotations

import socket
import uuid

import pytest
from sqlalchemy import text

from citizen_api.extensions import db
from tests.helpers import DOWNTOWN, make_app
from tests.robustness.test_idempotency import _fingerprint_of

BODY = {"service_code": "nid-de-poule", **DOWNTOWN}


@pytest.fixture
def limited(make_variant):
    return make_variant(RATELIMIT_ENABLED=True, RATE_LIMIT_CREATE="2/minute")


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", "/api/v1/services", None, 200),
        ("post", "/api/v1/requests", BODY, 201),
        ("get", "/api/v1/requests/NOPE-NOPE", None, 404),
        ("post", "/api/v1/requests", {"service_code": "nid-de-poule"}, 422),
        ("get", "/open311/v2/requests.json?start_date=9999-01-01", None, 400),
        ("delete", "/api/v1/requests", None, 405),
    ],
)
def test_no_answer_but_a_429_or_503_says_retry_after(limited, method, path, body, status):
    response = getattr(limited.test_client(), method)(path, json=body)
    assert response.status_code == status
    assert "Retry-After" not in response.headers
    if status != 405:  # (an unrouted method never reaches the limiter)
        assert "X-RateLimit-Limit" in response.headers  # the limiter did run
    assert not any(h.lower().startswith("x-casa311") for h in response.headers.keys())  # noqa: SIM118 - Headers iterate pairs


def test_a_429_says_how_long_until_the_window_frees(limited):
    client = limited.test_client()
    assert [client.post("/api/v1/requests", json=BODY).status_code for _ in range(2)] == [201] * 2
    refused = client.post("/api/v1/requests", json=BODY)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_an_idempotency_409_says_one_second(app, limited):
    key = str(uuid.uuid4())
    with app.app_context():  # a first request with this key still running
        db.session.execute(
            text(
                "INSERT INTO idempotency_keys (scope, key, fingerprint, lock_token, locked_at, "
                "created_at, expires_at) VALUES ('requests:create', :key, :fp, 't', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '2999-01-01 00:00:00')"
            ),
            {"key": key, "fp": _fingerprint_of(app, BODY)},
        )
        db.session.commit()
    try:
        response = limited.test_client().post(
            "/api/v1/requests", json=BODY, headers={"Idempotency-Key": key}
        )
        assert (response.status_code, response.headers["Retry-After"]) == (409, "1")
    finally:
        with app.app_context():
            db.session.execute(text("DELETE FROM idempotency_keys WHERE key = :k"), {"k": key})
            db.session.commit()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def test_a_database_outage_503_says_the_documented_five_seconds():
    down = make_app(
        f"postgresql://postgres@127.0.0.1:{_closed_port()}/casa311", RATELIMIT_ENABLED=True
    )
    for path in ("/api/v1/services", "/api/v1/requests", "/open311/v2/requests.json"):
        response = down.test_client().get(path)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "5", path
    with down.app_context():
        db.engine.dispose()
