"""Fill a throwaway PostGIS database with realistic reports, by COPY, and report the rate.

    .venv/bin/python bench/generate.py --rows 10000000 \
        --database-url postgresql://postgres@127.0.0.1:5432/casa311_bench

The database is created if missing, migrated and seeded. Shape (after real 311 open
data): a few service types dominate (Zipf weights), points fall inside the 17 areas in
proportion to their surface, dates span four years with a daily profile whose busiest
hour is ~4.5x the average hour, and most reports close within days (older ones closed,
the newest still open). Generated data is never committed: it lives only in that database.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import psycopg
import shapely
from sqlalchemy import select
from sqlalchemy.engine import make_url

from citizen_api import create_app
from citizen_api.cli import upgrade_database
from citizen_api.extensions import db
from citizen_api.routing import area_index, rules_for
from citizen_api.seed import seed
from citizen_api.tracking import ALPHABET
from models import Area, ServiceType

YEARS = 4
# Share of the day's reports in each hour (Casablanca time, UTC+1), peak ~4.5x average.
HOURLY = np.array(
    [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.4, 3.6, 4.5, 4.2,
     3.6, 2.8, 2.6, 2.7, 2.6, 2.3, 1.9, 1.4, 1.0, 0.7, 0.4, 0.3]
)  # fmt: skip
HOURLY = HOURLY / HOURLY.sum()


def ensure_database(url: str) -> None:
    u = make_url(url)
    with psycopg.connect(
        host=u.host, port=u.port or 5432, user=u.username, dbname="postgres", autocommit=True
    ) as conn:
        exists = "SELECT 1 FROM pg_database WHERE datname = %s"
        if not conn.execute(exists, [u.database]).fetchall():
            conn.execute(f'CREATE DATABASE "{u.database}"')


def codes(start: int, n: int) -> list[str]:
    """Unique tracking codes: a bijection of the counter onto 30^8, scrambled."""
    space = len(ALPHABET) ** 8
    values = (np.arange(start, start + n, dtype=np.int64) * 982_451_653 + 7) % space
    out = []
    for v in values.tolist():
        chars = []
        for _ in range(8):
            v, r = divmod(v, 30)
            chars.append(ALPHABET[r])
        out.append(f"{''.join(chars[:4])}-{''.join(chars[4:])}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--chunk", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=311)
    parser.add_argument(
        "--keep-indexes",
        action="store_true",
        help="COPY into the indexed table (default: drop the secondary indexes, COPY, rebuild)",
    )
    args = parser.parse_args()

    ensure_database(args.database_url)
    app = create_app({"DATABASE_URL": args.database_url, "LOG_LEVEL": "WARNING"})
    rng = np.random.default_rng(args.seed)
    with app.app_context():
        upgrade_database(db.engine)
        seed(db.session)
        db.session.commit()
        index = area_index(db.session)
        areas = {a.code: a for a in db.session.scalars(select(Area))}
        services = db.session.scalars(select(ServiceType).order_by(ServiceType.id)).all()
        # A pool of points inside the city, with their area (weights follow surface).
        polygons = shapely.union_all([shapely.from_wkb(bytes(a.geom.data)) for a in areas.values()])
        minx, miny, maxx, maxy = polygons.bounds
        xs = rng.uniform(minx, maxx, 400_000)
        ys = rng.uniform(miny, maxy, 400_000)
        inside = shapely.contains_xy(polygons, xs, ys)
        xs, ys = xs[inside][:100_000], ys[inside][:100_000]
        pool_area = [index.locate(x, y).code for x, y in zip(xs, ys, strict=True)]
        # Routing for every (service, area): the department and rule the app would pick.
        routes = {}
        for service in services:
            for code, area in areas.items():
                hit = index.locate(*_inner_point(area))
                rules = rules_for(db.session, service, hit)
                if rules:
                    routes[service.id, code] = (rules[0].department_id, rules[0].id)
        db.session.remove()

    weights = 1 / np.arange(1, len(services) + 1) ** 1.1
    weights /= weights.sum()
    url = make_url(args.database_url)
    conn = psycopg.connect(host=url.host, port=url.port or 5432, user=url.username,
                           dbname=url.database)  # fmt: skip
    area_ids = {code: a.id for code, a in areas.items()}
    now = time.time()
    written, started = 0, time.perf_counter()
    columns = (
        "tracking_code, service_type_id, status, geom, description, address, attributes, "
        "lang, channel, area_id, department_id, routing_rule_id, routing_reason, "
        "requested_at, updated_at, expected_at, closed_at"
    )
    with conn.cursor() as cur:
        deferred = [] if args.keep_indexes else defer_indexes(cur)
        # The rows are built from the seeded catalogue, so their foreign keys hold: skip
        # the per-row FK triggers (needs a superuser; a real import would check them).
        cur.execute("SET session_replication_role = replica")
        conn.commit()
        while written < args.rows:
            n = min(args.chunk, args.rows - written)
            picks = rng.integers(0, len(xs), n)
            svc = rng.choice(len(services), n, p=weights)
            days = rng.uniform(0, 365 * YEARS, n)
            hours = rng.choice(24, n, p=HOURLY) + rng.uniform(0, 1, n)
            requested = now - (np.floor(days) * 86400) - 86400 + hours * 3600 - 3600
            age_days = (now - requested) / 86400
            closes_after = rng.exponential(4.0, n)  # most close within days
            closed = closes_after < age_days
            status = np.where(
                closed,
                np.where(rng.random(n) < 0.85, "closed", "resolved"),
                np.where(rng.random(n) < 0.5, "submitted", "in_progress"),
            )
            langs = rng.choice(["fr", "ar", "en"], n, p=[0.6, 0.35, 0.05])
            lines = []
            for i, code in enumerate(codes(written, n)):
                p = picks[i]
                service = services[svc[i]]
                area = pool_area[p]
                route = routes.get((service.id, area))
                if route is None:
                    continue
                at = requested[i]
                closed_at = _ts(at + closes_after[i] * 86400) if closed[i] else "\\N"
                lines.append(
                    f"{code}\t{service.id}\t{status[i]}\tSRID=4326;POINT({xs[p]:.6f} {ys[p]:.6f})\t"
                    f"Signalé par un habitant\t\\N\t{{}}\t{langs[i]}\tapi\t{area_ids[area]}\t"
                    f"{route[0]}\t{route[1]}\tbench: generated\t{_ts(at)}\t"
                    f"{_ts(at + min(closes_after[i], age_days[i]) * 86400)}\t"
                    f"{_ts(at + service.sla_hours * 3600)}\t{closed_at}\n"
                )
            with cur.copy(f"COPY service_requests ({columns}) FROM STDIN") as copy:
                copy.write("".join(lines))
            conn.commit()
            written += n
            rate = written / (time.perf_counter() - started)
            print(f"{written:>11,} rows  {rate:>9,.0f} rows/s", flush=True)
        elapsed = time.perf_counter() - started
        built = time.perf_counter()
        for definition in deferred:
            cur.execute(definition)
        conn.commit()
        if deferred:
            print(f"rebuilt {len(deferred)} indexes in {time.perf_counter() - built:.1f} s")
        cur.execute("ANALYZE service_requests")
        conn.commit()
    print(f"COPY: {written:,} reports in {elapsed:.1f} s = {written / elapsed:,.0f} reports/s")


def defer_indexes(cur) -> list[str]:
    """Drop service_requests' secondary indexes (not the key or unique constraints);
    return the statements that rebuild them."""
    cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'service_requests' "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
    )
    rows = cur.fetchall()
    for name, _ in rows:
        cur.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in rows]


def _inner_point(area):
    p = shapely.from_wkb(bytes(area.geom.data)).representative_point()
    return p.x, p.y


def _ts(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(epoch))


if __name__ == "__main__":
    main()
