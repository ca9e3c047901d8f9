"""Starting casa311's real processes for the tests, and always stopping them.

`started(argv, env, log)` runs a command in its own process group and, on leaving the
block, sends SIGTERM to the whole group, waits, then SIGKILLs what is left: a failing
test never leaves a web server or a worker behind.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "processes-test-" + "k" * 40
# Variables a parent `make test` exports that must not reach a nested `make run`.
MAKE_VARIABLES = ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, seconds: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    tail = f"\n--- {log} ---\n{log.read_text()[-4000:]}" if log and log.exists() else ""
    raise AssertionError(f"gave up waiting {seconds}s for {what}{tail}")


def child_env(**settings) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in MAKE_VARIABLES}
    env.update({k: str(v) for k, v in settings.items()})
    env.setdefault("SECRET_KEY", SECRET_KEY)
    env["PYTHONPATH"] = str(ROOT)
    return env


@contextmanager
def started(argv: list[str], env: dict, log: Path, stop_seconds: float = 45):
    with open(log, "ab") as out:
        process = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        stop(process, stop_seconds)


def children(pid: int) -> list[int]:
    """The pids whose parent is `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def stop(process: subprocess.Popen, seconds: float = 45) -> int:
    """SIGTERM the process group, wait up to `seconds`, then SIGKILL it; the exit code."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.wait(seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait(10)
    finally:
        with suppress(ProcessLookupError):  # children that outlived their parent
            os.killpg(process.pid, signal.SIGKILL)
