"""Celery tasks: send one message, sweep what was left pending, erase old phone numbers.

One Celery app per Notifier. With CELERY_BROKER_URL unset the app is eager: tasks run
in-process, right after the commit that wrote the message (so `make run` needs no
broker); retries then wait for the worker's next sweep. With a broker (Redis in
production) a Celery worker sends and retries itself after the backoff:

    celery -A citizen_api.worker:celery worker --loglevel=INFO

There is no beat schedule: the periodic jobs (the sweep, the erasure) run in casa311's
own worker (`flask --app citizen_api worker`, notifications/scheduler.py), under locks
that keep them from running twice at once; Celery beat has none. `casa311.sweep` stays a
task for fanning a large backlog out over many Celery workers (bench/outbox_dispatch.py).
"""

from __future__ import annotations

import logging

from celery import Celery

log = logging.getLogger(__name__)


def create_celery(notifier) -> Celery:
    settings = notifier.settings
    broker = settings.celery_broker_url
    app = Celery("casa311", broker=broker or "memory://localhost/", set_as_current=False)
    app.conf.update(
        task_always_eager=not broker,
        task_eager_propagates=False,
        task_default_queue=settings.celery_queue,
        task_ignore_result=True,
        # A task is acknowledged after it ran: a worker killed mid-task leaves it queued.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=3,
        broker_transport_options={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
        worker_hijack_root_logger=False,
    )

    @app.task(name="casa311.send_message", bind=True, shared=False)
    def send_message(task, message_id: int) -> str:
        from notifications.dispatch import deliver

        outcome = deliver(notifier, message_id)
        if outcome.result in ("retry", "not-due") and not notifier.eager:
            task.apply_async((message_id,), countdown=outcome.retry_in)
        return outcome.result

    @app.task(name="casa311.drain", shared=False)
    def drain_outbox(grace_seconds: float = 15.0) -> dict:
        """Send due messages in batches until none is left (or a sweep period went by)."""
        from notifications.dispatch import drain

        return drain(
            notifier, grace_seconds=grace_seconds, max_seconds=settings.notify_sweep_seconds
        )

    @app.task(name="casa311.sweep", shared=False)
    def sweep() -> int:
        """Start enough drain tasks for what is due (at most NOTIFY_SWEEP_BATCH messages'
        worth); each claims batches with the others until nothing is due."""
        from notifications.dispatch import due

        ids = due(notifier)
        if ids:
            log.info("sweep: %d pending message(s) to send", len(ids))
        batch = max(settings.notify_claim_batch, 1)
        for _ in range(-(-len(ids) // batch)):
            drain_outbox.delay()
        return len(ids)

    @app.task(name="casa311.erase_phone_numbers", shared=False)
    def erase_phone_numbers() -> int:
        from notifications.privacy import erase_expired_numbers

        with notifier.Session() as session:
            erased = erase_expired_numbers(session, settings.phone_retention_days)
            session.commit()
        return erased

    return app
