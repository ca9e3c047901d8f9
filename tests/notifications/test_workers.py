"""Real processes: a sender killed mid-send loses nothing and sends nothing twice, and a
real Celery worker on the running Redis sends what the web app commits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

from citizen_api.extensions import db
from citizen_api.notify import notifier_of
from notifications.dispatch import deliver, due
from notifications.runtime import unregister
from tests.helpers import make_app
from tests.notifications.conftest import twilio_config
from tests.notifications.support import E164, file_report, outbox

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("CASA311_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
DELIVER_ONE = """
import sys
from citizen_api import create_app
from citizen_api.notify import notifier_of
from notifications.dispatch import deliver
print(deliver(notifier_of(create_app()), int(sys.argv[1]), force=True).result, flush=True)
"""


def wait_until(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting {seconds}s for {what}")


def env_for(app, emulator, **extra) -> dict:
    config = twilio_config(emulator, DATABASE_URL=app.config["DATABASE_URL"], **extra)
    # A child process builds its app outside test mode: it needs a real secret key.
    child = {"PYTHONPATH": str(ROOT), "SECRET_KEY": "test-" + "k" * 40}
    return {**os.environ, **{k: str(v) for k, v in config.items()}, **child}


@pytest.mark.parametrize("fault", ["timeout", "timeout-accepted"])
def test_a_sender_killed_mid_send_loses_nothing_and_sends_once(
    tw, tw_app, fake, notifier, emulator, fault
):
    fake.script(E164, "500")  # the in-request attempt fails: the message stays pending
    code = file_report(tw)
    [message] = outbox(tw_app, code)
    assert message.state == "pending"
    fake.script(E164, fault)  # the next attempt hangs at Twilio...
    seen = len(fake.requests)
    env = env_for(tw_app, emulator, TWILIO_TIMEOUT_SECONDS="30", NOTIFY_LEASE_SECONDS="2")
    sender = subprocess.Popen(
        [sys.executable, "-c", DELIVER_ONE, str(message.id)], env=env, cwd=ROOT
    )
    try:
        wait_until(lambda: len(fake.requests) > seen, 30, "the sender to call Twilio")
    finally:
        sender.send_signal(signal.SIGKILL)  # ...and the sender dies there
        sender.wait(10)
    claimed = outbox(tw_app, code)[0]
    assert (claimed.state, claimed.attempts) == ("pending", 2)
    assert claimed.lease_until is not None  # claimed, outcome never recorded
    assert message.id not in due(notifier, grace_seconds=0)  # its lease still holds
    wait_until(lambda: message.id in due(notifier, grace_seconds=0), 10, "the lease to expire")
    assert deliver(notifier, message.id).result == "sent"
    assert len(fake.sent_to(E164)) == 1  # sent exactly once either way
    assert outbox(tw_app, code)[0].state == "sent"


@pytest.fixture
def redis_queue():
    name = f"casa311-test-{uuid.uuid4().hex[:10]}"
    connection = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    connection.ping()
    yield name
    connection.delete(name)
    connection.close()


def test_a_real_celery_worker_on_redis_sends_and_retries(
    app, emulator, fake, redis_queue, tmp_path
):
    fake.reset()
    extra = {"CELERY_BROKER_URL": REDIS_URL, "CELERY_QUEUE": redis_queue}
    web = make_app(app.config["DATABASE_URL"], **twilio_config(emulator, **extra))
    log = tmp_path / "worker.log"
    with open(log, "w") as out:
        worker = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "citizen_api.worker:celery", "worker"),
                *("--pool=solo", "-Q", redis_queue, "--loglevel=INFO"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            env=env_for(app, emulator, **extra),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        client = web.test_client()
        code = file_report(client)
        assert outbox(web, code)[0].state == "pending"  # the web app only queued it
        wait_until(lambda: fake.sent_to(E164), 60, f"the worker to send ({log.read_text()})")
        wait_until(lambda: outbox(web, code)[0].state == "sent", 10, "the worker to record it")
        other = "+212661000001"
        fake.script(other, "500")
        second = file_report(client, phone="0661000001")
        wait_until(lambda: fake.sent_to(other), 30, "the worker to retry after a 500")
        message = wait_until(
            lambda: [m for m in outbox(web, second) if m.state == "sent"], 10, "the retry"
        )[0]
        assert message.attempts == 2
        assert len(fake.sent_to(E164)) == 1 and len(fake.sent_to(other)) == 1
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(5)
        from tests.conftest import clear_reports

        clear_reports(web)
        with web.app_context():
            unregister(db.engine)
            notifier_of(web).celery.close()
            db.session.remove()
            db.engine.dispose()
        fake.reset()
