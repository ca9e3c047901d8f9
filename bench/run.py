"""The benchmark: casa311 against its baselines, interleaved (A B A B ...), on a database
filled by bench/generate.py. Prints a table of requests/s, p50/p95/p99 and the ratio to
bare WSGI (median of the rounds, with min-max), the pgbench and orjson baselines, and the
app worker's memory.

    .venv/bin/python bench/run.py --database-url postgresql://postgres@127.0.0.1:5432/casa311_bench

Both servers run under the same gunicorn settings (gunicorn.conf.py, WORKERS workers,
sync); wrk drives them from loopback. Rate limits are off for the run.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import orjson
import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "lua"
VENV_BIN = Path(sys.executable).parent
SCENARIOS = {
    # name: (lua script, target ratio to bare WSGI, p99 target in ms)
    "create": ("create.lua", 0.5, None),
    "get one": ("get_one.lua", 0.6, None),
    "list bbox+status": ("list.lua", 0.5, 50.0),
    "mixed replay": ("mixed.lua", None, None),
}
PERCENTILES = ("p50_ms", "p95_ms", "p99_ms")
LIST_SQL = """
SELECT r.id, r.tracking_code, r.status, ST_X(r.geom), ST_Y(r.geom), r.requested_at
FROM service_requests r JOIN service_types s ON s.id = r.service_type_id
JOIN areas a ON a.id = r.area_id JOIN departments d ON d.id = r.department_id
WHERE r.status IN ('closed') AND r.geom && ST_MakeEnvelope(:x, :y, :x + 0.01, :y + 0.01, 4326)
ORDER BY r.requested_at DESC, r.id DESC LIMIT 51;
"""
INSERT_SQL = """
\\set x random(0, 10000)
BEGIN;
INSERT INTO service_requests (tracking_code, service_type_id, status, geom, attributes, lang,
  channel, area_id, department_id, routing_reason, requested_at, updated_at)
VALUES (substr(md5(random()::text), 1, 9), 1, 'submitted',
  ST_SetSRID(ST_MakePoint(-7.62 + :x / 1e6, 33.59), 4326), '{}', 'fr', 'api', 1, 1,
  'bench', now(), now()) RETURNING id \\gset
INSERT INTO request_events (request_id, kind, to_status, public, actor, created_at)
VALUES (:id, 'submitted', 'submitted', true, 'resident', now());
COMMIT;
"""


def serve(target: str, port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
         "--access-logfile", "/dev/null", target],
        cwd=ROOT, env={**env, "PORT": str(port), "HOST": "127.0.0.1"},
    )  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{target} did not start on port {port}")


def wrk(port: int, script: str, args, env: dict) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
         "-s", str(LUA / script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, env=env, check=True,
    ).stdout  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def pgbench(url, script: str, seconds: int) -> float:
    u = make_url(url)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    out = subprocess.run(
        ["pgbench", "-n", "-M", "prepared", "-c", "2", "-j", "2", "-T", str(seconds),
         "-D", "x=-7.64", "-D", "y=33.57", "-f", f.name,
         "-h", u.host, "-p", str(u.port or 5432), "-U", u.username, u.database],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    os.unlink(f.name)
    return float(next(x for x in out.splitlines() if x.startswith("tps")).split()[2])


def workers_cpu_s(master: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by the server's worker processes: per request,
    a measure that other load on a shared machine does not distort as much as req/s."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    ticks = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def worker_rss_mb(master: subprocess.Popen) -> list[float]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def orjson_page_us(url: str) -> float:
    from citizen_api import create_app
    from citizen_api.extensions import db
    from citizen_api.reports.present import public_view
    from models import ServiceRequest

    app = create_app(
        {
            "DATABASE_URL": url,
            "LOG_LEVEL": "WARNING",
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48),
        }
    )
    with app.app_context():
        page = [public_view(r, "fr") for r in db.session.query(ServiceRequest).limit(50)]
        start = time.perf_counter()
        for _ in range(2000):
            orjson.dumps(page)
        return (time.perf_counter() - start) / 2000 * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--only", nargs="*", default=list(SCENARIOS))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        codes_file = Path(tmp) / "codes.txt"
        u = make_url(args.database_url)
        with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username,
                             dbname=u.database) as conn:  # fmt: skip
            total = conn.execute("SELECT reltuples::bigint FROM pg_class "
                                 "WHERE relname = 'service_requests'").fetchone()[0]  # fmt: skip
            codes = conn.execute(
                "SELECT tracking_code FROM service_requests TABLESAMPLE SYSTEM (1) LIMIT 2000"
            ).fetchall()
        codes_file.write_text("\n".join(c for (c,) in codes) + "\n")
        env = {
            "SECRET_KEY": secrets.token_urlsafe(48),  # unless one is set: the app needs one
            **os.environ,
            "DATABASE_URL": args.database_url,
            "RATELIMIT_ENABLED": "0",
            "LOG_LEVEL": "WARNING",
            "BENCH_LUA": str(LUA),
            "BENCH_CODES": str(codes_file),
        }
        app = serve("citizen_api:create_app()", 5811, env)
        bare = serve("bench.bare_wsgi:app", 5812, env)
        rss_start = worker_rss_mb(app)
        results = {name: {"bare": [], "app": []} for name in args.only}
        db_tps = {"list SQL": [], "insert SQL": []}
        served = 0
        try:
            for round_ in range(1, args.rounds + 1):
                for name in args.only:
                    script = SCENARIOS[name][0]
                    for side, port in (("bare", 5812), ("app", 5811)):
                        server = bare if side == "bare" else app
                        cpu = workers_cpu_s(server)
                        result = wrk(port, script, args, env)
                        result["cpu_ms"] = (
                            (workers_cpu_s(server) - cpu) * 1000 / max(result["requests"], 1)
                        )
                        results[name][side].append(result)
                        served += result["requests"] if side == "app" else 0
                        print(f"round {round_} {name:<17} {side:<4} {result['rps']:>8.0f} req/s "
                              f"p99 {result['p99_ms']:.1f} ms non2xx {result['non2xx']} "
                              f"worker CPU {result['cpu_ms']:.2f} ms/req", flush=True)  # fmt: skip
                db_tps["list SQL"].append(pgbench(args.database_url, LIST_SQL, 5))
                db_tps["insert SQL"].append(pgbench(args.database_url, INSERT_SQL, 5))
            rss_end = worker_rss_mb(app)
        finally:
            app.terminate()
            bare.terminate()
            app.wait(10)
            bare.wait(10)

    print(f"\nreports stored: ~{total:,}; {args.rounds} rounds of {args.duration} s, "
          f"{args.connections} connections, wrk -t2\n")  # fmt: skip
    print(f"{'scenario':<18}{'bare req/s':>11}{'app req/s':>11}{'ratio (min-max)':>20}"
          f"{'p50':>8}{'p95':>8}{'p99 ms':>8}  target")  # fmt: skip
    for name, sides in results.items():
        bare_rps = statistics.median(r["rps"] for r in sides["bare"])
        app_rps = statistics.median(r["rps"] for r in sides["app"])
        ratios = [a["rps"] / b["rps"] for a, b in zip(sides["app"], sides["bare"], strict=True)]
        p = {
            k: statistics.median(r[k] for r in sides["app"]) for k in ("p50_ms", "p95_ms", "p99_ms")
        }
        _, target, p99_target = SCENARIOS[name]
        verdict = "-"
        if target:
            ok = statistics.median(ratios) >= target and (
                not p99_target or p["p99_ms"] < p99_target
            )
            verdict = f">= {target}x{f', p99 < {p99_target:.0f} ms' if p99_target else ''}: " + (
                "met" if ok else "NOT met"
            )
        print(f"{name:<18}{bare_rps:>11.0f}{app_rps:>11.0f}"
              f"{statistics.median(ratios):>9.3f}x ({min(ratios):.3f}-{max(ratios):.3f})"
              f"{p['p50_ms']:>8.1f}{p['p95_ms']:>8.1f}{p['p99_ms']:>8.1f}  {verdict}")  # fmt: skip
    print("\nworker CPU per request, median ms (app / bare):")
    for name, sides in results.items():
        app_cpu = statistics.median(r["cpu_ms"] for r in sides["app"])
        bare_cpu = statistics.median(r["cpu_ms"] for r in sides["bare"])
        print(
            f"  {name:<18}{app_cpu:>7.2f} / {bare_cpu:.2f}  (CPU ratio {bare_cpu / app_cpu:.3f}x)"
        )
    for name, tps in db_tps.items():
        print(f"pgbench -M prepared {name}: {statistics.median(tps):,.0f} tx/s "
              f"({min(tps):,.0f}-{max(tps):,.0f})")  # fmt: skip
    print(f"orjson.dumps of a 50-report page: {orjson_page_us(args.database_url):.1f} µs")
    print(
        f"app worker RSS: start {', '.join(f'{m:.0f}' for m in rss_start)} MB; after "
        f"{served:,} requests {', '.join(f'{m:.0f}' for m in rss_end)} MB (target < 150 MB)"
    )


if __name__ == "__main__":
    main()
