"""Worker processes (`flask --app citizen_api worker`, as make run and compose start them):
two at once keep one schedule, so each job runs once per interval and never twice at
once, each message is sent once and each number erased once; SIGTERM in the middle of a
send lets the send finish and be recorded; a worker killed there leaves the message to
another, which sends nothing twice."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import sys
import time
from collections import Counter
from itertools import pairwise

import pytest
from sqlalchemy import text

from citizen_api.extensions import db
from models import JobRun
from tests.conftest import clear_reports
from tests.helpers import db_time
from tests.notifications.conftest import twilio_config
from tests.notifications.processes import child_env, started, stop, wait_until
from tests.notifications.support import E164, file_report, outbox

WORKER = [sys.executable, "-m", "flask", "--app", "citizen_api", "worker"]
INTERVAL = 1.0
STARTED = re.compile(r"^(\S+ \S+) DEBUG notifications\.scheduler: job (\S+): started$", re.M)
DONE = re.compile(r"^\S+ \S+ \w+ notifications\.scheduler: job (\S+): ok in \S+ \((.*)\)$", re.M)


@pytest.fixture
def clean(tw_app, fake):
    fake.reset()
    yield
    clear_reports(tw_app)
    fake.reset()


def worker_env(tw_app, emulator, **extra) -> dict:
    return child_env(
        **twilio_config(emulator, **extra),
        DATABASE_URL=tw_app.config["DATABASE_URL"],
        NOTIFY_SWEEP_SECONDS=int(INTERVAL),
        PHONE_ERASE_EVERY_SECONDS=int(INTERVAL),
        IDEMPOTENCY_PURGE_EVERY_SECONDS=3600,
        WORKER_TICK_SECONDS=0.05,
        PHONE_RETENTION_DAYS=30,
        JOBS_CLOCK_OFFSET_SECONDS=31 * 86400,
        LOG_LEVEL="DEBUG",
    )


def close(tw_app, code: str) -> None:
    with tw_app.app_context():
        db.session.execute(
            text(
                "UPDATE service_requests SET status = 'closed', closed_at = :now "
                "WHERE tracking_code = :code"
            ),
            {"now": db_time(dt.datetime.now(dt.UTC)), "code": code},
        )
        db.session.commit()


def starts(log_text: str) -> list[tuple[dt.datetime, str]]:
    """(when, job) of every run a worker's log says it started."""
    return [
        (dt.datetime.strptime(at, "%Y-%m-%d %H:%M:%S,%f"), job)
        for at, job in STARTED.findall(log_text)
    ]


def total(summaries: list[str], what: str) -> int:
    """The sum of "N <what>" over the runs' summaries ("4 sent", "1 retry, 3 sent")."""
    return sum(int(n) for s in summaries for n in re.findall(rf"(\d+) {what}\b", s))


def test_two_workers_at_once_run_each_job_once_per_interval(
    tw, tw_app, fake, emulator, tmp_path, clean
):
    waiting = [f"+21266100{n:04d}" for n in range(4)]
    for number in waiting:  # four receipts whose first try fails: due for the sweep
        fake.script(number, "500")
        file_report(tw, phone="0" + number[4:])
    closed = [file_report(tw, phone=f"067710{n:04d}") for n in range(3)]
    for code in closed:
        close(tw_app, code)
    env = worker_env(tw_app, emulator)
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    with started(WORKER, env, logs[0]) as a, started(WORKER, env, logs[1]) as b:
        for log in logs:
            wait_until(lambda log=log: "worker " in log.read_text(), 60, "a worker", log)
        began = time.monotonic()
        time.sleep(5)
        elapsed = time.monotonic() - began
        assert stop(a) == 0 and stop(b) == 0
    texts = [log.read_text() for log in logs]
    started_runs = [run for t in texts for run in starts(t)]
    done = [run for t in texts for run in DONE.findall(t)]
    per_job = Counter(job for _, job in started_runs)
    with tw_app.app_context():
        recorded = {r.name: r.runs for r in db.session.query(JobRun)}
        db.session.remove()
    # Each run is told once, by the worker that ran it, counted once in job_runs, and ended.
    assert per_job == Counter(recorded) == Counter(job for job, _ in done)
    # Both workers took part: each ran some of the jobs.
    assert all(starts(t) for t in texts), [Counter(j for _, j in starts(t)) for t in texts]
    # One schedule for both: at most one run per interval (plus the first one) over the
    # span the runs cover, where two workers each on its own clock would run about twice
    # as many; and never two runs of a job within one interval.
    for job in ("sweep-outbox", "erase-phone-numbers"):
        times = sorted(at for at, name in started_runs if name == job)
        span = (times[-1] - times[0]).total_seconds()
        assert span >= elapsed - 2 * INTERVAL, (job, span, elapsed)  # it ran all along
        assert 2 <= per_job[job] <= (span + 0.5) / INTERVAL + 1, (job, per_job, span)
        gaps = [(later - earlier).total_seconds() for earlier, later in pairwise(times)]
        assert min(gaps) >= INTERVAL * 0.9, (job, gaps)
    # Each waiting receipt sent once, each closed report's number erased once.
    assert [len(fake.sent_to(number)) for number in waiting] == [1, 1, 1, 1]
    assert total([s for job, s in done if job == "sweep-outbox"], "sent") == 4
    assert total([s for job, s in done if job == "erase-phone-numbers"], "erased") == 3
    for code in closed:
        assert all(m.contact_id is None for m in outbox(tw_app, code))


def test_sigterm_during_a_send_lets_it_finish_and_be_recorded(
    tw, tw_app, fake, emulator, tmp_path, clean
):
    fake.script(E164, "500", "timeout-accepted")  # the sweep's send takes 3 s at Twilio
    code = file_report(tw)
    env = worker_env(tw_app, emulator, TWILIO_TIMEOUT_SECONDS=10)
    log = tmp_path / "worker.log"
    seen = len(fake.requests)
    with started(WORKER, env, log) as worker:
        wait_until(lambda: len(fake.requests) > seen, 60, "the worker to call Twilio", log)
        stopped_at = time.monotonic()
        assert stop(worker, 30) == 0
        took = time.monotonic() - stopped_at
    [message] = outbox(tw_app, code)
    # The send in flight finished and was recorded: nothing stays claimed.
    assert (message.state, message.lease_until, message.attempts) == ("sent", None, 2)
    assert len(fake.sent_to(E164)) == 1
    assert 1.0 < took < 20  # it waited for Twilio's answer, then left
    assert "finishing the job in flight" in log.read_text()


def test_a_worker_killed_mid_send_leaves_the_message_to_another_worker(
    tw, tw_app, fake, emulator, tmp_path, clean
):
    fake.script(E164, "500", "timeout-accepted")  # Twilio accepts the sweep's send, slowly
    code = file_report(tw)
    env = worker_env(
        tw_app,
        emulator,
        TWILIO_TIMEOUT_SECONDS=30,
        NOTIFY_LEASE_SECONDS=2,
        WORKER_JOB_LEASE_SECONDS=3,
    )
    seen = len(fake.requests)
    with started(WORKER, env, tmp_path / "a.log") as first:
        wait_until(lambda: len(fake.requests) > seen, 60, "the worker to call Twilio")
        os.killpg(first.pid, signal.SIGKILL)  # dies with the send in flight
        first.wait(10)
    [claimed] = outbox(tw_app, code)
    assert claimed.state == "pending" and claimed.lease_until is not None
    with started(WORKER, env, tmp_path / "b.log") as second:
        [sent] = wait_until(
            lambda: [m for m in outbox(tw_app, code) if m.state == "sent"],
            40,
            "another worker to take the message over",
            tmp_path / "b.log",
        )
        assert stop(second) == 0
    # The second worker asked Twilio first, found the first one's send, and adopted it.
    assert len(fake.sent_to(E164)) == 1
    assert (sent.attempts, sent.lease_until) == (3, None)
    assert sent.provider_sid == fake.sent_to(E164)[0].sid
