"""`make run` as a resident's phone and an operator see it: real processes (gunicorn, the
worker, and Celery on Redis when a broker is configured), Twilio answering 503 once, and
no command run by hand. On SpatiaLite with no broker (the embedded default) and on
PostgreSQL with Redis as the broker.

The product runs with short intervals (the sweep and the erasure every second) and with
the jobs' clock moved past the retention period (JOBS_CLOCK_OFFSET_SECONDS, read only by
the worker's jobs), so a report closed now has its phone number erased by the next run.
"""

from __future__ import annotations

import os
import signal
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from citizen_api.extensions import db
from models import ReporterContact
from notifications.runtime import unregister
from tests.conftest import PostgisDatabase
from tests.helpers import BACKENDS, DOWNTOWN, make_app, stored_report
from tests.notifications.conftest import twilio_config
from tests.notifications.processes import child_env, children, free_port, started, wait_until
from tests.notifications.support import E164, PHONE, outbox

REDIS_URL = os.environ.get("CASA311_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
RETENTION_DAYS = 30


@dataclass
class Product:
    url: str
    app: object  # an app on the product's database, to look at what it stored
    log: Path
    process: object
    backend: str


@pytest.fixture(scope="module", params=BACKENDS)
def product(request, emulator, tmp_path_factory):
    """casa311 started by `make run`, on a database of its own."""
    folder = tmp_path_factory.mktemp(f"make-run-{request.param}")
    database, extra = None, {}
    if request.param == "spatialite":
        url = f"sqlite:///{folder / 'casa311.sqlite'}"
    else:
        database = PostgisDatabase()
        url = database.url
        queue = f"casa311-test-{uuid.uuid4().hex[:10]}"
        extra = {"CELERY_BROKER_URL": REDIS_URL, "CELERY_QUEUE": queue}
    port = free_port()
    env = child_env(
        **twilio_config(emulator),
        **extra,
        DATABASE_URL=url,
        HOST="127.0.0.1",
        PORT=port,
        WORKERS=1,
        ENV_FILE="/dev/null",  # a developer's .env must not change the test
        PHOTO_DIR=folder / "photos",
        RATELIMIT_ENABLED=0,
        NOTIFY_SWEEP_SECONDS=1,
        NOTIFY_SWEEP_GRACE_SECONDS=1,
        PHONE_ERASE_EVERY_SECONDS=1,
        WORKER_TICK_SECONDS=0.2,
        PHONE_RETENTION_DAYS=RETENTION_DAYS,
        JOBS_CLOCK_OFFSET_SECONDS=(RETENTION_DAYS + 1) * 86400,
    )
    log = folder / "make-run.log"
    base = f"http://127.0.0.1:{port}"
    with started(["make", "-s", "run"], env, log) as process:

        def ready():
            if process.poll() is not None:
                raise AssertionError(f"make run exited: {process.returncode}\n{log.read_text()}")
            try:
                return requests.get(base + "/readyz", timeout=5).status_code == 200
            except requests.RequestException:  # not listening yet, or still booting
                return False

        wait_until(ready, 120, "make run to serve /readyz", log)
        app = make_app(url, SECRET_KEY=env["SECRET_KEY"])
        try:
            yield Product(base, app, log, process, request.param)
        finally:
            with app.app_context():
                unregister(db.engine)
                db.session.remove()
                db.engine.dispose()
    if database:
        database.drop()


def file_report(product: Product, phone: str) -> str:
    body = {"service_code": "nid-de-poule", **DOWNTOWN, "phone": phone, "lang": "fr"}
    response = requests.post(product.url + "/api/v1/requests", json=body, timeout=15)
    assert response.status_code == 201, response.text
    return response.json()["tracking_code"]


def test_make_run_starts_the_web_server_and_the_worker(product):
    log = product.log.read_text()
    assert "starting web:" in log and "starting worker:" in log
    assert ("starting celery:" in log) == (product.backend == "postgis")
    ready = wait_until(
        lambda: (
            (r := requests.get(product.url + "/readyz", timeout=5).json())["jobs_on_time"] and r
        ),
        30,
        "the worker to run every job once",
        product.log,
    )
    assert set(ready["jobs"]) == {
        "sweep-outbox",
        "broadcast-alerts",
        "erase-phone-numbers",
        "purge-idempotency-keys",
        "escalate",
        "expire-conversations",
    }


def test_a_receipt_refused_with_503_once_is_delivered_on_the_retry(product, fake):
    fake.reset()
    fake.script(E164, "503")
    code = file_report(product, PHONE)
    wait_until(lambda: fake.sent_to(E164), 60, "the receipt to be sent again", product.log)
    sent = wait_until(
        lambda: [m for m in outbox(product.app, code) if m.state == "sent"],
        15,
        "the retry to be recorded",
        product.log,
    )
    assert [(m.kind, m.attempts, m.uncertain) for m in sent] == [("receipt", 2, False)]
    [receipt] = fake.sent_to(E164)  # one message reached the phone, not two
    assert code in receipt.body
    ready = requests.get(product.url + "/readyz", timeout=5).json()
    assert ready["outbox"]["due"] == 0 and ready["jobs_on_time"] is True
    if product.backend == "postgis":  # with the broker, Celery got the sends (its log
        # line may trail the delivery on a loaded machine: wait for it, boundedly)
        wait_until(
            lambda: "Task casa311.send_message[" in product.log.read_text(),
            30,
            "Celery's log of the send task",
            product.log,
        )


def _admin_headers(product: Product) -> dict:
    from citizen_api.domain.accounts import create_clerk
    from citizen_api.web.auth import issue_token

    with product.app.app_context():
        clerk = create_clerk(db.session, f"admin-{uuid.uuid4().hex[:6]}", "p" * 16, "admin", None)
        db.session.commit()
        token = issue_token(clerk)[0]
        db.session.remove()
    return {"Authorization": f"Bearer {token}"}


def _contact_of(product: Product, code: str, phone_e164: str):
    with product.app.app_context():
        db.session.expire_all()
        report = stored_report(code)
        number = db.session.scalar(
            select(ReporterContact.id).where(ReporterContact.phone_e164 == phone_e164)
        )
        result = (report.contact_id, number)
        db.session.remove()
        return result


def test_the_scheduled_job_erases_a_closed_reports_phone_number(product, fake):
    fake.reset()
    closing, staying = file_report(product, "0661000002"), file_report(product, "0661000003")
    headers = _admin_headers(product)
    runs_before = _erase_runs(product)
    wait_until(lambda: _erase_runs(product) >= runs_before + 2, 20, "two erasures", product.log)
    # Both reports are open: however late the clock, their numbers stay.
    assert all(_contact_of(product, closing, "+212661000002"))
    assert all(_contact_of(product, staying, "+212661000003"))
    ticket = product.url + f"/api/v1/triage/requests/{closing}"
    etag = requests.get(ticket, headers=headers, timeout=10).headers["ETag"]
    closed = requests.patch(
        ticket,
        json={"status": "rejected", "public_note": "Hors du domaine de la commune."},
        headers={**headers, "If-Match": etag},
        timeout=10,
    )
    assert closed.status_code == 200, closed.text
    wait_until(
        lambda: _contact_of(product, closing, "+212661000002") == (None, None),
        20,
        "the erasure job to erase the closed report's number",
        product.log,
    )
    assert all(_contact_of(product, staying, "+212661000003"))  # the open one keeps it
    shown = requests.get(ticket, headers=headers, timeout=10).json()
    assert shown["messages"] and all(m["to"] is None for m in shown["messages"])


def _erase_runs(product: Product) -> int:
    from models import JobRun

    with product.app.app_context():
        row = db.session.get(JobRun, "erase-phone-numbers")
        runs = row.runs if row else 0
        db.session.remove()
        return runs


def test_sigterm_stops_every_process_cleanly(product):
    """As a container runtime or systemd does: SIGTERM to the main process, which passes it
    on; every process finishes and `make run` exits 0. Last in the module: the product
    stops here (the fixture's own stop then finds nothing to do)."""
    [runner] = children(product.process.pid)  # make's recipe execs the runner
    processes = children(runner)
    assert len(processes) == (3 if product.backend == "postgis" else 2)
    os.kill(runner, signal.SIGTERM)
    code = product.process.wait(60)
    log = product.log.read_text()
    assert code == 0, log[-3000:]
    assert "stopped" in log  # the worker's last words
    assert "did not stop" not in log and "exited with" not in log
    assert not [pid for pid in processes if Path(f"/proc/{pid}").exists()]
