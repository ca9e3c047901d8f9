"""Memory of a streamed CSV export: the console's /console/export.csv for N reports, the
process's RSS sampled at every chunk, against a 1,000-report export in the same run.

    .venv/bin/python -m bench.export_memory [--rows 100000]

On throwaway SpatiaLite files (one per run). The reports are copies of
one filed report (INSERT ... SELECT, so filling takes seconds), each with its own
tracking code. What is measured: the RSS growth from just before the request to its
peak while the body streams, and the bytes sent. A streamed export's growth does not
depend on the number of rows; an export built in memory would grow by about the size
of the file.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from citizen_api.domain.accounts import create_clerk
from citizen_api.extensions import db
from models import ServiceRequest
from tests.helpers import report, seeded_app

PAGE = os.sysconf("SC_PAGE_SIZE")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "bench password, long enough"


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


def fill(app, rows: int) -> None:
    """`rows` reports in all: copies of one filed report."""
    client = app.test_client()
    assert report(client, description="Nid-de-poule, copie pour le banc").status_code == 201
    columns = [c.name for c in ServiceRequest.__table__.columns if c.name not in ("id",)]
    others = [c for c in columns if c != "tracking_code"]
    with app.app_context():
        dialect = db.engine.dialect.name
        if dialect == "postgresql":
            series = "generate_series(2, :n) AS s(i)"
            code = "'B' || lpad(s.i::text, 9, '0')"
        else:
            series = (
                "(WITH RECURSIVE s(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM s WHERE i < :n) "
                "SELECT i FROM s) AS s"
            )
            code = "'B' || printf('%09d', s.i)"
        db.session.execute(
            text(
                f"INSERT INTO service_requests (tracking_code, {', '.join(others)}) "
                f"SELECT {code}, {', '.join('t.' + c for c in others)} "
                f"FROM (SELECT * FROM service_requests LIMIT 1) AS t, {series}"
            ),
            {"n": rows},
        )
        db.session.commit()
        assert db.session.scalar(text("SELECT count(*) FROM service_requests")) == rows


def signed_in_client(app):
    with app.app_context():
        create_clerk(db.session, "bench.admin", PASSWORD, "admin")
        db.session.commit()
    client = app.test_client()
    token = CSRF.search(client.get("/console/login").get_data(as_text=True)).group(1)
    client.post("/console/login", data={"username": "bench.admin", "password": PASSWORD,
                                        "csrf_token": token})  # fmt: skip
    return client


def measure(client) -> dict:
    """Stream one export; RSS growth at its peak, bytes, rows, seconds."""
    before = rss_mb()
    peak, sent, lines = before, 0, 0
    start = time.perf_counter()
    response = client.get("/console/export.csv", buffered=False)
    for chunk in response.iter_encoded():
        sent += len(chunk)
        lines += chunk.count(b"\n")
        peak = max(peak, rss_mb())
    response.close()
    return {
        "rows": lines - 1,
        "mb_sent": sent / 2**20,
        "rss_growth_mb": peak - before,
        "seconds": time.perf_counter() - start,
    }


def run(url: str, rows: int) -> dict:
    with seeded_app(url) as app:
        fill(app, rows)
        return measure(signed_in_client(app))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for label, rows in (("baseline", args.baseline_rows), ("large", args.rows)):
            url = f"sqlite:///{Path(tmp) / f'{label}.db'}"
            results[label] = run(url, rows)
            r = results[label]
            print(f"{label}: {r['rows']} rows, {r['mb_sent']:.1f} MB sent in "
                  f"{r['seconds']:.1f} s, RSS +{r['rss_growth_mb']:.1f} MB at peak")  # fmt: skip
        base, large = results["baseline"], results["large"]
        print(f"rows x{large['rows'] / base['rows']:.0f}, bytes x"
              f"{large['mb_sent'] / base['mb_sent']:.0f}, RSS growth "
              f"{large['rss_growth_mb']:.1f} MB vs {base['rss_growth_mb']:.1f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
