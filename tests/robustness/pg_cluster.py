"""A throwaway PostgreSQL server that a test may stop and start: its own data directory,
its own port on 127.0.0.1, never the shared server on 5432."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def available() -> bool:
    return bool(_bin("initdb") and _bin("pg_ctl"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """initdb + pg_ctl in a temporary directory, run as the `postgres` OS user when the
    tests run as root (PostgreSQL refuses to run as root)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="casa311-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.user = None
        if os.geteuid() == 0:
            self.user = "postgres"
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._run(_bin("initdb"), "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync")
        self.start()

    def _run(self, *args, check=True):
        command = [str(a) for a in args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, timeout=60)

    def running(self) -> bool:
        return self._run(_bin("pg_ctl"), "-D", self.data, "status", check=False).returncode == 0

    def start(self) -> None:
        """Start the server (nothing to do if it runs) and wait until it accepts connections."""
        if self.running():
            return
        # fsync off for speed (a killed server's writes stay in the OS cache), but
        # synchronous_commit stays on: a crash must not lose a committed report.
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off"
        self._run(
            _bin("pg_ctl"), "-D", self.data, "-o", options, "-l", self.dir / "log", "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: `fast` (orderly) or `immediate` (as if it crashed)."""
        self._run(_bin("pg_ctl"), "-D", self.data, "-m", mode, "-w", "stop", check=False)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
