"""What the scenarios need from the bench database, set up through the app's own
interfaces (its CLI and HTTP API, so the bench does not depend on the package layout):
tracking codes to read, a clerk of the busiest department and that clerk's tickets."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
FLASK = Path(sys.executable).parent / "flask"
CLERK = "bench-clerk"
PASSWORD = "bench-clerk-password-311"


def connect(url: str) -> psycopg.Connection:
    u = make_url(url)
    return psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, dbname=u.database)


def sample(url: str) -> dict:
    """Reports stored (estimate), 2,000 codes at random, the busiest department's code and
    2,000 of its codes."""
    with connect(url) as conn:
        total = conn.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = 'service_requests'"
        ).fetchone()[0]
        # About 40,000 rows' worth of pages, however large the table.
        pct = min(100.0, 4e6 / max(total, 1))
        codes = conn.execute(
            "SELECT tracking_code FROM service_requests TABLESAMPLE SYSTEM (%s) LIMIT 2000",
            [pct],
        ).fetchall()
        department_id, department = conn.execute(
            "SELECT d.id, d.code FROM service_requests r TABLESAMPLE SYSTEM (%s) "
            "JOIN departments d ON d.id = r.department_id GROUP BY d.id, d.code "
            "ORDER BY count(*) DESC LIMIT 1",
            [pct],
        ).fetchone()
        tickets = conn.execute(
            "SELECT tracking_code FROM service_requests TABLESAMPLE SYSTEM (%s) "
            "WHERE department_id = %s LIMIT 2000",
            [pct, department_id],
        ).fetchall()
    return {
        "total": total,
        "codes": [c for (c,) in codes],
        "department": department,
        "tickets": [c for (c,) in tickets],
    }


def ensure_clerk(url: str, department: str, env: dict) -> None:
    """The bench clerk of `department`, created once by `flask users create`."""
    with connect(url) as conn:
        if conn.execute("SELECT 1 FROM clerks WHERE username = %s", [CLERK]).fetchone():
            return
    subprocess.run(
        [str(FLASK), "--app", "citizen_api", "users", "create", CLERK, "--role", "clerk",
         "--department", department],
        input=PASSWORD + "\n", text=True, cwd=ROOT, env={**env, "DATABASE_URL": url}, check=True,
    )  # fmt: skip


def token(port: int) -> str:
    """A bearer token for the bench clerk, from the running server's own endpoint."""
    body = json.dumps({"username": CLERK, "password": PASSWORD}).encode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/token",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as answer:
        return json.loads(answer.read())["access_token"]


def console_cookie(port: int) -> str:
    """The bench clerk's console session, signed in through the console's own form (its
    CSRF token included): the Cookie header for wrk."""
    import http.cookiejar
    import re
    import urllib.parse

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}/console"
    form = opener.open(f"{base}/login", timeout=30).read().decode()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode(
        {"csrf_token": csrf, "username": CLERK, "password": PASSWORD}
    ).encode()
    opener.open(f"{base}/login", data=body, timeout=30).read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "session=" not in cookie:
        raise SystemExit("the bench clerk could not sign in to the console")
    return cookie


def whatsapp_messages(path: Path, count: int, token: str, base_url: str, seed: int) -> None:
    """`count` signed inbound WhatsApp messages, one a line (form body, tab, signature):
    each from a new number with its own MessageSid, the first message of a report in
    words ("a pothole in front of the school"), as Twilio would post them."""
    import random
    import urllib.parse

    from twilio.request_validator import RequestValidator

    validator = RequestValidator(token)
    url = f"{base_url}/webhooks/twilio/inbound"
    rng = random.Random(seed)
    with path.open("w") as out:
        for i in range(count):
            params = {
                "MessageSid": f"SM{seed:04d}{i:08d}{rng.getrandbits(64):016x}"[:34],
                "AccountSid": "AC" + "0" * 32,
                "From": f"whatsapp:+2126{rng.randrange(10**8):08d}",
                "To": "whatsapp:+212522000000",
                "Body": "Il y a un nid de poule devant l'ecole, rue Abou Bakr",
                "NumMedia": "0",
            }
            out.write(
                f"{urllib.parse.urlencode(params)}\t{validator.compute_signature(url, params)}\n"
            )
