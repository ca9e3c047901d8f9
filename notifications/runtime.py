"""The messaging side's runtime: settings, channels, a session factory and the Celery app,
bound to one database engine.

The web app registers one Notifier per engine at start-up; the domain functions
(`outbox.enqueue_*`) find it from the session they are handed, so callers pass nothing
but their session. Messages written in a transaction are handed to Celery only after that
transaction commits (a rolled-back report sends nothing).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from notifications.channels import Channel, build_channels
from notifications.settings import Settings

log = logging.getLogger(__name__)
PENDING_KEY = "casa311_outbox_pending"
DRAIN_KEY = "casa311_outbox_drain"

_notifiers: dict[Engine, Notifier] = {}


class Notifier:
    def __init__(
        self, engine: Engine, settings: Settings, channels: dict[str, Channel] | None = None
    ):
        from notifications.tasks import create_celery

        self.engine, self.settings = engine, settings
        self.channels = channels if channels is not None else build_channels(settings)
        self.Session = sessionmaker(bind=engine, expire_on_commit=False)
        self.celery = create_celery(self)
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        # (name, interval in seconds) of the worker's job that drains broadcasts, once the
        # app registers it (citizen_api.background): while that job runs on time, a
        # broadcast is left to it instead of being sent inside the publishing request.
        self.broadcast_job: tuple[str, float] | None = None

    @property
    def eager(self) -> bool:
        return not self.settings.celery_broker_url

    def send_all(self, claims: list) -> list:
        """Send claimed messages, NOTIFY_SEND_CONCURRENCY at a time; their results in order."""
        from notifications.dispatch import send

        if len(claims) <= 1 or self.settings.notify_send_concurrency <= 1:
            return [send(self, claim) for claim in claims]
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self.settings.notify_send_concurrency, thread_name_prefix="casa311-send"
                )
        return list(self._pool.map(lambda claim: send(self, claim), claims))

    def dispatch(self, message_ids: list[int]) -> None:
        """Hand committed outbox rows to the workers. Never raises: what cannot be handed
        over now stays pending in the database, and the sweep sends it."""
        task = self.celery.tasks["casa311.send_message"]
        for message_id in message_ids:
            try:
                task.delay(message_id)
            except Exception:
                log.exception("could not dispatch message %s; the sweep will", message_id)

    def start_drain(self) -> None:
        """Hand "send what is due, in batches" to a worker. Never raises: if it cannot be
        handed over now, the sweep does it. Without a broker the drain would run inside
        the request that committed: while the worker's broadcast job is alive, it is left
        to that job (seconds later) instead."""
        if self.eager and self.worker_broadcasts():
            log.info("broadcast left to the worker's %s job", self.broadcast_job[0])
            return
        try:
            self.celery.tasks["casa311.drain"].delay(0.0)
        except Exception:
            log.exception("could not start a drain; the sweep will")

    def worker_broadcasts(self) -> bool:
        """Whether a worker runs the broadcast job now: it started within three of its
        intervals, or it is still running (a long broadcast). Never raises (False)."""
        if self.broadcast_job is None:
            return False
        import datetime as dt

        from sqlalchemy import select

        from models import JobRun, utcnow

        name, every = self.broadcast_job
        try:
            with self.Session() as session:
                row = session.execute(
                    select(JobRun.last_started_at, JobRun.last_status, utcnow()).where(
                        JobRun.name == name
                    )
                ).first()
        except Exception:
            log.exception("cannot read the broadcast job's state; sending in the request")
            return False
        if row is None or row.last_started_at is None:
            return False
        age = row[2] - row.last_started_at
        fresh = age <= dt.timedelta(seconds=3 * every + 5)
        running = row.last_status == "running" and age <= dt.timedelta(hours=1)
        return fresh or running


def register(notifier: Notifier) -> Notifier:
    """Make `notifier` the one for its engine, and attach the session listeners that
    hand it what each transaction committed."""
    install_listeners()
    _notifiers[notifier.engine] = notifier
    return notifier


def unregister(engine: Engine) -> None:
    _notifiers.pop(engine, None)


def notifier_for(session: Session) -> Notifier | None:
    try:
        bind = session.get_bind()
    except Exception:
        return None
    engine = bind.engine if hasattr(bind, "engine") else bind
    return _notifiers.get(engine)


def settings_for(session: Session) -> Settings:
    notifier = notifier_for(session)
    return notifier.settings if notifier else Settings()


def remember(session: Session, message_id: int) -> None:
    """Send this outbox row once the session's transaction commits."""
    session.info.setdefault(PENDING_KEY, []).append(message_id)


def remember_drain(session: Session) -> None:
    """Once the session's transaction commits, start draining the outbox in batches (for
    many rows written by one statement, such as an alert's broadcast)."""
    session.info[DRAIN_KEY] = True


def _after_commit(session: Session) -> None:
    # SQLAlchemy also calls this when a SAVEPOINT (begin_nested) is released: the rows
    # are not committed yet, and a worker could not see them. Wait for the real commit.
    if session.in_nested_transaction():
        return
    ids = session.info.pop(PENDING_KEY, None)
    drain = session.info.pop(DRAIN_KEY, None)
    if not ids and not drain:
        return
    notifier = notifier_for(session)
    if notifier is None:
        log.warning("message(s) committed with no notifier: the sweep will send them")
        return
    if ids:
        notifier.dispatch(ids)
    if drain:
        notifier.start_drain()


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
    session.info.pop(DRAIN_KEY, None)


LISTENERS = (("after_commit", _after_commit), ("after_rollback", _after_rollback))


def install_listeners(session_class: type[Session] = Session) -> None:
    """Dispatch the messages a session committed, to its engine's notifier. Called
    where a notifier is registered; idempotent, so a second app changes nothing."""
    for name, listener in LISTENERS:
        if not event.contains(session_class, name, listener):
            event.listen(session_class, name, listener)
