"""Fixtures: one app per database backend (SpatiaLite file, throwaway PostGIS database),
migrated with Alembic and seeded as in production; a client whose reports are cleared
after each test.

PostGIS tests use the PostgreSQL server on 127.0.0.1:5432 (TEST_DATABASE_URL overrides:
a server URL whose user may create databases). CASA311_TEST_BACKENDS=spatialite limits
the run to one backend.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import psycopg
import pytest
from shapely.geometry import shape
from sqlalchemy import text
from sqlalchemy.engine import make_url

from citizen_api.cli.seed import AREAS_FILE
from citizen_api.extensions import db
from tests import hypothesis_profiles  # noqa: F401  (registers and loads the profile)
from tests.helpers import BACKENDS, seeded_app

SERVER_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REPORT_TABLES = (
    "audit_entries",
    "staff_digests",
    "response_templates",
    "conversations",
    "inbound_replies",
    "outbound_messages",
    "inbound_messages",
    "incident_reports",
    "incidents",
    "alert_subscriptions",
    "alerts",
    "report_photos",
    "report_supporters",
    "stats_resolution_hours",
    "stats_monthly",
    "request_events",
    "service_requests",
    "reporter_contacts",
    "rate_counters",
    "job_runs",  # the periodic jobs' schedule: a test's worker runs must not delay the next's
)


def _admin(url: str):
    u = make_url(url)
    return psycopg.connect(
        host=u.host,
        port=u.port or 5432,
        user=u.username,
        password=u.password,
        dbname=u.database or "postgres",
        autocommit=True,
    )


class PostgisDatabase:
    """An empty throwaway database on the test server; the migrations add PostGIS."""

    def __init__(self):
        self.name = f"casa311_test_{uuid.uuid4().hex[:10]}"
        with _admin(SERVER_URL) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self.url = (
            make_url(SERVER_URL).set(database=self.name).render_as_string(hide_password=False)
        )

    def drop(self) -> None:
        with _admin(SERVER_URL) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def empty_database(request, tmp_path):
    """The URL of an empty database of the backend named by the test's `backend_name`."""
    if request.param == "spatialite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    database = PostgisDatabase()
    yield database.url
    database.drop()


@pytest.fixture(scope="session", params=BACKENDS)
def app(request, tmp_path_factory):
    """The app on a migrated, seeded database of each backend."""
    database = None
    if request.param == "spatialite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'casa311.sqlite'}"
    else:
        database = PostgisDatabase()
        url = database.url
    with seeded_app(url, PHOTO_DIR=str(tmp_path_factory.mktemp("photos"))) as application:
        yield application
    if database:
        database.drop()


@pytest.fixture
def backend(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


@pytest.fixture
def client(app):
    yield app.test_client()
    clear_reports(app)


@pytest.fixture
def session(app):
    """A database session inside an app context, for direct checks."""
    with app.app_context():
        yield db.session
        db.session.rollback()


def clear_reports(app) -> None:
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(REPORT_TABLES)} RESTART IDENTITY CASCADE"))
            else:
                for table in REPORT_TABLES:
                    conn.execute(text(f"DELETE FROM {table}"))


def rolled_back_session(app):
    """For a fixture: a session of `app` in its context, rolled back after the test, and
    the reports written (and committed) during it cleared."""
    with app.app_context():
        yield db.session
        db.session.rollback()
    clear_reports(app)


@pytest.fixture(scope="session")
def area_points() -> dict[str, tuple[float, float]]:
    """A point well inside each of the 17 areas (lon, lat), from the shipped polygons."""
    features = json.loads(Path(AREAS_FILE).read_text(encoding="utf-8"))["features"]
    points = {}
    for f in features:
        p = shape(f["geometry"]).representative_point()
        points[f["properties"]["code"]] = (p.x, p.y)
    return points
