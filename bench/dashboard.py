"""The console dashboard at scale: its p50/p99 served by gunicorn from the 10-million-
report bench database (bench/generate.py, casa311_bench), for a supervisor (one
department) and an administrator (the whole city), with the machine's load average.

    .venv/bin/python bench/dashboard.py --database-url postgresql://postgres@127.0.0.1:5432/casa311_bench
    .venv/bin/python bench/dashboard.py --profile ...   # each query of the dashboard, timed

A bounded client: one signed-in browser per role asks for /console/dashboard `--requests`
times in a row (after one warm-up), each with a `--timeout`; a request that times out or
fails is counted as such, never dropped. The server runs under gunicorn.conf.py (WORKERS
workers) with a statement timeout of `--statement-timeout-ms`. Two accounts are made in
the bench database if missing (bench-supervisor, voirie; bench-admin); nothing else is
written to it.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PASSWORD = "bench dashboard passphrase"
ACCOUNTS = {"supervisor": ("bench-supervisor", "voirie"), "admin": ("bench-admin", None)}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def loadavg() -> tuple[float, float, float]:
    return os.getloadavg()


def ensure_accounts(url: str) -> None:
    from sqlalchemy import select

    from citizen_api import create_app
    from citizen_api.domain.accounts import create_clerk
    from citizen_api.extensions import db
    from models import Clerk

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "k" * 40})
    with app.app_context():
        for role, (username, department) in ACCOUNTS.items():
            if db.session.scalar(select(Clerk.id).where(Clerk.username == username)) is None:
                create_clerk(db.session, username, PASSWORD, role, department)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def profile(url: str, rounds: int) -> None:
    """Time each part of the dashboard's SQL in-process, for both scopes."""
    from sqlalchemy import select

    from citizen_api import create_app
    from citizen_api.console import dashboard_data as d
    from citizen_api.domain.workflow import scope
    from citizen_api.extensions import db
    from models import Clerk, ServiceRequest, utcnow

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "k" * 40,
                      "STATEMENT_TIMEOUT_MS": 0})  # fmt: skip
    with app.app_context():
        now = db.session.scalar(select(utcnow()))
        bounds = d.week_starts(now)
        week = bounds[-2]
        sr = ServiceRequest
        for role, (username, _dep) in ACCOUNTS.items():
            clerk = db.session.scalar(select(Clerk).where(Clerk.username == username))
            where = scope(clerk)
            session, by_dep, by_area = db.session, sr.department_id, sr.area_id
            parts = {
                "counts total": partial(d._counts, session, where, None, now, week),
                "counts by department": partial(d._counts, session, where, by_dep, now, week),
                "counts by area": partial(d._counts, session, where, by_area, now, week),
                "median total": partial(d._medians, session, where, None, now),
                "median by department": partial(d._medians, session, where, by_dep, now),
                "median by area": partial(d._medians, session, where, by_area, now),
                "trend": partial(d._trend, session, where, bounds),
            }
            for name, part in parts.items():
                times = []
                for _ in range(rounds):
                    start = time.perf_counter()
                    part()
                    times.append((time.perf_counter() - start) * 1000)
                    db.session.rollback()
                print(f"{role:10} {name:22} median {statistics.median(times):9.1f} ms "
                      f"(min {min(times):.1f}, max {max(times):.1f})", flush=True)  # fmt: skip


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str, timeout: float) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def sign_in(self, username: str) -> None:
        _status, body = self.get("/console/login", 30)
        token = CSRF.search(body.decode()).group(1)
        data = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrf_token": token}
        ).encode()
        with self.opener.open(self.base + "/console/login", data, timeout=30) as response:
            assert "/console/login" not in response.url, "sign-in refused"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def measure(base: str, role: str, requests: int, timeout: float) -> dict:
    browser = Browser(base)
    browser.sign_in(ACCOUNTS[role][0])
    browser.get("/console/dashboard", timeout)  # warm-up: the catalogue copy, the pool
    times, failures = [], {}
    before = loadavg()
    for _ in range(requests):
        start = time.perf_counter()
        try:
            status, _body = browser.get("/console/dashboard", timeout)
            elapsed = (time.perf_counter() - start) * 1000
        except OSError as exc:  # no answer in time: counted at the timeout
            status, elapsed = f"error {type(exc).__name__}", timeout * 1000
        times.append(elapsed)  # an error page counts with its time, and as a failure
        if status != 200:
            failures[str(status)] = failures.get(str(status), 0) + 1
    return {
        "role": role,
        "requests": requests,
        "failures": failures,
        "p50_ms": round(statistics.median(times), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "max_ms": round(max(times), 1),
        "load_before": [round(x, 2) for x in before],
        "load_after": [round(x, 2) for x in loadavg()],
    }


def serve(url: str, port: int, workers: int, statement_timeout_ms: int, log: Path):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": str(workers),
        "SECRET_KEY": "bench-" + "k" * 40,
        "RATELIMIT_ENABLED": "0",
        "STATEMENT_TIMEOUT_MS": str(statement_timeout_ms),
        "GUNICORN_CMD_ARGS": "--timeout 600",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [GUNICORN, "citizen_api:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=5391)
    parser.add_argument("--statement-timeout-ms", type=int, default=120000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--roles", default="supervisor,admin")
    parser.add_argument("--log", default="/tmp/casa311-bench-dashboard.log")
    args = parser.parse_args()
    ensure_accounts(args.database_url)
    if args.profile:
        profile(args.database_url, args.rounds)
        return
    server = serve(args.database_url, args.port, args.workers, args.statement_timeout_ms,
                   Path(args.log))  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        results = [measure(base, role, args.requests, args.timeout)
                   for role in args.roles.split(",")]  # fmt: skip
    finally:
        os.killpg(server.pid, 15)
        server.wait(60)
    print(json.dumps({"cpus": os.cpu_count(), "results": results}, indent=2))


if __name__ == "__main__":
    main()
