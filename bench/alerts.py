"""Alert broadcast at scale, on a throwaway PostGIS database (created and dropped here):

1. queue: publishing an alert to SUBSCRIBERS subscribers (a mix of fr/ar/en, WhatsApp in
   and out of the 24-hour window, SMS, some subscribed to two covered areas, 20 % more in
   areas the alert does not cover) through the real domain call (validate, insert, one
   INSERT ... SELECT into the outbox, commit), against the physical limit measured in the
   same run: a bare INSERT ... SELECT of as many outbox rows from generate_series.
   Interleaved, --rounds each, medians.
2. dispatch: W worker processes drain --dispatch of those alert messages to the Twilio
   fake (its own process, WhatsApp templates known), against the same number of ordinary
   status messages (bench/outbox_dispatch.py's), interleaved; messages/s of each.
3. crash: one worker drains, is killed (SIGKILL) mid-broadcast; after its leases expire
   two workers finish. Counted at the fake: every number once, none twice.
4. incident: --incident-reports open reports (half the reporters with two) linked to one
   incident; one update (`update_incident`: every report moved, an event each, one
   message per reporter) timed to its commit, against bare SQL doing the same writes
   (UPDATE of the reports, INSERT of the events and of the messages) in the same run.

    python bench/alerts.py --subscribers 100000 --rounds 3 --dispatch 3000 --workers 4

Not run by the tests.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing as mp
import os
import signal
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.outbox_dispatch import (  # noqa: E402
    SID,
    TOKEN,
    check_and_clear,
    make_messages,
    run_fake,
    worker,
)

TEMPLATES = {"fr": "HX" + "1" * 32, "ar": "HX" + "2" * 32}
COVERED = ["maarif", "anfa", "sidi-belyout", "hay-hassani"]
SERVER = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def app_config(database_url: str, twilio_url: str, **extra) -> dict:
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-" + "k" * 40,
        "RATELIMIT_ENABLED": False,
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_SMS_FROM": "CASA311",
        "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886",
        "TWILIO_ALERT_CONTENT_SIDS": ",".join(f"{k}={v}" for k, v in TEMPLATES.items()),
        "TWILIO_API_BASE_URL": twilio_url,
        "PUBLIC_BASE_URL": "https://casa311.test",
        "NOTIFY_DAILY_CAP": "1000000",
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",  # never reached: workers send
        "STATEMENT_TIMEOUT_MS": 0,  # filling 120,000 subscribers takes longer than 5 s
        **extra,
    }


def sql(app, statement: str, **params):
    from sqlalchemy import text

    from citizen_api.extensions import db

    with app.app_context():
        result = db.session.execute(text(statement), params)
        rows = result.all() if result.returns_rows else result.rowcount
        db.session.commit()
        return rows


def fill_subscribers(app, n: int) -> None:
    """n subscribers of the covered areas (10 % in two of them) and n/5 elsewhere."""
    extra = n // 5
    sql(
        app,
        "INSERT INTO reporter_contacts (phone_e164, created_at, whatsapp_at)"
        " SELECT '+2126' || lpad(g::text, 8, '0'), now(),"
        "  CASE WHEN g % 10 < 4 THEN now() - interval '2 hours'"
        "       WHEN g % 10 < 7 THEN now() - interval '3 days' END"
        " FROM generate_series(1, :total) g",
        total=n + extra,
    )
    covered = [r[0] for r in sql(app, "SELECT id FROM areas WHERE code = ANY(:c)", c=COVERED)]
    others = [r[0] for r in sql(app, "SELECT id FROM areas WHERE code <> ALL(:c)", c=COVERED)]
    insert = (
        "INSERT INTO alert_subscriptions (contact_id, area_id, lang, channel, state, attempts,"
        " created_at, confirmed_at)"
        " SELECT c.id, (CAST(:areas AS bigint[]))[1 + (c.id + :shift) % :k],"
        "  CASE WHEN c.id % 20 < 12 THEN 'fr' WHEN c.id % 20 < 19 THEN 'ar' ELSE 'en' END,"
        "  CASE WHEN c.id % 10 < 7 THEN 'whatsapp' ELSE 'sms' END, 'active', 0, now(), now()"
        " FROM reporter_contacts c WHERE {where}"
    )
    first = "c.phone_e164 <= '+2126' || lpad(CAST(:n AS text), 8, '0')"
    sql(app, insert.format(where=first), areas=covered, shift=0, k=len(covered), n=n)
    sql(
        app,
        insert.format(where=f"{first} AND c.id % 10 = 0"),
        areas=covered,
        shift=1,
        k=len(covered),
        n=n,
    )
    sql(
        app,
        insert.format(where="c.phone_e164 > '+2126' || lpad(CAST(:n AS text), 8, '0')"),
        areas=others,
        shift=0,
        k=len(others),
        n=n,
    )
    sql(app, "ANALYZE reporter_contacts")
    sql(app, "ANALYZE alert_subscriptions")


def alert_body() -> dict:
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    return {
        "kind": "water_cut",
        "severity": "moderate",
        "areas": COVERED,
        "services": ["fuite-eau"],
        "starts_at": (now - dt.timedelta(hours=1)).isoformat(),
        "ends_at": (now + dt.timedelta(hours=10)).isoformat(),
        "headline": {"fr": "Coupure d'eau", "ar": "انقطاع الماء", "en": "Water cut"},
        "text": {"fr": "Travaux sur le réseau.", "ar": "أشغال على الشبكة.", "en": "Works."},
    }


def publish_once(app) -> tuple[float, int, int]:
    """(seconds to validate, queue and commit, messages queued, alert id)."""
    import datetime as dt

    from citizen_api.alerts.schemas import AlertIn
    from citizen_api.domain.alerts import publish
    from citizen_api.extensions import db

    data = AlertIn().load(alert_body())
    with app.app_context():
        started = time.perf_counter()
        alert = publish(db.session, "bench", data, dt.datetime.now(dt.UTC))
        db.session.commit()
        elapsed = time.perf_counter() - started
        alert_id = alert.id
    count = sql(app, "SELECT count(*) FROM outbound_messages WHERE alert_id = :a", a=alert_id)
    return elapsed, count[0][0], alert_id


def baseline_once(app, n: int) -> float:
    """A bare INSERT ... SELECT of n outbox rows (same columns, indexes), committed."""
    started = time.perf_counter()
    sql(
        app,
        "INSERT INTO outbound_messages (dedupe_key, kind, channel, lang, body, segments, state,"
        " attempts, uncertain, next_attempt_at, created_at, updated_at)"
        " SELECT 'base:' || g, 'alert', 'sms', 'fr', 'Alerte : Coupure d''eau' || chr(10) ||"
        " 'Travaux sur le réseau. Jusqu''au 02/12 18:00.', 1, 'skipped', 0, false,"
        " now(), now(), now() FROM generate_series(1, :n) g",
        n=n,
    )
    elapsed = time.perf_counter() - started
    sql(app, "DELETE FROM outbound_messages WHERE dedupe_key LIKE 'base:%'")
    return elapsed


def run_workers(ctx, config: dict, n_workers: int, kill_after: float | None = None):
    """Drain with n worker processes; (seconds, counts), or kill them after `kill_after`."""
    ready, go, results = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
    processes = [
        ctx.Process(target=worker, args=("drain", config, [], ready, go, results))
        for _ in range(n_workers)
    ]
    for p in processes:
        p.start()
    for _ in processes:
        ready.acquire(timeout=60)
    started = time.perf_counter()
    go.set()
    if kill_after is not None:
        time.sleep(kill_after)
        for p in processes:
            os.kill(p.pid, signal.SIGKILL)
            p.join(5)
        return time.perf_counter() - started, {}
    counts: dict[str, int] = {}
    for _ in processes:
        for k, v in results.get(timeout=900).items():
            counts[k] = counts.get(k, 0) + v
    elapsed = time.perf_counter() - started
    for p in processes:
        p.join(10)
    return elapsed, counts


def keep_pending(app, alert_id: int, n: int, offset: int) -> list[int]:
    """Leave n of the alert's messages pending (from `offset`), the others skipped."""
    ids = [
        r[0]
        for r in sql(
            app,
            "SELECT id FROM outbound_messages WHERE alert_id = :a ORDER BY id OFFSET :o LIMIT :n",
            a=alert_id,
            o=offset,
            n=n,
        )
    ]
    sql(
        app,
        "UPDATE outbound_messages SET state = CASE WHEN id = ANY(:ids) THEN 'pending'"
        " ELSE 'skipped' END, lease_until = NULL, created_at = now() - interval '1 minute'"
        " WHERE alert_id = :a AND state IN ('pending', 'skipped')",
        ids=ids,
        a=alert_id,
    )
    return ids


def count_at_fake(parent, app, ids: list[int]) -> dict:
    parent.send("collect")
    at_fake, _cpu = parent.recv()
    numbers = {
        r[0]
        for r in sql(
            app,
            "SELECT c.phone_e164 FROM outbound_messages m"
            " JOIN reporter_contacts c ON c.id = m.contact_id WHERE m.id = ANY(:ids)",
            ids=ids,
        )
    }
    to = [m[1].removeprefix("whatsapp:") for m in at_fake]
    mine = [t for t in to if t in numbers]
    states = dict(
        sql(
            app,
            "SELECT state, count(*) FROM outbound_messages WHERE id = ANY(:ids) GROUP BY state",
            ids=ids,
        )
    )
    return {
        "messages": len(ids),
        "at_fake": len(mine),
        "distinct_numbers": len(set(mine)),
        "twice": len(mine) - len(set(mine)),
        "lost": len(numbers - set(mine)),
        "states": states,
    }


def make_reports(app, n: int, tag: str) -> None:
    """n open fuite-eau reports in Maârif from n/2 numbers, straight into the tables."""
    from citizen_api.extensions import db
    from models.stats import rebuild_stats

    sql(
        app,
        "INSERT INTO reporter_contacts (phone_e164, created_at)"
        " SELECT '+21270' || :tag || lpad(g::text, 4, '0'), now()"
        " FROM generate_series(1, :h) g",
        tag=tag,
        h=n // 2,
    )
    sql(
        app,
        "INSERT INTO service_requests (tracking_code, service_type_id, status, geom,"
        " attributes, lang, channel, area_id, department_id, routing_reason, contact_id,"
        " requested_at, updated_at, expected_at, priority, version, supporters_count)"
        " SELECT 'B' || :tag || lpad(g::text, 6, '0'), st.id, 'submitted',"
        "  ST_SetSRID(ST_MakePoint(-7.64 + (g % 50) * 0.0001, 33.579), 4326), '{}', 'fr',"
        "  'api', a.id, r.department_id, 'bench', c.id, now(), now(),"
        "  now() + interval '1 day', 'normal', 1, 0"
        " FROM generate_series(1, :n) g"
        " JOIN service_types st ON st.code = 'fuite-eau' JOIN areas a ON a.code = 'maarif'"
        " JOIN routing_rules r ON r.service_type_id = st.id AND r.scope = 'city'"
        " JOIN reporter_contacts c"
        "  ON c.phone_e164 = '+21270' || :tag || lpad((1 + g % :h)::text, 4, '0')",
        tag=tag,
        n=n,
        h=n // 2,
    )
    with app.app_context():
        rebuild_stats(db.session)
        db.session.commit()


def incident_round(app, n: int) -> tuple[float, float, int, int]:
    """(update seconds, bare SQL seconds, reports moved, messages queued)."""
    import datetime as dt

    from sqlalchemy import select, text

    from citizen_api.domain import incident_updates
    from citizen_api.domain.accounts import create_clerk
    from citizen_api.domain.incidents import create_incident
    from citizen_api.extensions import db
    from models import Clerk, Incident

    tag = f"{uuid.uuid4().int % 100:02d}"
    make_reports(app, n, tag)
    department = sql(
        app,
        "SELECT d.code FROM routing_rules r JOIN service_types st ON st.id = r.service_type_id"
        " JOIN departments d ON d.id = r.department_id"
        " WHERE st.code = 'fuite-eau' AND r.scope = 'city'",
    )[0][0]
    with app.app_context():
        clerk = db.session.scalar(select(Clerk).where(Clerk.username == "bench-clerk"))
        if clerk is None:
            clerk = create_clerk(
                db.session, "bench-clerk", "a long enough password", "clerk", department
            )
            db.session.commit()
        now = dt.datetime.now(dt.UTC)
        data = {
            "title": "Fuite",
            "areas": ["maarif"],
            "services": ["fuite-eau"],
            "attach": {"open_reports": True},
        }
        incident_id = create_incident(db.session, clerk, data, now).id
        db.session.commit()
        db.session.expire_all()
        incident, clerk = db.session.get(Incident, incident_id), db.session.get(Clerk, clerk.id)
        started = time.perf_counter()
        moved = incident_updates.update_incident(
            db.session, clerk, incident, "in_progress", "Sur place.", now
        )
        db.session.commit()
        elapsed = time.perf_counter() - started
    messages = sql(
        app,
        "SELECT count(*) FROM outbound_messages m JOIN incident_reports l"
        " ON l.request_id = m.request_id WHERE l.incident_id = :i AND m.kind = 'status'",
        i=incident_id,
    )[0][0]
    started = time.perf_counter()
    with app.app_context():
        for statement in (
            "UPDATE service_requests SET status = 'resolved', version = version + 1,"
            " updated_at = now() WHERE id IN (SELECT request_id FROM incident_reports"
            " WHERE incident_id = :i)",
            "INSERT INTO request_events (request_id, kind, from_status, to_status, public,"
            " note, actor, created_at) SELECT request_id, 'status', 'in_progress',"
            " 'resolved', true, 'bare', 'bench', now() FROM incident_reports"
            " WHERE incident_id = :i",
            "INSERT INTO outbound_messages (dedupe_key, request_id, contact_id, kind,"
            " channel, lang, body, segments, state, attempts, uncertain, next_attempt_at,"
            " created_at, updated_at) SELECT 'bare:' || min(r.id), min(r.id), r.contact_id,"
            " 'status', 'sms', 'fr', 'casa311: bare', 1, 'skipped', 0, false, now(), now(),"
            " now() FROM incident_reports l JOIN service_requests r ON r.id = l.request_id"
            " WHERE l.incident_id = :i GROUP BY r.contact_id",
        ):
            db.session.execute(text(statement), {"i": incident_id})
        db.session.commit()
    bare = time.perf_counter() - started
    return elapsed, bare, moved, messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dispatch", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--incident-reports", type=int, default=5000)
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    from sqlalchemy.engine import make_url

    from tests.conftest import PostgisDatabase
    from tests.helpers import seeded_app

    assert make_url(SERVER).get_backend_name() == "postgresql"
    database = PostgisDatabase()
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    templates = {sid: "{{1}}\n{{2}}" for sid in TEMPLATES.values()}
    fake = ctx.Process(target=run_fake, args=(child, "waitress", templates), daemon=True)
    fake.start()
    fake_url = parent.recv()
    config = app_config(database.url, fake_url)
    try:
        with seeded_app(database.url, **config) as app:
            from citizen_api.domain.alert_areas import city_shapes
            from citizen_api.domain.catalogue_cache import catalogue
            from citizen_api.extensions import db
            from citizen_api.notify import notifier_of

            notifier_of(app).start_drain = lambda: None  # this process queues; workers send
            with app.app_context():
                city_shapes(db.session), catalogue(db.session)
            started = time.perf_counter()
            fill_subscribers(app, args.subscribers)
            print(
                f"filled {args.subscribers} (+20 %) subscribers in "
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )

            queue, base, alert_id = [], [], None
            for round_ in range(args.rounds):
                base.append(baseline_once(app, args.subscribers))
                elapsed, count, alert_id = publish_once(app)
                queue.append(elapsed)
                mix = sql(
                    app,
                    "SELECT channel, content_sid IS NOT NULL, lang, count(*) FROM outbound_messages"
                    " WHERE alert_id = :a GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                    a=alert_id,
                )
                print(
                    f"round {round_ + 1}: bare INSERT..SELECT {base[-1]:.2f} s; publish "
                    f"{elapsed:.2f} s for {count} messages "
                    f"({count / elapsed:.0f}/s, {elapsed / base[-1]:.1f}x the bare insert)",
                    flush=True,
                )
                if round_ == 0:
                    print(
                        "  mix (channel, template, lang, n):",
                        ", ".join(f"{c}{'+tpl' if t else ''}/{lang}={n}" for c, t, lang, n in mix),
                    )
                if round_ < args.rounds - 1:
                    sql(app, "DELETE FROM outbound_messages WHERE alert_id = :a", a=alert_id)
            print(
                f"queue: median {statistics.median(queue):.2f} s (min {min(queue):.2f}, max "
                f"{max(queue):.2f}) for {count} messages; bare insert median "
                f"{statistics.median(base):.2f} s; ratio "
                f"{statistics.median(queue) / statistics.median(base):.1f}x; target < 30 s: "
                f"{'met' if statistics.median(queue) < 30 else 'NOT met'}",
                flush=True,
            )

            n, w = args.dispatch, args.workers
            worker_config = {**config, "NOTIFY_LEASE_SECONDS": "5"}
            keep_pending(app, alert_id, 0, 0)  # park the alert's rows while the baseline runs
            parent.send("reset"), parent.recv()
            ids = make_messages(app, n, f"b{uuid.uuid4().hex[:8]}")
            elapsed, _ = run_workers(ctx, worker_config, w)
            parent.send("collect")
            check = check_and_clear(app, ids, parent.recv()[0])
            base_rate = n / elapsed
            print(
                f"dispatch baseline: {n} status messages, {w} drain workers: "
                f"{base_rate:.0f}/s; {check['states']}",
                flush=True,
            )
            parent.send("reset"), parent.recv()
            ids = keep_pending(app, alert_id, n, 0)
            elapsed, _ = run_workers(ctx, worker_config, w)
            check = count_at_fake(parent, app, ids)
            print(
                f"dispatch alert: {n} alert messages, {w} drain workers: {n / elapsed:.0f}/s "
                f"({n / elapsed / base_rate:.2f}x the status messages); {check}",
                flush=True,
            )

            parent.send("reset"), parent.recv()
            ids = keep_pending(app, alert_id, n, n)
            run_workers(ctx, worker_config, 1, kill_after=2.0)
            parent.send("collect")
            before = len(parent.recv()[0])
            time.sleep(6)  # the dead worker's leases (5 s) run out
            run_workers(ctx, worker_config, 2)
            check = count_at_fake(parent, app, ids)
            ok = check["twice"] == 0 and check["lost"] == 0 and check["states"] == {"sent": n}
            print(
                f"crash: worker killed after {before} sends; two workers finished: {check} "
                f"-> {'OK' if ok else 'FAILED'}",
                flush=True,
            )

            elapsed, bare, moved, messages = incident_round(app, args.incident_reports)
            print(
                f"incident: one update moved {moved} reports ({messages} messages, one per "
                f"reporter) in {elapsed:.2f} s, one transaction; bare SQL of the same writes "
                f"{bare:.2f} s ({elapsed / bare:.1f}x); target < 10 s: "
                f"{'met' if elapsed < 10 else 'NOT met'}",
                flush=True,
            )
    finally:
        parent.send("stop")
        parent.recv()
        fake.join(5)
        database.drop()


if __name__ == "__main__":
    main()
