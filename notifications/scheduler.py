"""Periodic jobs that keep casa311's promises, run by the worker process beside the web
server: the outbox sweep, the phone erasure, the idempotency purge, and whatever else a
part registers (`Jobs.add`).

One schedule for any number of workers. A job is due when its last start, recorded in
`job_runs` by whichever worker ran it, is older than its interval. A worker runs a due job
only while it holds the job's lock, and claims the run with one conditional UPDATE that
re-checks the schedule under the lock, so two workers (or two hosts) never run a job
twice at once nor twice in one interval:

- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection of
  its own; a worker that dies loses its connection and with it the lock.
- SQLite: the job's row is the lock (`lease_owner` until `lease_until`), taken by the
  same conditional UPDATE and renewed while the job runs; a worker that dies leaves a
  lease that runs out within WORKER_JOB_LEASE_SECONDS.

A stop (SIGTERM, SIGINT) lets the job in flight finish (the sweep stops between batches,
so no message stays claimed) and then leaves. Flask-free: the app registers the jobs
(citizen_api.background) and `flask --app citizen_api worker` runs them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from models import JobRun, OutboundMessage, utcnow

log = logging.getLogger(__name__)

# name -> (default, type); merged into citizen_api.config.SETTINGS.
JOB_SETTINGS: dict[str, tuple[object, type]] = {
    # How often the worker looks for due jobs, in seconds.
    "WORKER_TICK_SECONDS": (1.0, float),
    # SQLite: how long a job's lock outlives a worker killed while running it (the worker
    # renews it every third of this while the job runs).
    "WORKER_JOB_LEASE_SECONDS": (30.0, float),
    # A file the worker touches at every tick (its container's health check reads it).
    "WORKER_HEARTBEAT_FILE": ("", str),
    # Intervals of the built-in jobs (the sweep's is NOTIFY_SWEEP_SECONDS), in seconds.
    "PHONE_ERASE_EVERY_SECONDS": (3600, int),
    "IDEMPOTENCY_PURGE_EVERY_SECONDS": (3600, int),
    # How often the worker looks for an alert's broadcast to send (citizen_api.background).
    "ALERT_BROADCAST_EVERY_SECONDS": (5.0, float),
    # Drills and tests only: the jobs that compare dates (the erasure) act as if the clock
    # were this many seconds later. The web app never reads it. 0 in production.
    "JOBS_CLOCK_OFFSET_SECONDS": (0.0, float),
}


@dataclass(frozen=True)
class Job:
    """A periodic job: a name, an interval, and a function of a JobContext that returns
    a short summary for the log (a count, a dict of counts, a string, or None)."""

    name: str
    every: float
    run: Callable[[JobContext], object]

    @property
    def late_after(self) -> float:
        """Seconds since the last start after which the job is late: two intervals and a
        margin for a busy worker."""
        return 2 * self.every + 30


class Jobs:
    """The app's periodic jobs, in the order they were added."""

    def __init__(self):
        self._jobs: dict[str, Job] = {}

    def add(self, name: str, every: float, run: Callable[[JobContext], object]) -> Job:
        if name in self._jobs:
            raise ValueError(f"a periodic job named {name!r} is registered already")
        if len(name) > 64 or every <= 0:
            raise ValueError(f"job {name!r}: a name of at most 64 characters, every > 0")
        job = self._jobs[name] = Job(name, float(every), run)
        return job

    def __iter__(self):
        return iter(self._jobs.values())

    def __getitem__(self, name: str) -> Job:
        return self._jobs[name]


@dataclass
class JobContext:
    """What a running job is handed: sessions on the app's database, the database clock
    (shifted by JOBS_CLOCK_OFFSET_SECONDS), and whether the worker was asked to stop."""

    Session: sessionmaker
    clock_offset: dt.timedelta
    stopping: Callable[[], bool]

    def now(self, session: Session) -> dt.datetime:
        return session.scalar(select(utcnow())) + self.clock_offset


def summarize(result: object) -> str:
    """A job's result for the log and job_runs: "3 sent, 1 retry"; "" when it did nothing."""
    if isinstance(result, dict):
        return ", ".join(f"{n} {k}" for k, n in sorted(result.items()) if n)
    return "" if result is None else str(result)


def _lock_key(name: str) -> int:
    """A stable 64-bit advisory lock key for a job name (one namespace: casa311 jobs)."""
    digest = hashlib.sha256(f"casa311-job:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class Scheduler:
    """Runs the due jobs of one worker process, under their locks."""

    def __init__(
        self,
        engine: Engine,
        jobs: Jobs,
        *,
        tick: float = 1.0,
        clock_offset: float = 0.0,
        heartbeat_file: str = "",
        lease: float = 30.0,
    ):
        self.engine, self.jobs, self.tick, self.lease = engine, jobs, tick, lease
        self.Session = sessionmaker(bind=engine, expire_on_commit=False)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"[:100]
        self.heartbeat = Path(heartbeat_file) if heartbeat_file else None
        self.stop_event = threading.Event()
        self.context = JobContext(
            self.Session, dt.timedelta(seconds=clock_offset), self.stop_event.is_set
        )
        self.postgres = engine.dialect.name == "postgresql"

    # --- the loop ----------------------------------------------------------------------
    def run_forever(self) -> None:
        """Run due jobs every tick until SIGTERM or SIGINT; the job in flight finishes."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        schedule = ", ".join(f"{j.name} every {j.every:g}s" for j in self.jobs)
        log.info("worker %s: %s", self.owner, schedule)
        if self.context.clock_offset:
            offset = self.context.clock_offset
            log.warning("JOBS_CLOCK_OFFSET_SECONDS is set: the jobs act %s ahead", offset)
        while not self.stop_event.is_set():
            self.run_due()
            self._beat()
            self.stop_event.wait(self.tick)
        log.info("worker %s: stopped", self.owner)

    def _on_signal(self, signum, _frame) -> None:
        log.info("worker %s: %s received, finishing the job in flight", self.owner, signum)
        self.stop_event.set()

    def _beat(self) -> None:
        if self.heartbeat:
            try:
                self.heartbeat.touch()
            except OSError:
                log.warning("cannot touch the heartbeat file %s", self.heartbeat)

    def run_due(self) -> list[str]:
        """Run every job that is due and not running elsewhere; the names of those run."""
        ran = []
        try:
            due = self._due_names()
        except Exception as exc:  # the database is away: try again next tick
            log.warning("worker: cannot read the schedule (%s)", type(exc).__name__)
            return ran
        for job in self.jobs:
            if self.stop_event.is_set():
                break
            if job.name in due and self.run_job(job):
                ran.append(job.name)
        return ran

    def _due_names(self) -> set[str]:
        with self.Session() as session:
            now = session.scalar(select(utcnow()))
            rows = dict(session.execute(select(JobRun.name, JobRun.last_started_at)).all())
        return {
            j.name
            for j in self.jobs
            if rows.get(j.name) is None or (now - rows[j.name]).total_seconds() >= j.every
        }

    # --- one job, under its lock ---------------------------------------------------------
    def run_job(self, job: Job) -> bool:
        """Run `job` if this worker gets its lock and it is still due; True if it ran."""
        lock = self._advisory_lock(job) if self.postgres else None
        if self.postgres and lock is None:
            return False
        try:
            if not self._claim(job):
                return False
            started = time.monotonic()
            log.debug("job %s: started", job.name)
            done = threading.Event()
            renewer = None
            if not self.postgres:
                renewer = threading.Thread(target=self._keep_lease, args=(job, done), daemon=True)
                renewer.start()
            try:
                summary, status = summarize(job.run(self.context)), "ok"
            except Exception as exc:
                log.exception("job %s failed", job.name)
                summary, status = type(exc).__name__, "error"
            finally:
                done.set()
                if renewer is not None:
                    renewer.join()
            self._finish(job, status, summary)
            # A run that did nothing is worth a line only when debugging.
            level = logging.INFO if summary or status != "ok" else logging.DEBUG
            log.log(
                level,
                "job %s: %s in %.2fs (%s)",
                job.name,
                status,
                time.monotonic() - started,
                summary or "nothing to do",
            )
            return True
        finally:
            if lock is not None:
                self._advisory_unlock(lock, job)

    def _keep_lease(self, job: Job, done: threading.Event) -> None:
        """SQLite: extend this worker's lease on `job` while it runs."""
        while not done.wait(self.lease / 3):
            try:
                with self.Session() as session:
                    now = session.scalar(select(utcnow()))
                    session.execute(
                        update(JobRun)
                        .where(JobRun.name == job.name, JobRun.lease_owner == self.owner)
                        .values(lease_until=now + dt.timedelta(seconds=self.lease))
                        .execution_options(synchronize_session=False)
                    )
                    session.commit()
            except Exception as exc:  # the next renewal may go through; the lease is long
                log.warning("job %s: cannot renew its lease (%s)", job.name, type(exc).__name__)

    def _advisory_lock(self, job: Job):
        try:
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except Exception as exc:
            log.warning("job %s: no database connection (%s)", job.name, type(exc).__name__)
            return None
        got = conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": _lock_key(job.name)})
        if not got:
            conn.close()
            return None
        return conn

    def _advisory_unlock(self, conn, job: Job) -> None:
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _lock_key(job.name)})
        finally:
            conn.close()  # closing the session releases it in any case

    def _claim(self, job: Job) -> bool:
        """Record this run's start if the job is still due (and, on SQLite, take its
        lease): one conditional UPDATE, so of two workers at most one wins."""
        insert = pg_insert if self.postgres else sqlite_insert
        with self.Session() as session:
            session.execute(insert(JobRun).values(name=job.name, runs=0).on_conflict_do_nothing())
            now = session.scalar(select(utcnow()))
            guard = [
                JobRun.name == job.name,
                or_(
                    JobRun.last_started_at.is_(None),
                    JobRun.last_started_at <= now - dt.timedelta(seconds=job.every),
                ),
            ]
            if not self.postgres:  # the lease is SQLite's lock
                guard.append(or_(JobRun.lease_until.is_(None), JobRun.lease_until < now))
            claimed = session.execute(
                update(JobRun)
                .where(*guard)
                .values(
                    last_started_at=now,
                    last_status="running",
                    runs=JobRun.runs + 1,
                    lease_owner=self.owner,
                    lease_until=now + dt.timedelta(seconds=self.lease),
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            session.commit()
        return claimed == 1

    def _finish(self, job: Job, status: str, summary: str) -> None:
        for attempt in range(3):  # the outcome matters: retry a database hiccup briefly
            try:
                with self.Session() as session:
                    session.execute(
                        update(JobRun)
                        .where(JobRun.name == job.name, JobRun.lease_owner == self.owner)
                        .values(
                            last_finished_at=utcnow(),
                            last_status=status,
                            last_summary=summary[:300] or None,
                            lease_owner=None,
                            lease_until=None,
                        )
                        .execution_options(synchronize_session=False)
                    )
                    session.commit()
                return
            except Exception as exc:
                log.warning("job %s: cannot record its end (%s)", job.name, type(exc).__name__)
                time.sleep(0.5 * (attempt + 1))


def schedule_status(session: Session, jobs: Jobs) -> dict:
    """For /readyz: each job's last start and end, its outcome, and whether it is on time;
    and the outbox's backlog (messages due and not sent, and how long the oldest has been
    due). Never a summary text, never a number."""
    now = session.scalar(select(utcnow()))
    rows = {r.name: r for r in session.scalars(select(JobRun))}
    report = {}
    for job in jobs:
        row = rows.get(job.name)
        started = row.last_started_at if row else None
        report[job.name] = {
            "every_seconds": job.every,
            "last_started_at": started.isoformat() if started else None,
            "last_finished_at": (
                row.last_finished_at.isoformat() if row and row.last_finished_at else None
            ),
            "last_status": row.last_status if row else None,
            "on_time": started is not None and (now - started).total_seconds() <= job.late_after,
        }
    due_count, oldest_due, oldest_created = session.execute(
        select(
            func.count(OutboundMessage.id),
            func.min(OutboundMessage.next_attempt_at),
            func.min(OutboundMessage.created_at),
        ).where(OutboundMessage.state == "pending", OutboundMessage.next_attempt_at <= now)
    ).one()
    return {
        "jobs_on_time": all(j["on_time"] for j in report.values()),
        "jobs": report,
        "outbox": {
            "due": due_count,
            "oldest_due_seconds": _age(now, oldest_due),
            "oldest_due_message_age_seconds": _age(now, oldest_created),
        },
    }


def _age(now: dt.datetime, then) -> float | None:
    if then is None:
        return None
    if isinstance(then, str):  # SQLite's min() of a datetime column comes back as text
        then = dt.datetime.fromisoformat(then).replace(tzinfo=dt.UTC)
    return round(max((now - then).total_seconds(), 0.0), 1)
