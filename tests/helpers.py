"""Helpers shared by the tests."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from citizen_api import create_app
from citizen_api.cli import upgrade_database
from citizen_api.cli.seed import seed
from citizen_api.extensions import db

BACKENDS = os.environ.get("CASA311_TEST_BACKENDS", "spatialite,postgis").split(",")


def make_app(url: str, **config):
    """The app on `url`; rate limits are off unless a test turns them on."""
    return create_app({"TESTING": True, "DATABASE_URL": url, "RATELIMIT_ENABLED": False, **config})


# Where mutation runs keep a migrated, seeded SpatiaLite file to copy (scripts/mutation.py
# sets it): each mutant runs its tests in a fresh process, and migrating and seeding again
# for every one of hundreds of mutants costs more than most of the tests themselves.
TEMPLATES = os.environ.get("CASA311_TEST_DB_TEMPLATES")
ROOT = Path(__file__).resolve().parent.parent


def _template_key() -> str:
    """A digest of what a migrated, seeded database is made from: a change to any of it
    makes a new template."""
    digest = hashlib.sha256()
    parts = [
        *sorted((ROOT / "alembic" / "versions").glob("*.py")),
        *sorted(ROOT.glob("models/*.py")),
    ]
    parts += [ROOT / "citizen_api" / "cli" / "seed.py", *sorted(ROOT.glob("citizen_api/data/*"))]
    for path in parts:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _from_template(url: str) -> bool:
    """Copy the cached migrated, seeded database to `url`'s file, building the cache first
    if needed. False when there is no cache to use (not SpatiaLite, or not asked for)."""
    if not TEMPLATES or not url.startswith("sqlite:///"):
        return False
    template = Path(TEMPLATES) / f"{_template_key()}.sqlite"
    if not template.exists():
        if os.environ.get("MUTANT_UNDER_TEST", "") not in ("", "stats"):
            return False  # built under a mutant, the template could carry its bug
        template.parent.mkdir(parents=True, exist_ok=True)
        building = template.with_suffix(f".{os.getpid()}.tmp")
        _migrate_and_seed(make_app(f"sqlite:///{building}"))
        building.replace(template)  # atomic: a parallel mutant sees all of it or nothing
    shutil.copyfile(template, url.removeprefix("sqlite:///"))
    return True


def _migrate_and_seed(app) -> None:
    with app.app_context():
        upgrade_database(db.engine)
        seed(db.session)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@contextmanager
def seeded_app(url: str, **config) -> Iterator:
    """An app on `url` migrated and seeded as in production; its connections closed after."""
    copied = _from_template(url)
    app = make_app(url, **config)
    if not copied:
        with app.app_context():
            upgrade_database(db.engine)
            seed(db.session)
            db.session.commit()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def count_reports(app) -> int:
    with app.app_context():
        return db.session.scalar(text("SELECT count(*) FROM service_requests"))


# A point in Sidi Belyout (downtown), used where any valid place will do.
DOWNTOWN = {"lat": 33.5925, "long": -7.6191}


def report(client, **fields):
    """POST a valid pothole report, overridden by `fields`; return the response."""
    body = {"service_code": "nid-de-poule", **DOWNTOWN, **fields}
    body = {k: v for k, v in body.items() if v is not None}
    return client.post("/api/v1/requests", json=body)


def stored_report(code: str):
    """The stored ServiceRequest with this tracking code (call inside an app context)."""
    from sqlalchemy import select

    from models import ServiceRequest

    return db.session.scalar(select(ServiceRequest).where(ServiceRequest.tracking_code == code))


def db_time(when):
    """A datetime as a raw SQL parameter for the current backend (SQLite stores naive UTC)."""
    import datetime as dt

    when = when.astimezone(dt.UTC)
    return when.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else when


def square(lon: float, lat: float, d: float = 0.004) -> dict:
    """A GeoJSON Polygon: the square of side `d` degrees whose south-west corner is here."""
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def just_outside(app, code: str, metres: float) -> tuple[float, float]:
    """(lon, lat) `metres` straight north of the area's northernmost vertex: for Anfa, in
    the sea off its coarse coastline."""
    import json

    from geoalchemy2 import functions as gfunc
    from sqlalchemy import select

    from models import Area

    with app.app_context():
        geojson = db.session.scalar(select(gfunc.ST_AsGeoJSON(Area.geom)).where(Area.code == code))
    ring = json.loads(geojson)["coordinates"][0][0]
    lon, lat = max(ring, key=lambda p: p[1])
    return lon, lat + metres / 110_574.0
