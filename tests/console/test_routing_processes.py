"""A routing change made in the console (real Chromium) is seen by a second app process —
a separate gunicorn on its own port, with its own catalogue copy already loaded — within
a few seconds, through the catalogue's version stamp; reports filed before keep their
department. And the stamp itself: every kind of catalogue edit moves it, in the edit's
own transaction, and a copy notices a stamp moved by someone else within about a second."""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import select, text

from citizen_api.domain import catalogue_cache
from citizen_api.extensions import db
from models import RoutingRule, ServiceType
from tests.console.test_admin_browser import sign_in, site  # noqa: F401 - fixture
from tests.console.test_catalogue_edits import _restore, _rules
from tests.console.test_console_browser import chromium, open_page, shoot  # noqa: F401
from tests.helpers import stored_report
from tests.notifications.processes import child_env, free_port, started, wait_until
from tests.triage.helpers import new_ticket

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def _file(base: str, lat: float, lon: float) -> str:
    """File a pothole report at `base` (another process), its tracking code."""
    body = json.dumps({"service_code": "nid-de-poule", "lat": lat, "long": lon}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/requests", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.load(response)["tracking_code"]


def _department(app, code: str) -> str:
    with app.app_context():
        department = stored_report(code).department.code
        db.session.remove()
        return department


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def test_a_routing_change_in_the_console_is_seen_by_a_second_process_within_seconds(
    app,
    client,
    site,  # noqa: F811
    open_page,  # noqa: F811
    area_points,
    tmp_path,
):
    lon, lat = area_points["anfa"]
    port = free_port()
    other = f"http://127.0.0.1:{port}"
    env = child_env(
        DATABASE_URL=app.config["DATABASE_URL"],
        HOST="127.0.0.1",
        PORT=port,
        WORKERS=1,
        RATELIMIT_ENABLED=0,
        PHOTO_DIR=tmp_path / "photos",
    )
    original = _rules(app)
    log = tmp_path / "gunicorn.log"
    try:
        with started([GUNICORN, "citizen_api:create_app()"], env, log):
            wait_until(lambda: _healthy(other), 60, "the second app process", log)
            before = _file(other, lat, lon)  # also loads the second process's copy
            assert _department(app, before) == "voirie"

            page = open_page("fr")
            sign_in(page, site, "chef")
            page.goto(f"{site}/console/catalogue/nid-de-poule")
            page.locator("#r-scope").select_option("area")
            page.locator("#r-code").select_option("anfa")
            page.locator("#r-department").select_option("eclairage")
            page.get_by_role("button", name="Voir l'effet du changement").click()
            assert page.locator('section.preview tr[data-area="anfa"]').count() == 1
            page.get_by_role("button", name="Enregistrer cet aiguillage").click()
            page.wait_for_load_state()
            assert "Aiguillage enregistré" in page.content()
            saved_at = time.monotonic()
            shoot(page, tmp_path, "console-routing-saved-fr.png")

            # The second process, which loaded its copy before the change, routes a new
            # report by the new rule within a few seconds (the check runs about once a
            # second; the old 30 s expiry would not do).
            filed = []
            while True:
                filed.append(_file(other, lat, lon))
                if _department(app, filed[-1]) == "eclairage":
                    break
                assert time.monotonic() - saved_at < 5, "the second process kept the old rule"
                time.sleep(0.2)
            seen_after = time.monotonic() - saved_at
            assert seen_after < 3.5, seen_after
            # Reports filed before are not re-routed, at either process.
            assert _department(app, before) == "voirie"
            assert all(_department(app, c) == "voirie" for c in filed[:-1])
            # And this process (where the edit was made) routes by it at once.
            assert _department(app, new_ticket(client, lat=lat, long=lon)["tracking_code"]) == (
                "eclairage"
            )
    finally:
        _restore(app, original)
    print(f"second process saw the change {seen_after:.2f}s after the save")


def _stamp() -> int:
    """The stamp as another connection reads it (what is committed)."""
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT version FROM catalogue_version WHERE id = 1")).scalar()


def test_every_catalogue_edit_moves_the_stamp_in_its_own_transaction(app):
    with app.app_context():
        start = _stamp()
        service = db.session.scalar(select(ServiceType).where(ServiceType.code == "nid-de-poule"))
        service.sla_hours += 1
        db.session.flush()
        db.session.rollback()  # a rolled-back edit leaves the stamp where it was
        assert _stamp() == start
        service = db.session.scalar(select(ServiceType).where(ServiceType.code == "nid-de-poule"))
        sla = service.sla_hours
        service.sla_hours = sla + 1  # an ORM flush
        db.session.commit()
        assert _stamp() == start + 1
        db.session.query(ServiceType).filter_by(code="nid-de-poule").update({"sla_hours": sla})
        db.session.commit()  # an ORM UPDATE statement
        assert _stamp() == start + 2
        rule = db.session.scalar(select(RoutingRule).where(RoutingRule.scope == "city").limit(1))
        db.session.expire(rule)
        db.session.commit()  # reading changes nothing
        assert _stamp() == start + 2
        db.session.remove()


def test_a_copy_notices_a_stamp_moved_elsewhere_within_about_a_second(app):
    """Another process's edit, as this process sees it: the rows and the stamp change in
    the database without this process's listeners (a raw connection of its own)."""
    with app.app_context():
        first = catalogue_cache.catalogue(db.session)
        sla = first.services_by_code["nid-de-poule"].sla_hours
        engine = db.engine  # a connection of its own: no session, no listeners
        try:
            with engine.begin() as conn:
                conn.execute(
                    text("UPDATE service_types SET sla_hours = :h WHERE code = 'nid-de-poule'"),
                    {"h": sla + 5},
                )
                conn.execute(text("UPDATE catalogue_version SET version = version + 1"))
            db.session.rollback()  # a new request: a fresh transaction
            assert catalogue_cache.catalogue(db.session) is first  # within the second: no read
            time.sleep(catalogue_cache.VERSION_CHECK_SECONDS + 0.1)
            db.session.rollback()
            fresh = catalogue_cache.catalogue(db.session)
            assert fresh is not first
            assert fresh.services_by_code["nid-de-poule"].sla_hours == sla + 5
            db.session.rollback()
            assert catalogue_cache.catalogue(db.session) is fresh  # unchanged: kept
        finally:
            with engine.begin() as conn:
                conn.execute(
                    text("UPDATE service_types SET sla_hours = :h WHERE code = 'nid-de-poule'"),
                    {"h": sla},
                )
                conn.execute(text("UPDATE catalogue_version SET version = version + 1"))
            db.session.remove()
