"""Area lookup in the hot path: in-process index vs the database's own ST_Contains.

Runs on demand (`make bench`), not in the tests. Interleaves rounds (A B A B ...) of
both on the same random points inside the city's bounding box and prints the medians,
their spread, and the ratio. Target (performance.md): <= 50 microseconds a lookup.

    .venv/bin/python bench/area_lookup.py [--database-url URL] [--points N] [--rounds R]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import time

from sqlalchemy import text

from citizen_api import create_app
from citizen_api.cli import upgrade_database
from citizen_api.cli.seed import seed
from citizen_api.domain.area_lookup import OutsideCity
from citizen_api.domain.routing import area_index
from citizen_api.extensions import db

SQL = {
    "sqlite": "SELECT code FROM areas WHERE ST_Contains(geom, MakePoint(:x, :y, 4326)) = 1 "
    "AND ROWID IN (SELECT pkid FROM idx_areas_geom WHERE xmin <= :x AND xmax >= :x "
    "AND ymin <= :y AND ymax >= :y)",
    "postgresql": "SELECT code FROM areas "
    "WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint(:x, :y), 4326))",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/casa311-bench.sqlite")
    parser.add_argument("--points", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    app = create_app(
        {"DATABASE_URL": args.database_url, "LOG_LEVEL": "WARNING", "SECRET_KEY": "b" * 40}
    )
    rng = random.Random(311)
    points = [(rng.uniform(-7.72, -7.47), rng.uniform(33.50, 33.64)) for _ in range(args.points)]
    with app.app_context():
        upgrade_database(db.engine)
        seed(db.session)
        db.session.commit()
        index = area_index(db.session)
        sql = text(SQL[db.engine.dialect.name])
        connection = db.session.connection()

        def in_process():
            for x, y in points:
                with contextlib.suppress(OutsideCity):
                    index.locate(x, y)

        def in_database():
            for x, y in points:
                connection.execute(sql, {"x": x, "y": y}).all()

        fast, slow = "in-process index", f"database ({db.engine.dialect.name})"
        runs = {fast: in_process, slow: in_database}
        timings = {fast: [], slow: []}
        for _ in range(args.rounds):
            for name, run in runs.items():
                start = time.perf_counter()
                run()
                timings[name].append((time.perf_counter() - start) / len(points) * 1e6)

    baseline = statistics.median(timings[slow])
    print(f"{'lookup':<22} {'median µs':>10} {'min–max µs':>14} {'x database':>11}")
    for name, samples in timings.items():
        median = statistics.median(samples)
        spread = f"{min(samples):.1f}–{max(samples):.1f}"
        print(f"{name:<22} {median:>10.1f} {spread:>14} {baseline / median:>10.1f}x")
    lookup = statistics.median(timings[fast])
    print(f"target <= 50 µs: {'met' if lookup <= 50 else 'NOT met'} ({lookup:.1f} µs)")


if __name__ == "__main__":
    main()
