"""GET requests read outside a transaction on PostgreSQL (citizen_api.web.read_only):
no BEGIN or ROLLBACK round trip, never a write, and the pool hands the next request a
transactional connection again. SQLite opens no transaction for reads: not tested there."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from citizen_api.extensions import db
from citizen_api.web.read_only import WriteInReadOnlyRequest
from models import ServiceType
from tests.helpers import DOWNTOWN, make_app

BODY = {"service_code": "nid-de-poule", **DOWNTOWN, "phone": "06 12 34 56 78"}


@pytest.fixture
def pg_app(app, backend):
    if backend != "postgresql":
        pytest.skip("SQLite begins no transaction for reads")
    return app


def _statements(app, client, method: str, path: str, **kwargs):
    """(autocommit?, SQL) of every statement the request ran, and its response."""
    seen = []

    def record(conn, _cursor, statement, *_args):
        seen.append((conn.connection.dbapi_connection.autocommit, statement))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.open(path, method=method, **kwargs)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen, response


def test_reads_run_outside_a_transaction_and_writes_inside_one(pg_app, client):
    created = client.post("/api/v1/requests", json=BODY)
    assert created.status_code == 201
    for path in (created.headers["Location"], "/api/v1/requests?limit=5", "/readyz"):
        seen, response = _statements(pg_app, client, "GET", path)
        assert response.status_code == 200
        assert seen and all(autocommit for autocommit, _ in seen), path

    # The same pooled connections, back in transactional mode for the next write.
    seen, response = _statements(pg_app, client, "POST", "/api/v1/requests", json=BODY)
    assert response.status_code == 201
    assert seen and not any(autocommit for autocommit, _ in seen)


def test_a_get_that_writes_is_refused_before_the_database(pg_app):
    with pg_app.app_context():
        url = str(db.engine.url.render_as_string(hide_password=False))
    writer = make_app(url)

    @writer.get("/bench-write")
    def write():
        db.session.add(ServiceType(code="never", name_fr="x", name_ar="x", sla_hours=1))
        with pytest.raises(WriteInReadOnlyRequest):
            db.session.flush()
        raise WriteInReadOnlyRequest("refused")

    response = writer.test_client().get("/bench-write")
    assert response.status_code == 500  # a programming error, answered as one
    with writer.app_context():
        assert db.session.scalar(select(ServiceType).where(ServiceType.code == "never")) is None
        db.session.remove()
        db.engine.dispose()
