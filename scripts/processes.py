"""Start the processes casa311 needs to keep its promises, and stop them together.

    python scripts/processes.py            # what `make run` execs after migrating
    python scripts/processes.py --list     # the commands, one per line (production units)
    python scripts/processes.py --only worker,celery

- web: gunicorn serving the app (gunicorn.conf.py: HOST, PORT, WORKERS);
- worker: `flask --app citizen_api worker`, the periodic jobs (outbox sweep, phone
  erasure, idempotency purge, ...) under their locks;
- celery: only when CELERY_BROKER_URL is set, a Celery worker that sends each message
  right after its commit and retries it after the backoff.

SIGTERM or SIGINT is passed to every process, which finishes what it has in flight
(gunicorn its requests, the worker its job, Celery its task); after STOP_TIMEOUT seconds
what is left is killed. When one process exits on its own the others are stopped too and
the runner exits non-zero, so that whatever supervises it (a terminal, systemd, a
container runtime) sees the failure. docker-compose.yml runs the same commands, one
service each.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

STOP_TIMEOUT = float(os.environ.get("STOP_TIMEOUT", "40"))  # gunicorn's graceful 30 s + margin


def processes(env: dict) -> list[tuple[str, list[str]]]:
    """(name, argv) of each process to run with this environment."""
    bin_dir = Path(sys.executable).parent
    found = [
        ("web", [str(bin_dir / "gunicorn"), "citizen_api:create_app()"]),
        ("worker", [str(bin_dir / "flask"), "--app", "citizen_api", "worker"]),
    ]
    if env.get("CELERY_BROKER_URL"):
        queue = env.get("CELERY_QUEUE") or "casa311"
        celery = [str(bin_dir / "celery"), "-A", "citizen_api.worker:celery", "worker"]
        found.append(("celery", [*celery, "--loglevel=INFO", "-Q", queue]))
    return found


def run(selected: list[tuple[str, list[str]]]) -> int:
    children: dict[str, subprocess.Popen] = {}
    stopping = False

    def stop(signum=signal.SIGTERM, _frame=None) -> None:
        nonlocal stopping
        stopping = True
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for name, argv in selected:
        print(f"casa311: starting {name}: {shlex.join(argv)}", file=sys.stderr, flush=True)
        children[name] = subprocess.Popen(argv)
    failed = 0
    while children and not stopping:
        for name, child in list(children.items()):
            code = child.poll()
            if code is not None:
                print(f"casa311: {name} exited with {code}; stopping the others", file=sys.stderr)
                failed = code or 1
                del children[name]
                stop()
                break
        time.sleep(0.2)
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, child in children.items():
        try:
            child.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            print(f"casa311: {name} did not stop in {STOP_TIMEOUT:g}s: killed", file=sys.stderr)
            child.kill()
            child.wait()
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="print the commands and exit")
    parser.add_argument("--json", action="store_true", help="with --list: as JSON")
    parser.add_argument("--only", help="comma-separated names: web, worker, celery")
    args = parser.parse_args(argv)
    selected = processes(dict(os.environ))
    if args.only:
        wanted = set(args.only.split(","))
        selected = [(name, cmd) for name, cmd in selected if name in wanted]
    if args.list:
        if args.json:
            print(json.dumps(dict(selected)))
        else:
            for name, cmd in selected:
                print(f"{name}: {shlex.join(cmd)}")
        return 0
    return run(selected)


if __name__ == "__main__":
    sys.exit(main())
