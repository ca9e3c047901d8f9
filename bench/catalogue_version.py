"""What the catalogue's version check costs a request (citizen_api/domain/catalogue_cache):
the copy is compared with the database's stamp at most once every VERSION_CHECK_SECONDS
per process, one primary-key read; every other request only compares two clock readings.

    .venv/bin/python bench/catalogue_version.py --database-url postgresql://postgres@127.0.0.1:5432/casa311_bench
    .venv/bin/python bench/catalogue_version.py --database-url sqlite:////tmp/casa311.sqlite

Prints the median cost of catalogue() between checks, of the stamp read itself (in a
request's transaction, as the app does it), and the read amortised over a second of
requests at a few request rates.
"""

from __future__ import annotations

import argparse
import statistics
import time

from citizen_api import create_app
from citizen_api.domain import catalogue_cache
from citizen_api.extensions import db


def timed(fn, n: int) -> float:
    """Median microseconds of fn() over n calls, in batches of 100."""
    batches = []
    for _ in range(max(1, n // 100)):
        start = time.perf_counter()
        for _ in range(100):
            fn()
        batches.append((time.perf_counter() - start) / 100 * 1e6)
    return statistics.median(batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--calls", type=int, default=5000)
    args = parser.parse_args()
    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": "bench-" + "k" * 40})
    with app.app_context():
        session = db.session
        catalogue_cache.catalogue(session)  # loaded once
        between = timed(lambda: catalogue_cache.catalogue(session), args.calls)

        def read():
            catalogue_cache.stored_version(session)

        stamp = timed(read, args.calls // 5)
        session.rollback()
    every = catalogue_cache.VERSION_CHECK_SECONDS
    print(f"database: {args.database_url.split('@')[-1]}")
    print(f"catalogue() between checks: {between:.2f} us a call")
    print(f"the stamp read (one per process every {every:g} s): {stamp:.1f} us")
    for rate in (10, 100, 1000):
        print(
            f"  amortised at {rate} requests/s a process: {stamp / (rate * every):.3f} us a request"
        )


if __name__ == "__main__":
    main()
