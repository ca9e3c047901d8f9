"""Outbox dispatch throughput, as performance.md states the target: N pending messages sent
by W worker *processes* to a local Twilio emulator on 127.0.0.1, on PostgreSQL; then
checks that none was lost and none sent twice (at the emulator, by body, and in the
outbox: every row sent, its SID one the emulator issued). Not run by the tests.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/DB \\
        python bench/outbox_dispatch.py --count 4000 --workers 4 --mode drain --rounds 3

Modes (what each worker process runs):
- deliver: `notifications.dispatch.deliver(id)` for its share of the ids, one by one
  (what a Celery worker does with one `casa311.send_message` task per message);
- drain: `notifications.dispatch.drain()`: every worker claims batches of due messages
  from the same table until none is left (what the `casa311.drain` task does);
- celery: W real Celery workers (--pool=solo) on Redis (CASA311_BENCH_REDIS_URL, default
  redis://127.0.0.1:6379/12, a throwaway queue), fed `casa311.drain` tasks.

The emulator is the stateful fake of the tests (tests/notifications/twilio_fake.py), in
its own process; `--prism` puts Stoplight Prism (`prism proxy --errors`, Twilio's OpenAPI
spec; `make emulator` installs it) in front of it. The database must be migrated and
seeded; the bench's messages and reports are deleted after each round.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing as mp
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SID, TOKEN = "AC" + "ab" * 16, "t" * 32
PHONES = 50  # distinct recipients (one report each); messages are spread over them
REDIS_URL = os.environ.get("CASA311_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")


def twilio_config(url: str, count: int, **extra) -> dict:
    return {
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_SMS_FROM": "CASA311",
        "TWILIO_API_BASE_URL": url,
        "PUBLIC_BASE_URL": "https://casa311.test",
        "NOTIFY_DAILY_CAP": str(count + PHONES + 1),
        **extra,
    }


# --- the emulator, in its own process ------------------------------------------------
def run_fake(conn, server: str, templates: dict | None = None) -> None:
    """The fake in this process, answering `conn`'s commands; `templates` are the WhatsApp
    Content templates it knows (ContentSid -> text), as bench/alerts.py needs."""
    from tests.notifications.twilio_fake import TwilioFake

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is 8"
    fake = TwilioFake(SID, TOKEN)
    fake.reset = lambda reset=fake.reset: (reset(), fake.templates.update(templates or {}))
    fake.templates.update(templates or {})
    if server == "waitress":
        # werkzeug's server closes every connection ("Connection: close"): a new TCP
        # connection and thread per request. Twilio and Prism keep connections alive;
        # waitress serves the same fake with keep-alive.
        from waitress.server import create_server

        waitress = create_server(fake.wsgi, host="127.0.0.1", port=0, threads=8)
        threading.Thread(target=waitress.run, daemon=True).start()
        fake.stop = waitress.close
        conn.send(f"http://127.0.0.1:{waitress.effective_port}")
    else:
        conn.send(fake.start())
    while True:
        command = conn.recv()
        if command == "collect":
            conn.send(([(m.sid, m.to, m.body) for m in fake.messages], time.process_time()))
        elif command == "reset":
            fake.reset()
            conn.send(time.process_time())
        else:
            fake.stop()
            conn.send("stopped")
            return


def start_prism(fake_url: str):
    spec = subprocess.run(
        [str(ROOT / "tests/emulator/setup.sh")], check=True, capture_output=True, text=True
    ).stdout.strip()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    prism = subprocess.Popen(
        [
            *(str(ROOT / "tests/emulator/node_modules/.bin/prism"), "proxy", "--errors"),
            *("-h", "127.0.0.1", "-p", str(port), spec, fake_url),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "SCARF_ANALYTICS": "false"},
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return prism, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.3)
    prism.kill()
    raise RuntimeError("prism did not start")


# --- the worker processes ------------------------------------------------------------
def worker(mode: str, config: dict, ids: list[int], ready, go, results) -> None:
    from citizen_api import create_app
    from citizen_api.notify import notifier_of
    from notifications.dispatch import deliver

    logging.disable(logging.INFO)  # the per-message log lines go nowhere in the bench
    notifier = notifier_of(create_app(config))
    ready.release()
    go.wait()
    cpu = time.process_time()
    counts: dict[str, int] = {}
    if mode == "deliver":
        for message_id in ids:
            result = deliver(notifier, message_id).result
            counts[result] = counts.get(result, 0) + 1
    else:
        from notifications.dispatch import drain

        for result, n in drain(notifier, until_empty=True).items():
            counts[result] = counts.get(result, 0) + n
    counts["cpu_ms"] = round((time.process_time() - cpu) * 1000)
    results.put(counts)


def start_celery_workers(n: int, env: dict, queue: str, logdir: Path) -> list:
    workers = []
    for i in range(n):
        log = open(logdir / f"celery-{i}.log", "w")  # noqa: SIM115 - closed with the process
        workers.append(
            (
                subprocess.Popen(
                    [
                        *(sys.executable, "-m", "celery", "-A", "citizen_api.worker:celery"),
                        *("worker", "--pool=solo", "-Q", queue, "--loglevel=WARNING"),
                        *("-n", f"bench{i}-{queue}@%h"),
                        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                ),
                log,
            )
        )
    return workers


# --- one round -------------------------------------------------------------------------
def make_messages(app, count: int, tag: str) -> list[int]:
    from sqlalchemy import select, text

    from citizen_api.domain.reporting import file_report
    from citizen_api.extensions import db
    from models import ServiceRequest

    with app.app_context():
        reports = []
        for i in range(PHONES):
            report = file_report(
                db.session,
                service_code="nid-de-poule",
                lat=33.5925,
                long=-7.6191,
                phone=f"06{20000000 + i:08d}",
            )
            reports.append(report.id)
        db.session.info.clear()  # their receipts stay pending: the bench sends them too
        db.session.commit()
        db.session.execute(
            text(
                "INSERT INTO outbound_messages (dedupe_key, request_id, contact_id, kind,"
                "  channel, lang, body, segments, state, attempts, uncertain, next_attempt_at,"
                " created_at, updated_at)"
                " SELECT :tag || ':' || g, r.id, r.contact_id, 'status', 'sms', 'fr',"
                " 'casa311 bench ' || :tag || ' message ' || g, 1, 'pending', 0, false,"
                " now(), now() - interval '1 minute', now()"
                " FROM generate_series(1, :n) g"
                " JOIN service_requests r ON r.id = (CAST(:ids AS bigint[]))[1 + g % :k]"
            ),
            {"tag": tag, "n": count - PHONES, "ids": reports, "k": PHONES},
        )
        db.session.execute(
            text(
                "UPDATE outbound_messages SET created_at = now() - interval '1 minute'"
                " WHERE request_id = ANY(:ids)"
            ),
            {"ids": reports},
        )
        db.session.commit()
        ids = db.session.scalars(
            text("SELECT id FROM outbound_messages WHERE request_id = ANY(:ids) ORDER BY id"),
            {"ids": reports},
        ).all()
        assert db.session.scalar(select(ServiceRequest.id).where(ServiceRequest.id == reports[0]))
        return list(ids)


def check_and_clear(app, ids: list[int], at_fake: list) -> dict:
    from sqlalchemy import delete, select, text

    from citizen_api.extensions import db
    from models import OutboundMessage, ServiceRequest

    with app.app_context():
        rows = db.session.execute(
            select(OutboundMessage.state, OutboundMessage.provider_sid).where(
                OutboundMessage.id.in_(ids)
            )
        ).all()
        bodies = db.session.execute(
            text("SELECT body FROM outbound_messages WHERE id = ANY(:ids)"), {"ids": ids}
        ).scalars()
        bodies = set(bodies)
        db.session.execute(
            delete(ServiceRequest).where(
                ServiceRequest.id.in_(
                    select(OutboundMessage.request_id).where(OutboundMessage.id.in_(ids))
                )
            )
        )
        db.session.commit()
    mine = [m for m in at_fake if m[2] in bodies]
    fake_sids = {m[0] for m in mine}
    states: dict[str, int] = {}
    for state, _sid in rows:
        states[state] = states.get(state, 0) + 1
    return {
        "states": states,
        "at_fake": len(mine),
        "distinct_bodies_at_fake": len({m[2] for m in mine}),
        "sids_match": {sid for _state, sid in rows} == fake_sids,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--mode", choices=("deliver", "drain", "celery"), default="drain")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--prism", action="store_true", help="Prism in front of the fake")
    parser.add_argument(
        "--server",
        choices=("werkzeug", "waitress"),
        default="werkzeug",
        help="what serves the fake: werkzeug (as in the tests; a connection per request) "
        "or waitress (keep-alive, as Twilio and Prism)",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to a migrated, seeded PostgreSQL database")
    os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 40)

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    fake_process = ctx.Process(target=run_fake, args=(child, args.server), daemon=True)
    fake_process.start()
    fake_url = parent.recv()
    prism, url = start_prism(fake_url) if args.prism else (None, fake_url)

    from citizen_api import create_app

    logging.disable(logging.INFO)
    # The bench's own app never dispatches (a broker it never reaches): workers send.
    app = create_app(twilio_config(url, args.count, CELERY_BROKER_URL="redis://127.0.0.1:1/0"))
    rates = []
    try:
        for round_ in range(args.rounds):
            parent.send("reset")
            fake_cpu = parent.recv()
            tag = f"b{uuid.uuid4().hex[:8]}"
            ids = make_messages(app, args.count, tag)
            elapsed, counts = run_round(args, ctx, url, ids)
            parent.send("collect")
            at_fake, fake_cpu_after = parent.recv()
            check = check_and_clear(app, ids, at_fake)
            fake_cpu_ms = round((fake_cpu_after - fake_cpu) * 1000)
            rate = len(ids) / elapsed
            rates.append(rate)
            ok = (
                check["states"] == {"sent": len(ids)}
                and check["at_fake"] == len(ids) == check["distinct_bodies_at_fake"]
                and check["sids_match"]
            )
            print(
                f"round {round_ + 1}: {len(ids)} messages, {args.workers} {args.mode} workers"
                f" to the fake on {args.server}{' via prism' if prism else ''}: "
                f"{elapsed:.2f} s = {rate:.0f} messages/s; "
                f"outbox {check['states']}, at the emulator {check['at_fake']} "
                f"({check['distinct_bodies_at_fake']} distinct), SIDs match: "
                f"{check['sids_match']}; workers {counts}, emulator cpu_ms {fake_cpu_ms} "
                f"-> {'OK' if ok else 'FAILED'}",
                flush=True,
            )
    finally:
        if prism:
            prism.terminate()
            prism.wait(10)
        parent.send("stop")
        parent.recv()
        fake_process.join(5)
    print(
        f"median {statistics.median(rates):.0f} messages/s "
        f"(min {min(rates):.0f}, max {max(rates):.0f}, {len(rates)} rounds)"
    )


def run_round(args, ctx, url: str, ids: list[int]) -> tuple[float, dict]:
    config = twilio_config(url, args.count)
    if args.mode == "celery":
        return run_celery_round(args, config, ids)
    config["CELERY_BROKER_URL"] = "redis://127.0.0.1:1/0"  # never reached
    ready, go, results = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
    processes = [
        ctx.Process(
            target=worker,
            args=(args.mode, config, ids[i :: args.workers], ready, go, results),
        )
        for i in range(args.workers)
    ]
    for p in processes:
        p.start()
    for _ in processes:
        if not ready.acquire(timeout=60):
            raise RuntimeError("a worker did not start")
    started = time.perf_counter()
    go.set()
    counts: dict[str, int] = {}
    for _ in processes:
        for k, v in results.get(timeout=600).items():
            counts[k] = counts.get(k, 0) + v
    elapsed = time.perf_counter() - started
    for p in processes:
        p.join(10)
    return elapsed, counts


def run_celery_round(args, config: dict, ids: list[int]) -> tuple[float, dict]:
    import tempfile

    import redis
    from sqlalchemy import create_engine, text

    from notifications.runtime import Notifier
    from notifications.settings import Settings

    queue = f"casa311-bench-{uuid.uuid4().hex[:8]}"
    config = {**config, "CELERY_BROKER_URL": REDIS_URL, "CELERY_QUEUE": queue}
    env = {**os.environ, **config, "PYTHONPATH": str(ROOT)}
    logdir = Path(tempfile.mkdtemp(prefix="casa311-bench-"))
    workers = start_celery_workers(args.workers, env, queue, logdir)
    engine = create_engine(os.environ["DATABASE_URL"])
    notifier = Notifier(engine, Settings.from_mapping(config), channels={})
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # each worker logs "ready" at WARNING? no: ping
            replies = notifier.celery.control.ping(timeout=0.5) or []
            if len(replies) >= args.workers:
                break
        started = time.perf_counter()
        notifier.celery.tasks["casa311.sweep"].delay()
        deadline = time.monotonic() + 600
        with engine.connect() as connection:
            while time.monotonic() < deadline:
                left = connection.scalar(
                    text(
                        "SELECT count(*) FROM outbound_messages"
                        " WHERE id = ANY(:ids) AND state = 'pending'"
                    ),
                    {"ids": ids},
                )
                connection.commit()
                if left == 0:
                    break
                time.sleep(0.02)
        elapsed = time.perf_counter() - started
        return elapsed, {"left pending": left}
    finally:
        for process, _log in workers:
            process.send_signal(signal.SIGTERM)
        for process, log in workers:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
        notifier.celery.close()
        redis.Redis.from_url(REDIS_URL).delete(queue)
        engine.dispose()


if __name__ == "__main__":
    main()
