"""An alert's broadcast drained by the worker's `broadcast-alerts` job (the real Scheduler,
the real twilio SDK, the Prism emulator): while the job runs on time, publishing leaves the
sending to it instead of doing it inside the request; a worker killed in the middle of the
job loses nothing and sends nothing twice; and with WhatsApp configured but no approved
template, publishing still works (every subscriber gets an SMS)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import update

from citizen_api.background import jobs_of
from citizen_api.extensions import db
from citizen_api.notify import notifier_of
from models import OutboundMessage
from notifications.dispatch import claim_due
from notifications.scheduler import Scheduler
from tests.alerts.conftest import water_cut
from tests.conftest import clear_reports
from tests.notifications.test_alert_broadcast import add_subscriber, alert_messages, publisher_app

EVERY = 0.5  # the job's interval here (5 s by default)
NUMBERS = [f"+2126110002{i:02d}" for i in range(12)]


@pytest.fixture(scope="module")
def job_app(app, emulator):
    """WhatsApp and SMS configured, no alert template, the broadcast job every 0.5 s."""
    application = publisher_app(app, emulator, "job-sup", ALERT_BROADCAST_EVERY_SECONDS=EVERY)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def web(job_app, emulator):
    emulator.fake.reset()
    yield job_app.test_client()
    clear_reports(job_app)
    emulator.fake.reset()


def worker(app) -> Scheduler:
    with app.app_context():
        engine = db.engine
    return Scheduler(engine, jobs_of(app), tick=0.05)


def publish(client, app, **overrides):
    headers = {"Authorization": f"Bearer {app.config['TEST_TOKEN']}"}
    response = client.post("/api/v1/alerts", json=water_cut(**overrides), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def subscribers(app) -> None:
    for i, number in enumerate(NUMBERS):
        # Half by WhatsApp, outside its 24-hour window: with no template, an SMS.
        channel, hours = ("whatsapp", 30) if i % 2 else ("sms", None)
        add_subscriber(app, number, ["maarif"], "fr", channel, whatsapp_hours_ago=hours)


def recipients(fake) -> list[str]:
    return sorted(m.to.removeprefix("whatsapp:") for m in fake.messages)


def test_without_a_template_whatsapp_subscribers_get_an_sms(web, job_app, fake):
    subscribers(job_app)
    publish(web, job_app)  # no worker: sent in the request, as before
    assert recipients(fake) == sorted(NUMBERS)
    assert all(not m.to.startswith("whatsapp:") for m in fake.messages)
    assert {m.state for m in alert_messages(job_app)} == {"sent"}


def test_while_the_job_runs_publishing_leaves_the_broadcast_to_it(web, job_app, fake):
    subscribers(job_app)
    scheduler = worker(job_app)
    assert "broadcast-alerts" in scheduler.run_due()  # a worker is up (nothing to send yet)
    assert notifier_of(job_app).worker_broadcasts()
    publish(web, job_app)
    assert fake.messages == []  # the request only queued them
    assert {m.state for m in alert_messages(job_app)} == {"pending"}
    time.sleep(EVERY + 0.1)
    assert "broadcast-alerts" in scheduler.run_due()
    assert recipients(fake) == sorted(NUMBERS)
    assert {m.state for m in alert_messages(job_app)} == {"sent"}


def test_a_worker_killed_mid_job_loses_nothing_and_sends_nothing_twice(web, job_app, fake):
    subscribers(job_app)
    scheduler = worker(job_app)
    scheduler.run_due()
    publish(web, job_app)
    assert fake.messages == []
    # The job's worker claims five, sends three, and is killed before recording anything.
    notifier = notifier_of(job_app)
    claims = claim_due(notifier, 5)
    notifier.send_all(claims[:3])
    assert len(fake.messages) == 3
    with job_app.app_context():  # its leases run out
        db.session.execute(
            update(OutboundMessage)
            .values(lease_until=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
            .where(OutboundMessage.lease_until.is_not(None))
        )
        db.session.commit()
    time.sleep(EVERY + 0.1)
    assert "broadcast-alerts" in scheduler.run_due()
    assert recipients(fake) == sorted(NUMBERS)  # each once: none lost, none twice
    assert {m.state for m in alert_messages(job_app)} == {"sent"}


def test_a_worker_gone_quiet_means_the_request_sends_again(web, job_app, fake):
    subscribers(job_app)
    worker(job_app).run_due()
    with job_app.app_context():  # its last run was long ago: the worker stopped
        from models import JobRun

        db.session.execute(
            update(JobRun)
            .where(JobRun.name == "broadcast-alerts")
            .values(last_started_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC), last_status="ok")
        )
        db.session.commit()
    assert not notifier_of(job_app).worker_broadcasts()
    publish(web, job_app)
    assert recipients(fake) == sorted(NUMBERS)
