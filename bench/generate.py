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
import os
import queue
import secrets
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import psycopg
import shapely
from sqlalchemy import select
from sqlalchemy.engine import make_url

from citizen_api import create_app
from citizen_api.cli import upgrade_database
from citizen_api.cli.seed import seed
from citizen_api.domain.routing import area_index, rules_for
from citizen_api.domain.tracking import ALPHABET
from citizen_api.extensions import db
from models import Area, ServiceType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import binary_copy

YEARS = 4
# Share of the day's reports in each hour (Casablanca time, UTC+1), peak ~4.5x average.
HOURLY = np.array(
    [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.4, 3.6, 4.5, 4.2,
     3.6, 2.8, 2.6, 2.7, 2.6, 2.3, 1.9, 1.4, 1.0, 0.7, 0.4, 0.3]
)  # fmt: skip
HOURLY = HOURLY / HOURLY.sum()


def ensure_database(url: str, fresh: bool = False) -> None:
    """Create the database if missing (`fresh`: drop it first)."""
    u = make_url(url)
    with psycopg.connect(
        host=u.host, port=u.port or 5432, user=u.username, dbname="postgres", autocommit=True
    ) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')
        exists = "SELECT 1 FROM pg_database WHERE datname = %s"
        if not conn.execute(exists, [u.database]).fetchall():
            conn.execute(f'CREATE DATABASE "{u.database}"')


def code_bytes(start: int, n: int) -> np.ndarray:
    """Unique tracking codes, (n, 9) bytes: a bijection of the counter onto 30^8,
    scrambled (numpy, no per-row Python: the digits, least significant first, index the
    alphabet)."""
    space = len(ALPHABET) ** 8
    values = (np.arange(start, start + n, dtype=np.int64) * 982_451_653 + 7) % space
    digits = (values[:, None] // (30 ** np.arange(8, dtype=np.int64))) % 30
    chars = np.frombuffer(ALPHABET.encode(), dtype="S1")[digits]
    out = np.empty((n, 9), dtype="S1")
    out[:, :4], out[:, 4], out[:, 5:] = chars[:, :4], b"-", chars[:, 4:]
    return out.view(np.uint8)


def ewkb(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """EWKB of SRID 4326 points, (n, 25) bytes: PostGIS's binary input of a geometry."""
    raw = np.zeros((len(xs), 25), dtype=np.uint8)
    raw[:, :9] = np.frombuffer(bytes.fromhex("0101000020E6100000"), dtype=np.uint8)
    raw[:, 9:] = np.column_stack([xs, ys]).astype("<f8").view(np.uint8)
    return raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--chunk", type=int, default=200_000)
    parser.add_argument(
        "--streams", type=int, default=2, help="COPY connections at once (default 2: the cores)"
    )
    parser.add_argument("--seed", type=int, default=311)
    parser.add_argument(
        "--keep-indexes",
        action="store_true",
        help="COPY into the indexed table (default: drop the secondary indexes, COPY, rebuild)",
    )
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    args = parser.parse_args()

    ensure_database(args.database_url, args.fresh)
    secret = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48)  # the app needs one
    app = create_app(
        {"DATABASE_URL": args.database_url, "LOG_LEVEL": "WARNING", "SECRET_KEY": secret}
    )
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

    # Lookup tables for the vectorised rows: per pool point its area (index), per
    # (service, area) the department and rule (-1: not routed there).
    area_codes = list(areas)
    area_id_of = np.array([areas[c].id for c in area_codes])
    pool_area_index = np.array([area_codes.index(c) for c in pool_area])
    pool_geom = ewkb(xs, ys)
    route_department = np.full((len(services), len(area_codes)), -1)
    route_rule = np.full((len(services), len(area_codes)), -1)
    for i, service in enumerate(services):
        for j, code in enumerate(area_codes):
            if (service.id, code) in routes:
                route_department[i, j], route_rule[i, j] = routes[service.id, code]
    service_ids = np.array([s.id for s in services])
    sla_hours = np.array([s.sla_hours for s in services], dtype=np.float64)
    weights = 1 / np.arange(1, len(services) + 1) ** 1.1
    weights /= weights.sum()
    url = make_url(args.database_url)
    conn = psycopg.connect(host=url.host, port=url.port or 5432, user=url.username,
                           dbname=url.database)  # fmt: skip
    now = time.time()
    written, drawn, started = 0, 0, time.perf_counter()
    building = copying = 0.0  # where the time goes: Python building rows, PostgreSQL COPY
    columns = (
        "tracking_code, service_type_id, status, geom, description, address, attributes, "
        "lang, channel, area_id, department_id, routing_rule_id, routing_reason, "
        "requested_at, updated_at, expected_at, closed_at"
    )
    with conn.cursor() as cur:
        deferred = [] if args.keep_indexes else defer_indexes(cur)
        conn.commit()
        streams = Streams(url, args.streams, columns)
        in_flight: list = []
        while written < args.rows:
            n = min(args.chunk, args.rows - written)
            chunk_started = time.perf_counter()
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
            langs = LANGS[rng.choice(3, n, p=[0.6, 0.35, 0.05])]
            area_of = pool_area_index[picks]
            department = route_department[svc, area_of]
            keep = department >= 0  # rows routed nowhere are left out
            columns_of = {
                "code": code_bytes(drawn, n),
                "service": service_ids[svc],
                "geom": pool_geom[picks],
                "lang": langs,
                "area": area_id_of[area_of],
                "department": department,
                "rule": route_rule[svc, area_of],
                "requested": requested,
                "updated": requested + np.minimum(closes_after, age_days) * 86400,
                "expected": requested + sla_hours[svc] * 3600,
                "closed": requested + closes_after * 86400,
            }
            # One group of rows per status: within one, every field has one width.
            parts = []
            for value in ("submitted", "in_progress", "resolved", "closed"):
                group = keep & (status == value)
                if group.any():
                    picked = {k: v[group] for k, v in columns_of.items()}
                    parts.append(binary_copy.rows(fields(value, picked), int(group.sum())))
            data = binary_copy.HEADER + b"".join(parts) + binary_copy.TRAILER
            building += time.perf_counter() - chunk_started
            # COPY in other threads, one connection each (PostgreSQL parses each stream
            # in its own backend), while the next chunk is built here.
            in_flight.append(streams.submit(data))
            while len(in_flight) > args.streams:
                copying += in_flight.pop(0).result()
            written += int(keep.sum())
            drawn += n
            rate = written / (time.perf_counter() - started)
            print(
                f"{written:>11,} rows  {rate:>9,.0f} rows/s  (building {building:.1f} s, "
                f"COPY {copying:.1f} s over {args.streams} streams)",
                flush=True,
            )
        for sender in in_flight:
            copying += sender.result()
        streams.close()
        elapsed = time.perf_counter() - started
        built = time.perf_counter()
        for definition in deferred:
            cur.execute(definition)
        conn.commit()
        if deferred:
            print(f"rebuilt {len(deferred)} indexes in {time.perf_counter() - built:.1f} s")
    # VACUUM, not only ANALYZE: the visibility map lets the list's grid index (migration
    # 0007) answer by index-only scans, as it does once autovacuum has run.
    conn.autocommit = True
    vacuumed = time.perf_counter()
    conn.execute("VACUUM ANALYZE service_requests")
    print(f"VACUUM ANALYZE in {time.perf_counter() - vacuumed:.1f} s")
    conn.close()
    print(f"COPY: {written:,} reports in {elapsed:.1f} s = {written / elapsed:,.0f} reports/s")


DESCRIPTION = "Signalé par un habitant".encode()
LANGS = np.frombuffer(b"fraren", np.uint8).reshape(3, 2)  # fr, ar, en
REASON = b"bench: generated"


def fields(status: str, c: dict) -> list[tuple[str, object]]:
    """The binary COPY fields of rows of one status (the columns of `columns`)."""
    closed = status in ("resolved", "closed")
    return [
        ("bytes", c["code"]),
        ("int8", c["service"]),
        ("bytes", status.encode()),
        ("bytes", c["geom"]),
        ("bytes", DESCRIPTION),
        ("null", None),  # address
        ("bytes", b"{}"),  # attributes (json: its text)
        ("bytes", c["lang"]),
        ("bytes", b"api"),
        ("int8", c["area"]),
        ("int8", c["department"]),
        ("int8", c["rule"]),
        ("bytes", REASON),
        ("timestamptz", c["requested"]),
        ("timestamptz", c["updated"]),
        ("timestamptz", c["expected"]),
        ("timestamptz", c["closed"]) if closed else ("null", None),
    ]


class Streams:
    """`count` connections, each COPYing the chunks handed to it in a thread of its own
    (one transaction per chunk), with the per-row foreign-key triggers off."""

    def __init__(self, url, count: int, columns: str):
        self.sql = f"COPY service_requests ({columns}) FROM STDIN (FORMAT binary)"
        self.pool = ThreadPoolExecutor(max_workers=count)
        self.free: queue.Queue = queue.Queue()
        for _ in range(count):
            conn = psycopg.connect(
                host=url.host, port=url.port or 5432, user=url.username, dbname=url.database
            )
            # The rows are built from the seeded catalogue, so their foreign keys hold:
            # skip the per-row FK triggers (needs a superuser; a real import checks them).
            conn.execute("SET session_replication_role = replica")
            conn.commit()
            self.free.put(conn)

    def _send(self, data: bytes) -> float:
        conn = self.free.get()
        try:
            copy_started = time.perf_counter()
            with conn.cursor() as cur, cur.copy(self.sql) as copy:
                copy.write(data)
            conn.commit()
            return time.perf_counter() - copy_started
        finally:
            self.free.put(conn)

    def submit(self, data: bytes):
        return self.pool.submit(self._send, data)

    def close(self) -> None:
        self.pool.shutdown()
        while not self.free.empty():
            self.free.get().close()


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


if __name__ == "__main__":
    main()
