"""A real S3 protocol server for the tests, and a fault proxy in front of it.

``MotoServer`` runs moto's S3 server (PyPI ``moto[server]``) as a subprocess on a free
port of 127.0.0.1; boto3 talks to it over HTTP exactly as to a bucket in production.
``FaultProxy`` passes every request on to it unchanged, except those a test scripts to
fail (an S3 503) or to hang (longer than the client's read timeout): the store's
failures are played at its boundary, not by mocking the client.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

START_TIMEOUT = 30.0
HANG_SECONDS = 3.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        connection.request("GET", "/moto-api/")
        connection.getresponse().read()
        connection.close()
        return True
    except OSError:
        return False


class MotoServer:
    """`python -m moto.server` on 127.0.0.1, started with a bounded wait."""

    def __init__(self, log_file: Path):
        self.port = free_port()
        self.log = open(log_file, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"moto server did not start; see {log_file}")
            time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


class _Relay(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # answers Expect: 100-continue, as S3 does
    server: FaultProxy

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fault = self.server.fault_for(self.command, self.path)
        if fault == "hang":
            time.sleep(HANG_SECONDS)  # longer than the client's read timeout
            self.close_connection = True
            return
        if fault == "fail":
            error = (
                b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>ServiceUnavailable"
                b"</Code><Message>scripted failure</Message></Error>"
            )
            self.send_response(503)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(error)))
            self.end_headers()
            self.wfile.write(error)
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() != "expect"}
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=10)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
        finally:
            upstream.close()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _relay  # noqa: N815 - http.server names


class FaultProxy(ThreadingHTTPServer):
    """An S3 endpoint on 127.0.0.1 that relays to moto; `script(method, suffix, fault)`
    makes matching requests fail (503) or hang, and `seen` counts them."""

    daemon_threads = True

    def __init__(self, upstream_port: int):
        super().__init__(("127.0.0.1", 0), _Relay)
        self.upstream_port = upstream_port
        self.rules: list[tuple[str, str, str]] = []
        self.seen: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def script(self, method: str, path_suffix: str, fault: str) -> None:
        with self._lock:
            self.rules.append((method, path_suffix, fault))

    def reset(self) -> None:
        with self._lock:
            self.rules.clear()
            self.seen.clear()

    def fault_for(self, method: str, path: str) -> str | None:
        path = path.split("?", 1)[0]
        with self._lock:
            for rule_method, suffix, fault in self.rules:
                if method == rule_method and path.endswith(suffix):
                    key = (method, suffix)
                    self.seen[key] = self.seen.get(key, 0) + 1
                    return fault
        return None

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        with contextlib.suppress(RuntimeError):
            self.thread.join(timeout=5)
