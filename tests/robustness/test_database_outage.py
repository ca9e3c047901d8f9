"""The database goes away and comes back: the API answers 503 problem+json with
Retry-After meanwhile, /readyz fails, nothing half-written stays, and the same app
(no restart) serves again once the database is back.

These tests stop and start their own PostgreSQL server (tests/robustness/pg_cluster.py),
never the shared one."""

from __future__ import annotations

import uuid

import pytest

from citizen_api.extensions import db
from tests.helpers import DOWNTOWN, count_reports, seeded_app
from tests.robustness import pg_cluster

BODY = {"service_code": "nid-de-poule", **DOWNTOWN, "phone": "06 12 34 56 78"}
pytestmark = pytest.mark.skipif(not pg_cluster.available(), reason="PostgreSQL is not installed")


@pytest.fixture(scope="module")
def cluster():
    server = pg_cluster.Cluster()
    yield server
    server.destroy()


@pytest.fixture
def outage_app(cluster):
    cluster.start()  # a test before may have left it stopped
    with seeded_app(cluster.url, STATEMENT_TIMEOUT_MS=5000) as app:
        yield app


def _assert_clean_503(response):
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    body = response.get_data(as_text=True)
    for leak in ("psycopg", "127.0.0.1", "SELECT", "INSERT", "Traceback", "postgres@"):
        assert leak not in body


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_an_outage_is_503_and_the_app_recovers_by_itself(cluster, outage_app, mode):
    client = outage_app.test_client()
    assert client.post("/api/v1/requests", json=BODY).status_code == 201
    before = count_reports(outage_app)

    cluster.stop(mode)
    assert client.get("/healthz").status_code == 200  # the process is alive...
    _assert_clean_503(client.get("/readyz"))  # ...but not ready
    _assert_clean_503(client.post("/api/v1/requests", json=BODY))
    _assert_clean_503(client.get("/api/v1/requests"))
    _assert_clean_503(client.get("/api/v1/services"))

    cluster.start()
    assert client.get("/readyz").status_code == 200
    created = client.post("/api/v1/requests", json=BODY)
    assert created.status_code == 201
    assert client.get(created.headers["Location"]).status_code == 200
    # Only the report filed while the database was up was added: nothing from the outage.
    assert count_reports(outage_app) == before + 1


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_restart_between_two_requests_goes_unnoticed(cluster, outage_app, mode):
    """The pool's idle connections died with the server; the next requests get new
    ones instead of failing on a dead one (no ping round trip per request for that)."""
    client = outage_app.test_client()
    assert client.get("/readyz").status_code == 200  # leaves a connection in the pool
    assert client.post("/api/v1/requests", json=BODY).status_code == 201
    before = count_reports(outage_app)

    cluster.stop(mode)
    cluster.start()
    assert client.get("/readyz").status_code == 200
    created = client.post("/api/v1/requests", json=BODY)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert client.get(created.headers["Location"]).status_code == 200
    assert count_reports(outage_app) == before + 1


def test_a_retry_across_an_outage_files_exactly_one_report(cluster, outage_app):
    client = outage_app.test_client()
    key = str(uuid.uuid4())
    before = count_reports(outage_app)

    cluster.stop("immediate")
    refused = client.post("/api/v1/requests", json=BODY, headers={"Idempotency-Key": key})
    _assert_clean_503(refused)

    cluster.start()
    first = client.post("/api/v1/requests", json=BODY, headers={"Idempotency-Key": key})
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = client.post("/api/v1/requests", json=BODY, headers={"Idempotency-Key": key})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["tracking_code"] == first.json["tracking_code"]
    assert count_reports(outage_app) == before + 1


def test_a_database_dying_before_the_commit_leaves_nothing_half_written(cluster, outage_app):
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from citizen_api.domain.reporting import submit_report

    def tables():
        with outage_app.app_context():
            return {
                t: db.session.scalar(text(f"SELECT count(*) FROM {t}"))
                for t in ("service_requests", "request_events", "reporter_contacts")
            }

    before = tables()
    with outage_app.app_context(), pytest.raises(OperationalError):
        # The report, its first event and the new contact are flushed; then the server dies.
        submit_report(
            db.session,
            service_code="nid-de-poule",
            lat=DOWNTOWN["lat"],
            long=DOWNTOWN["long"],
            phone="06 98 76 54 32",
            before_commit=lambda report: cluster.stop("immediate"),
        )
    cluster.start()
    assert tables() == before
