"""The benchmark: casa311 against its baselines, interleaved (bare A B, bare A B, ...), on
a database filled by bench/generate.py. For every scenario of issue 15's target table it
prints requests/s of the bare WSGI app and of casa311 (same gunicorn settings), their
ratio (median of the rounds, min-max), p50/p99, the worker CPU per request of both, the
pgbench rate of the very SQL the app ran for one such request (captured from the server's
statement log, bench/capture_sql.py) and the verdict against the target; then the bulk
import rate, the machine's load during the run and the app worker's memory.

    nice -n 10 .venv/bin/python bench/run.py --database-url postgresql://postgres@127.0.0.1:5432/casa311_bench

wrk -t1 -c16 drives both servers from loopback; rate limits are on (the production
code path, counters in each worker's memory as without REDIS_URL) at 10,000 a second,
which no run reaches (a per-second window keeps the moving window's list as short as a
real client's at 300/minute); the outbox hands receipts to a Redis broker (a throwaway
queue, emptied after) as it does in production.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.engine import make_url

from bench import capture_sql, fixtures, report, sql

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "lua"
VENV_BIN = Path(sys.executable).parent
BARE, FLASK, APP = ("bare", 5812, "bench.bare_wsgi:app"), ("flask", 5813, "bench.bare_flask:app"), (
    "app", 5811, "citizen_api:create_app()")  # fmt: skip
# name: (lua script, sides, target ratio, p99 target ms, worker CPU target ms)
SCENARIOS = {
    "healthz": ("healthz.lua", (BARE, FLASK, APP), None, None, None),
    "services": ("services.lua", (BARE, APP), 0.5, None, 0.4),
    "get one": ("get_one.lua", (BARE, APP), 0.4, None, 0.6),
    "list 50": ("list_plain.lua", (BARE, APP), 0.25, 50.0, 1.5),
    "list 50 status+bbox": ("list.lua", (BARE, APP), 0.25, 50.0, 1.5),
    "create": ("create.lua", (BARE, APP), 0.2, None, 1.5),
    "triage queue": ("triage_queue.lua", (BARE, APP), None, 100.0, 3.0),
    "triage ticket": ("triage_ticket.lua", (BARE, APP), None, 100.0, 3.0),
    "console queue": ("console_queue.lua", (BARE, APP), None, 100.0, 3.0),
    "console ticket": ("console_ticket.lua", (BARE, APP), None, 100.0, 3.0),
    "whatsapp inbound": ("whatsapp.lua", (BARE, APP), None, None, None),
    "mixed replay": ("mixed.lua", (BARE, APP), None, None, None),
}
DEFAULT = [name for name in SCENARIOS if name != "mixed replay"]
# --compare DIR: the app as another checkout has it (e.g. main before a change), a side
# of its own in every scenario, interleaved with the others.
BEFORE = ("before", 5814, "citizen_api:create_app()")
BROKER = "redis://127.0.0.1:6379/14"
WEBHOOK_TOKEN = capture_sql.WEBHOOK_TOKEN
PUBLIC_URL = capture_sql.PUBLIC_URL
QUEUE = "casa311-bench"


def serve(target: str, port: int, env: dict, cwd: Path = ROOT) -> subprocess.Popen:
    """gunicorn serving `target` from the code in `cwd` (gunicorn imports from there),
    with that checkout's gunicorn.conf.py."""
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", str(cwd / "gunicorn.conf.py"),
         "--access-logfile", "/dev/null", target],
        cwd=cwd, env={**env, "PORT": str(port), "HOST": "127.0.0.1"},
    )  # fmt: skip
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{target} did not start on port {port}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(10)


def wrk(port: int, script: str, args, env: dict) -> dict:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
         "-s", str(LUA / script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, env=env, check=True,
    ).stdout  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def pgbench(url: str, script: str, seconds: int) -> float:
    u = make_url(url)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    try:
        done = subprocess.run(
            ["pgbench", "-n", "-M", "prepared", "-c", "2", "-j", "2", "-T", str(seconds),
             "-f", f.name, "-h", u.host, "-p", str(u.port or 5432), "-U", u.username,
             u.database],
            capture_output=True, text=True,
        )  # fmt: skip
    finally:
        os.unlink(f.name)
    if done.returncode:
        raise SystemExit(f"pgbench failed on:\n{script}\n{done.stderr[-2000:]}")
    return float(next(x for x in done.stdout.splitlines() if x.startswith("tps")).split()[2])


def children(master: subprocess.Popen) -> list[str]:
    return Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()


def workers_cpu_s(master: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by the server's worker processes: per request,
    a measure that other load on a shared machine does not distort as much as req/s."""
    ticks = 0
    for pid in children(master):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def worker_rss_mb(master: subprocess.Popen) -> list[float]:
    sizes = []
    for pid in children(master):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def bulk_import(args, env: dict) -> str:
    """bench/generate.py's import into a throwaway database (dropped after); its summary
    lines."""
    bench_url = make_url(args.database_url)
    name = f"{bench_url.database}_import"
    try:
        out = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate.py"), "--database-url",
             str(bench_url.set(database=name)), "--rows", str(args.import_rows), "--fresh"],
            capture_output=True, text=True, env=env, check=True, cwd=ROOT,
        ).stdout  # fmt: skip
    finally:
        with fixtures.connect(str(bench_url.set(database="postgres"))) as conn:
            conn.autocommit = True
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    lines = out.splitlines()
    progress = [x for x in lines if x.startswith(" ")]
    summary = [x for x in lines if not x.startswith(" ")]
    return "\n".join(["bulk import, last chunk: " + progress[-1].strip(), *summary])


def whatsapp_env(env: dict, tmp: str, side: str, sent: dict) -> dict:
    """The environment of one wrk run: the side's signed WhatsApp messages, from the
    first one not sent yet."""
    return {
        **env,
        "BENCH_WA_FILE": str(Path(tmp) / f"wa-{side}"),
        "BENCH_WA_START": str(sent[side]),
    }


def bench_env(url: str, secret: str) -> dict:
    """The servers' environment: production settings except limits no run reaches and a
    throwaway broker queue (also set in this process, for bench/capture_sql.py's app)."""
    env = {
        **os.environ,
        "SECRET_KEY": secret,
        "DATABASE_URL": url,
        "RATE_LIMIT_READ": "10000/second",
        "RATE_LIMIT_CREATE": "10000/second",
        "RATE_LIMIT_CREATE_PHONE": "10000/second",
        "RATE_LIMIT_WEBHOOK": "10000/second",
        # Twilio's webhook signatures need an account; with no sender number configured
        # every message goes to the console channel (nothing is sent anywhere).
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": WEBHOOK_TOKEN,
        "PUBLIC_BASE_URL": PUBLIC_URL,
        "CELERY_BROKER_URL": BROKER,
        "CELERY_QUEUE": QUEUE,
        "LOG_LEVEL": "WARNING",
        "BENCH_LUA": str(LUA),
    }
    os.environ.update({k: env[k] for k in ("CELERY_BROKER_URL", "CELERY_QUEUE")})
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--pgbench-seconds", type=int, default=3)
    parser.add_argument("--import-rows", type=int, default=1_000_000, help="0: skip")
    parser.add_argument("--only", nargs="*", default=DEFAULT, choices=list(SCENARIOS))
    parser.add_argument(
        "--compare", type=Path, help="a checkout whose app runs as a side 'before' too"
    )
    args = parser.parse_args()
    sides_of = {
        name: SCENARIOS[name][1] + ((BEFORE,) if args.compare else ()) for name in SCENARIOS
    }

    secret = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48)
    env = bench_env(args.database_url, secret)
    load_start, machine_start = Path("/proc/loadavg").read_text().split()[:3], cpu_times()
    sample = fixtures.sample(args.database_url)
    with fixtures.connect(args.database_url) as conn:
        conn.execute(sql.SETUP)
    captured = capture_sql.capture(args.database_url, secret)
    scripts = {name: capture_sql.pgbench_script(entries) for name, (_, entries) in captured.items()}
    scripts["create"] = sql.CREATE
    # Each inbound message writes a unique MessageSid and a new contact: replayed as
    # logged it would only conflict, so the webhook has no pgbench baseline.
    scripts["whatsapp inbound"] = ""
    scripts["list (old general query)"] = sql.LIST_GENERAL
    scripts["create (old ORM statements)"] = sql.CREATE_ORM
    trips = {name: len(capture_sql.statements(entries)) for name, (_, entries) in captured.items()}

    with tempfile.TemporaryDirectory() as tmp:
        for key, codes in (("BENCH_CODES", sample["codes"]), ("BENCH_TICKETS", sample["tickets"])):
            path = Path(tmp) / key
            path.write_text("\n".join(codes) + "\n")
            env[key] = str(path)
        servers = {side: serve(target, port, env) for side, port, target in (BARE, FLASK, APP)}
        if args.compare:
            servers["before"] = serve(BEFORE[2], BEFORE[1], env, args.compare.resolve())
        env["BENCH_TOKEN"] = fixtures.token(APP[1])
        env["BENCH_COOKIE"] = fixtures.console_cookie(APP[1])
        # Each server gets its own signed WhatsApp messages, never one twice.
        sent = {side: 0 for side in servers}
        for n, side in enumerate(servers):
            fixtures.whatsapp_messages(
                Path(tmp) / f"wa-{side}", 40_000, WEBHOOK_TOKEN, PUBLIC_URL, n
            )
        rss_start = worker_rss_mb(servers["app"])
        results = {name: {side: [] for side, _, _ in sides_of[name]} for name in args.only}
        db_tps: dict[str, list[float]] = {}
        loads = []
        try:
            # Warm each app (imports on first use, the broker's connection, the
            # catalogue copy): one second of every scenario, not counted.
            warm = argparse.Namespace(connections=4, duration=1)
            for name in args.only:
                for side, port, _ in sides_of[name]:
                    if side in ("app", "before"):
                        warmed = wrk(
                            port, SCENARIOS[name][0], warm, whatsapp_env(env, tmp, side, sent)
                        )
                        sent[side] += warmed["requests"]
            for round_ in range(1, args.rounds + 1):
                for name in args.only:
                    for side, port, _ in sides_of[name]:
                        cpu = workers_cpu_s(servers[side])
                        result = wrk(
                            port, SCENARIOS[name][0], args, whatsapp_env(env, tmp, side, sent)
                        )
                        sent[side] += result["requests"]
                        used = workers_cpu_s(servers[side]) - cpu
                        result["cpu_ms"] = used * 1000 / max(result["requests"], 1)
                        results[name][side].append(result)
                        print(f"round {round_} {name:<20} {side:<5} {result['rps']:>8.0f} req/s "
                              f"p99 {result['p99_ms']:.1f} ms non2xx {result['non2xx']} "
                              f"errors {result['errors']} worker CPU {result['cpu_ms']:.2f} ms/req",
                              flush=True)  # fmt: skip
                for name, script in scripts.items():
                    if script.strip() and (name in args.only or "(old" in name):
                        tps = pgbench(args.database_url, script, args.pgbench_seconds)
                        db_tps.setdefault(name, []).append(tps)
                loads.append(Path("/proc/loadavg").read_text().split()[0])
            rss_end = worker_rss_mb(servers["app"])
        finally:
            for server in servers.values():
                stop(server)
            subprocess.run(["redis-cli", "-n", "14", "DEL", QUEUE], capture_output=True)
    busy = [b - a for a, b in zip(machine_start, cpu_times(), strict=True)]
    imported = bulk_import(args, env) if args.import_rows else "bulk import: skipped"
    load_end = Path("/proc/loadavg").read_text().split()[:3]

    print(f"\nreports stored: ~{sample['total']:,}; {args.rounds} rounds of {args.duration} s, "
          f"wrk -t1 -c{args.connections}; gunicorn.conf.py for every server")  # fmt: skip
    print(report.table(results, SCENARIOS, db_tps, trips))
    if args.compare:
        print(f"\nbefore ({args.compare}) and after (this checkout), same rounds:\n")
        print(report.compare(results))
    for name in ("list (old general query)", "create (old ORM statements)"):
        tps = db_tps.get(name)
        if tps:
            print(f"pgbench -M prepared, {name}: {report.median(tps):,.0f} tx/s")
    print(imported)
    print(f"load average (1, 5, 15 min) before: {' '.join(load_start)}; at the end of each "
          f"round: {', '.join(loads)}; after: {' '.join(load_end)}")  # fmt: skip
    print(f"machine CPU busy during the run: {100 * busy[0] / busy[1]:.0f} % of 2 cores")
    print(
        f"app worker RSS: start {', '.join(f'{m:.0f}' for m in rss_start)} MB; end "
        f"{', '.join(f'{m:.0f}' for m in rss_end)} MB (target < 150 MB)"
    )


if __name__ == "__main__":
    main()
