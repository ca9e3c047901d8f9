"""The app's periodic jobs and the worker that runs them: `flask --app citizen_api worker`.

`make run` starts this worker beside gunicorn (scripts/processes.py), and so does
docker-compose.yml. The built-in jobs:

- sweep-outbox (NOTIFY_SWEEP_SECONDS): send what is due — retries whose backoff is over,
  messages whose worker died (expired leases), anything a lost task left;
- erase-phone-numbers (PHONE_ERASE_EVERY_SECONDS): the numbers of reports closed more
  than PHONE_RETENTION_DAYS ago;
- purge-idempotency-keys (IDEMPOTENCY_PURGE_EVERY_SECONDS): expired Idempotency-Key records;
- broadcast-alerts (ALERT_BROADCAST_EVERY_SECONDS, 5 s): when an alert's messages are due,
  send everything due in batches (claims with leases: a worker killed mid-broadcast loses
  nothing, and what it sent before dying is not sent again). While this job runs on time,
  publishing an alert leaves its broadcast to it instead of sending inside the request
  (Notifier.worker_broadcasts); with a broker, the drain task queued at publication and
  this job share the work.

Another part adds its own job where it is registered in create_app, after this one:

    jobs_of(app).add("expire-conversations", every=300, run=expire_conversations)

where `expire_conversations(ctx)` opens `ctx.Session()`, does its work in short
transactions, checks `ctx.stopping()` between batches, and returns a count or a dict of
counts for the log. It then runs in the worker under the job's lock (never twice at once,
whatever the number of workers) and /readyz says whether it ran on time.
"""

from __future__ import annotations

import click
from flask import Flask

from citizen_api.extensions import db
from notifications.scheduler import JobContext, Jobs, Scheduler, schedule_status

JOBS_KEY = "casa311_jobs"


def register_background(app: Flask) -> None:
    from citizen_api.notify import notifier_of

    notifier = notifier_of(app)
    settings = notifier.settings
    jobs = app.extensions[JOBS_KEY] = Jobs()
    sweep_every = settings.notify_sweep_seconds

    def sweep_outbox(ctx: JobContext) -> dict:
        from notifications.dispatch import drain

        # Without a broker every message was tried in its request: take all that is due.
        grace = 0.0 if notifier.eager else settings.notify_sweep_grace_seconds
        return drain(notifier, grace_seconds=grace, max_seconds=sweep_every, stop=ctx.stopping)

    def erase_phone_numbers(ctx: JobContext) -> dict:
        from notifications.privacy import erase_expired_numbers

        with ctx.Session() as session:
            erased = erase_expired_numbers(
                session, settings.phone_retention_days, now=ctx.now(session)
            )
            session.commit()
        return {"erased": erased}

    def purge_idempotency_keys(ctx: JobContext) -> dict:
        from citizen_api.web.idempotency import purge_expired

        with ctx.Session() as session:
            return {"purged": purge_expired(session)}

    def broadcast_alerts(ctx: JobContext) -> dict:
        from notifications.dispatch import alert_messages_due, drain

        if not alert_messages_due(notifier):
            return {}
        return drain(notifier, grace_seconds=0.0, stop=ctx.stopping)

    broadcast_every = float(app.config["ALERT_BROADCAST_EVERY_SECONDS"])
    jobs.add("sweep-outbox", sweep_every, sweep_outbox)
    jobs.add("broadcast-alerts", broadcast_every, broadcast_alerts)
    notifier.broadcast_job = ("broadcast-alerts", broadcast_every)
    jobs.add("erase-phone-numbers", app.config["PHONE_ERASE_EVERY_SECONDS"], erase_phone_numbers)
    jobs.add(
        "purge-idempotency-keys",
        app.config["IDEMPOTENCY_PURGE_EVERY_SECONDS"],
        purge_idempotency_keys,
    )

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Run the jobs that are due once, then exit.")
    def worker_command(once):
        """Run the periodic jobs (outbox sweep, phone erasure, ...) until SIGTERM."""
        scheduler = Scheduler(
            db.engine,
            jobs,
            tick=app.config["WORKER_TICK_SECONDS"],
            clock_offset=app.config["JOBS_CLOCK_OFFSET_SECONDS"],
            heartbeat_file=app.config["WORKER_HEARTBEAT_FILE"],
            lease=app.config["WORKER_JOB_LEASE_SECONDS"],
        )
        if once:
            ran = scheduler.run_due()
            click.echo(", ".join(ran) or "no job due")
            return
        scheduler.run_forever()


def jobs_of(app: Flask) -> Jobs:
    return app.extensions[JOBS_KEY]


def background_status(app: Flask) -> dict:
    """What /readyz says of the periodic jobs and the outbox backlog."""
    return schedule_status(db.session, jobs_of(app))
