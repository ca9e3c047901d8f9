"""Memory soak: one app worker serving the mixed replay until it has answered N requests,
its RSS sampled after every slice. Target (performance.md): under 150 MB after 100k
requests, and no growth.

    .venv/bin/python bench/soak.py \
        --database-url postgresql://postgres@127.0.0.1:5432/casa311_bench \
        [--requests 100000] [--slice 20] [--max-minutes 20]

"No growth" is judged on the second half of the run (after warm-up: caches, pools and
allocator arenas fill first): the RSS at the end against the RSS at half way.
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
import time
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from bench.run import LUA, serve, worker_rss_mb, wrk

TARGET_MB = 150.0
GROWTH_TOLERANCE = 0.05  # 5 % between half way and the end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--slice", type=int, default=20, help="seconds of wrk per sample")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--max-minutes", type=float, default=20)
    args = parser.parse_args()
    args.duration = args.slice

    u = make_url(args.database_url)
    with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username,
                         dbname=u.database) as conn:  # fmt: skip
        codes = conn.execute(
            "SELECT tracking_code FROM service_requests TABLESAMPLE SYSTEM (1) LIMIT 2000"
        ).fetchall()
    with tempfile.TemporaryDirectory() as tmp:
        codes_file = Path(tmp) / "codes.txt"
        codes_file.write_text("\n".join(c for (c,) in codes) + "\n")
        env = {
            "SECRET_KEY": secrets.token_urlsafe(48),
            **os.environ,
            "DATABASE_URL": args.database_url,
            "RATELIMIT_ENABLED": "0",
            "LOG_LEVEL": "WARNING",
            "WORKERS": "1",
            "BENCH_LUA": str(LUA),
            "BENCH_CODES": str(codes_file),
        }
        app = serve("citizen_api:create_app()", 5821, env)
        samples = [(0, worker_rss_mb(app)[0])]
        served, deadline = 0, time.monotonic() + args.max_minutes * 60
        try:
            while served < args.requests and time.monotonic() < deadline:
                served += wrk(5821, "mixed.lua", args, env)["requests"]
                samples.append((served, worker_rss_mb(app)[0]))
                print(f"{served:>8,} requests  RSS {samples[-1][1]:6.1f} MB", flush=True)
        finally:
            app.terminate()
            app.wait(10)

    half = next(rss for n, rss in samples if n >= served / 2)
    end, peak = samples[-1][1], max(rss for _, rss in samples)
    growth = (end - half) / half
    print(f"\nserved {served:,} mixed requests with one worker (start {samples[0][1]:.1f} MB)")
    print(f"RSS at half way {half:.1f} MB, at the end {end:.1f} MB, peak {peak:.1f} MB")
    print(f"under {TARGET_MB:.0f} MB: {'met' if peak < TARGET_MB else 'NOT met'}; "
          f"growth over the second half {growth:+.1%}: "
          f"{'none to speak of' if growth <= GROWTH_TOLERANCE else 'GROWING'}")  # fmt: skip
    if served < args.requests:
        print(f"stopped at the time limit before {args.requests:,} requests")


if __name__ == "__main__":
    main()
