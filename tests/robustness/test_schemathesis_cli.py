"""Schemathesis's own CLI against a real gunicorn serving the app (issue 14, class 10):
every operation, every check (status codes included), the examples, coverage, fuzzing
and stateful phases, signed in as an admin for the triage operations. It is fed real
data where only the data says what is valid: a real report, alert and incident by id
(tests/robustness/schemathesis.toml), and real service and area codes, points inside
the city, current ETags, real credentials and SMS codes in its positive cases
(tests/robustness/schemathesis_hooks.py). Zero failures and zero warnings, or the test
fails with Schemathesis's report."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import exists, select

from citizen_api.domain.accounts import create_clerk
from citizen_api.extensions import db
from models import Area, ServiceAttribute, ServiceType
from tests.conftest import clear_reports
from tests.photos import images

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")
ADMIN_PASSWORD = "schemathesis admin password"
CHANGER_PASSWORD = "schemathesis changer password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(app, tmp_path):
    """gunicorn (one worker) on the test database; yields its base URL."""
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("the document and its answers are the same on both databases")
    with app.app_context():
        for name, role, department in (
            ("fuzz-root", "admin", None),
            ("fuzz-victim", "clerk", "voirie"),
            ("fuzz-changer", "clerk", "voirie"),
        ):
            password = CHANGER_PASSWORD if name == "fuzz-changer" else ADMIN_PASSWORD
            create_clerk(db.session, name, password, role, department)
        db.session.commit()
        db.session.remove()
    port = _free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": "1",
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SECRET_KEY": "k" * 48,
        "PHOTO_DIR": str(tmp_path / "photos"),
        "RATELIMIT_ENABLED": "0",
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [gunicorn, "citizen_api:create_app()"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if requests.get(f"{base}/healthz", timeout=5).ok:
                    break
            except requests.RequestException:  # still booting
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        clear_reports(app)  # what the run filed, through gunicorn
        with app.app_context():
            db.session.execute(db.text("DELETE FROM clerks WHERE username LIKE 'fuzz-%'"))
            db.session.commit()
            db.session.remove()


# Points inside the city (downtown, Maârif, Anfa, Ain Sebaâ).
POINTS = [(33.5925, -7.6191), (33.5790, -7.6400), (33.5900, -7.6700), (33.6030, -7.5330)]


def _real_data(app) -> dict:
    """Service codes a report can be filed under without attributes, and area codes."""
    with app.app_context():
        services = db.session.scalars(
            select(ServiceType.code).where(
                ServiceType.active.is_(True),
                ~exists().where(
                    ServiceAttribute.service_type_id == ServiceType.id,
                    ServiceAttribute.required.is_(True),
                ),
            )
        ).all()
        areas = db.session.scalars(select(Area.code)).all()
        db.session.remove()
    return {"services": sorted(services), "areas": sorted(areas)}


def operations(base: str) -> list[str]:
    document = requests.get(f"{base}/api/v1/openapi.json", timeout=10).json()
    methods = ("get", "post", "patch", "put", "delete")
    return [f"{m} {p}" for p, item in document["paths"].items() for m in item if m in methods]


def test_schemathesis_finds_nothing_with_every_check_and_phase(app, served, tmp_path):
    filed = requests.post(
        f"{served}/api/v1/requests",
        json={"service_code": "nid-de-poule", "lat": 33.5925, "long": -7.6191},
        timeout=10,
    ).json()
    token = requests.post(
        f"{served}/api/v1/auth/token",
        json={"username": "fuzz-root", "password": ADMIN_PASSWORD},
        timeout=10,
    ).json()["access_token"]
    photo = requests.post(
        f"{served}/api/v1/requests/{filed['tracking_code']}/photos",
        files={"photo": ("p.jpg", images.camera_jpeg((64, 48)), "image/jpeg")},
        headers={"Authorization": f"Bearer {filed['report_token']}"},
        timeout=10,
    )
    assert photo.status_code == 201, photo.text
    ticket = requests.get(
        f"{served}/api/v1/triage/requests/{filed['tracking_code']}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    admin = {"Authorization": f"Bearer {token}"}
    now = dt.datetime.now(dt.UTC)
    alert = requests.post(
        f"{served}/api/v1/alerts",
        json={
            "kind": "water_cut",
            "severity": "moderate",
            "areas": ["maarif"],
            "starts_at": now.isoformat(),
            "ends_at": (now + dt.timedelta(days=2)).isoformat(),
            "headline": {"fr": "Coupure d'eau"},
            "text": {"fr": "Travaux sur le réseau."},
        },
        headers=admin,
        timeout=10,
    ).json()
    incident = requests.post(
        f"{served}/api/v1/triage/incidents",
        json={
            "title": "Chaussée effondrée",
            "services": ["nid-de-poule"],
            "areas": ["maarif"],
            "department": "voirie",
        },
        headers=admin,
        timeout=10,
    ).json()
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        CONFIG.read_text()
        .replace("@CODE@", filed["tracking_code"])
        .replace("@REPORT_TOKEN@", filed["report_token"])
        .replace("@PHOTO_ID@", str(ticket["photos"][0]["id"]))
        .replace("@ALERT_ID@", str(alert["id"]))
        .replace("@INCIDENT_ID@", str(incident["id"]))
    )
    fuzz = {
        **_real_data(app),
        "base": served,
        "token": token,
        "username": "fuzz-root",
        "password": ADMIN_PASSWORD,
        "changer": "fuzz-changer",
        "changer_password": CHANGER_PASSWORD,
        "points": POINTS,
        "db": app.config["DATABASE_URL"].removeprefix("sqlite:///"),
    }
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "SCHEMATHESIS_HOOKS": "tests.robustness.schemathesis_hooks",
        "PYTHONPATH": str(ROOT),
        "CASA_FUZZ": json.dumps(fuzz),
    }
    cli = str(Path(sys.executable).with_name("schemathesis"))
    run = subprocess.run(
        [
            cli, "--config-file", str(config), "run", f"{served}/api/v1/openapi.json",
            "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
            "--workers", "1", "--seed", "14",  # signed in by the hooks' auth providers
            *os.environ.get("ST_EXTRA", "").split(),
        ],
        capture_output=True, text=True, timeout=900, env=env, cwd=ROOT,
    )  # fmt: skip
    report = run.stdout + run.stderr
    (Path(os.environ.get("SCHEMATHESIS_REPORT", tmp_path / "report.txt"))).write_text(report)
    # Generated URLs can run to kilobytes: clip long lines so the failures stay readable.
    readable = "\n".join(line[:300] for line in report.splitlines())
    assert run.returncode == 0, readable.split("FAILURES")[-1][:8000]
    summary = report.split("SUMMARY")[-1]
    assert " failed" not in summary, readable
    assert "WARNINGS" not in report and "⚠️" not in summary, readable.split("WARNINGS")[-1]
    # Every operation was tested, and the stateful phase followed the documented links.
    assert re.search(r"Tested: (\d+)", summary).group(1) == str(len(operations(served))), summary
    assert "0 covered" not in report.split("Stateful")[1].split("\n")[2], readable
