"""The periodic jobs' schedule and locks, in-process on both databases; what /readyz says
of them and of the outbox; a message that gives up is told once, without its number."""

from __future__ import annotations

import logging
import time

import pytest

from citizen_api.extensions import db
from models import JobRun
from notifications.dispatch import drain
from notifications.scheduler import Jobs, Scheduler
from tests.notifications.support import E164, PHONE, file_report, outbox


@pytest.fixture
def engine(tw_app):
    with tw_app.app_context():
        yield db.engine
    from tests.conftest import clear_reports

    clear_reports(tw_app)


def scheduler(engine, *jobs, lease: float = 30.0) -> Scheduler:
    registry = Jobs()
    for name, every, run in jobs:
        registry.add(name, every, run)
    return Scheduler(engine, registry, tick=0.05, lease=lease)


def runs(engine, name: str) -> JobRun | None:
    with engine.connect() as conn:
        return conn.execute(JobRun.__table__.select().where(JobRun.name == name)).first()


def test_a_job_running_in_one_worker_is_not_started_by_another(engine):
    """Worker B asks for the job while A is running it, past its interval and past the
    first lease (SQLite's lease is renewed while the job runs): B must not run it. Two
    Scheduler objects, each with its own connections and owner."""
    calls, inner = [], []
    other = None

    def job(ctx):
        calls.append("a")
        time.sleep(0.8)  # longer than the interval and the lease: only the lock refuses B
        inner.append(other.run_job(other.jobs["tick"]))

    a = scheduler(engine, ("tick", 0.01, job), lease=0.45)
    other = scheduler(engine, ("tick", 0.01, lambda ctx: calls.append("b")))
    assert a.owner != other.owner
    assert a.run_job(a.jobs["tick"]) is True
    assert inner == [False] and calls == ["a"]
    row = runs(engine, "tick")
    assert (row.runs, row.last_status, row.lease_owner) == (1, "ok", None)
    assert other.run_job(other.jobs["tick"]) is True  # released: B may run it now
    assert calls == ["a", "b"]


def test_workers_share_one_schedule(engine):
    """A job that ran is not due for any worker until its interval has passed."""
    ran = []
    a = scheduler(engine, ("hourly", 3600, lambda ctx: ran.append("a")))
    b = scheduler(engine, ("hourly", 3600, lambda ctx: ran.append("b")))
    assert a.run_due() == ["hourly"]
    assert b.run_due() == [] and a.run_due() == []
    assert ran == ["a"] and runs(engine, "hourly").runs == 1
    c = scheduler(engine, ("often", 0.2, lambda ctx: ran.append("c")))
    assert c.run_due() == ["often"] and c.run_due() == []
    time.sleep(0.25)
    assert c.run_due() == ["often"]
    assert runs(engine, "often").runs == 2


def test_a_failing_job_is_recorded_and_does_not_hold_its_lock(engine, caplog):
    def broken(ctx):
        raise RuntimeError("the job's own bug, with +212612345678 in it")

    a = scheduler(engine, ("broken", 0.01, broken))
    with caplog.at_level(logging.ERROR, logger="notifications.scheduler"):
        assert a.run_job(a.jobs["broken"]) is True
    row = runs(engine, "broken")
    assert (row.last_status, row.last_summary, row.lease_owner) == ("error", "RuntimeError", None)
    assert "job broken failed" in caplog.text
    time.sleep(0.02)
    assert scheduler(engine, ("broken", 0.01, lambda ctx: None)).run_due() == ["broken"]


def test_readyz_says_whether_the_jobs_ran_on_time_and_how_late_the_outbox_is(
    tw, tw_app, fake, engine
):
    before = tw.get("/readyz").get_json()
    assert before["status"] == "ready"
    assert set(before["jobs"]) == {
        "sweep-outbox",
        "broadcast-alerts",
        "erase-phone-numbers",
        "purge-idempotency-keys",
        "escalate",
        "expire-conversations",
    }
    assert before["jobs_on_time"] is False  # no worker has run them yet
    assert before["outbox"] == {
        "due": 0,
        "oldest_due_seconds": None,
        "oldest_due_message_age_seconds": None,
    }
    fake.script(E164, "500")
    code = file_report(tw)  # the send in the request fails: the receipt waits, due now
    time.sleep(1.1)
    waiting = tw.get("/readyz").get_json()["outbox"]
    assert waiting["due"] == 1
    assert 1.0 <= waiting["oldest_due_seconds"] < 30
    assert 1.0 <= waiting["oldest_due_message_age_seconds"] < 30
    from citizen_api.background import jobs_of

    worker = Scheduler(engine, jobs_of(tw_app), tick=0.05)
    assert worker.run_due() == [
        "sweep-outbox",
        "broadcast-alerts",
        "erase-phone-numbers",
        "purge-idempotency-keys",
        "escalate",
        "expire-conversations",
    ]
    after = tw.get("/readyz").get_json()
    assert after["jobs_on_time"] is True
    assert all(job["last_status"] == "ok" for job in after["jobs"].values())
    assert after["outbox"]["due"] == 0
    assert outbox(tw_app, code)[0].state == "sent"
    assert PHONE not in str(after) and E164 not in str(after)


@pytest.fixture(scope="session")
def admin(tw_app) -> dict:
    from citizen_api.domain.accounts import create_clerk
    from citizen_api.web.auth import issue_token

    with tw_app.app_context():
        clerk = create_clerk(db.session, "outbox-admin", "correct horse battery", "admin", None)
        db.session.commit()
        token = issue_token(clerk)[0]
        db.session.remove()
    return {"Authorization": f"Bearer {token}"}


def test_a_message_that_gives_up_is_logged_once_with_its_id_and_shown_to_clerks(
    tw, tw_app, fake, notifier, caplog, admin
):
    fake.magic[E164] = (21211, "Invalid 'To' Phone Number")  # a permanent refusal
    with caplog.at_level(logging.INFO, logger="notifications.dispatch"):
        code = file_report(tw)
        drain(notifier, grace_seconds=0)  # a sweep after it: nothing left to try
    [message] = outbox(tw_app, code)
    assert message.state == "dead"
    [warning] = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and r.name == "notifications.dispatch"
    ]
    assert warning.startswith(f"message {message.id} gave up after attempt 1: ")
    assert "21211" in warning  # Twilio's code says why
    assert "612345678" not in caplog.text and "•" not in warning
    ticket = tw.get(f"/api/v1/triage/requests/{code}", headers=admin).get_json()
    [shown] = ticket["messages"]
    assert (shown["id"], shown["state"], shown["error_code"]) == (message.id, "dead", 21211)
    assert "21211" in shown["last_error"]


def test_a_message_out_of_attempts_is_logged_once(tw_app, fake, emulator, caplog):
    from citizen_api.notify import notifier_of
    from notifications.runtime import unregister
    from tests.conftest import clear_reports
    from tests.helpers import make_app
    from tests.notifications.conftest import twilio_config

    app = make_app(tw_app.config["DATABASE_URL"], **twilio_config(emulator, NOTIFY_MAX_ATTEMPTS=2))
    fake.reset()
    try:
        fake.script(E164, "500", "500", "500")
        with caplog.at_level(logging.INFO, logger="notifications.dispatch"):
            code = file_report(app.test_client())  # attempt 1, in the request
            drain(notifier_of(app), grace_seconds=0)  # attempt 2: the last
            drain(notifier_of(app), grace_seconds=0)  # nothing left to try
        [message] = outbox(app, code)
        assert (message.state, message.attempts) == ("dead", 2)
        [warning] = [
            r.getMessage()
            for r in caplog.records
            if r.levelno == logging.WARNING and r.name == "notifications.dispatch"
        ]
        assert warning.startswith(f"message {message.id} gave up after attempt 2: ")
        assert "500" in warning
    finally:
        clear_reports(app)
        with app.app_context():
            unregister(db.engine)
            db.session.remove()
            db.engine.dispose()
        fake.reset()
