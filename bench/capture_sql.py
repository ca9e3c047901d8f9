"""Every round trip the app makes to PostgreSQL for one request of each scenario, read
from the server's own statement log (so BEGIN, ROLLBACK and pool pings show too).

    .venv/bin/python bench/capture_sql.py --database-url postgresql://postgres@127.0.0.1:5432/casa311_bench

The app runs in this process (Flask's test client: the same WSGI stack gunicorn calls);
each of its connections turns `log_statement = all` on for itself only (superuser), and
its lines are picked out of the server log by backend pid. Each scenario is requested
twice and the second is shown (the first warms the catalogue copy). The pgbench
baselines of bench/sql.py are written from this output.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
from pathlib import Path

from sqlalchemy import event

from bench import fixtures

WEBHOOK_TOKEN = "bench-twilio-auth-token"  # the same as bench/run.py's
PUBLIC_URL = "http://bench.casa311.invalid"
LOG = Path(os.environ.get("PG_LOG", "/var/log/postgresql/postgresql-15-main.log"))
PARAM = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")
LINE = re.compile(r"^\S+ \S+ \S+ \[(\d+)\] (?:\S+@\S+ )?(LOG|DETAIL|ERROR|STATEMENT):\s+(.*)$")


def requests(sample: dict, token: str) -> dict:
    """scenario -> (method, path, JSON body, headers)."""
    auth = {"Authorization": f"Bearer {token}"}
    body = {
        "service_code": "nid-de-poule",
        "lat": 33.5925,
        "long": -7.6191,
        "description": "bench",
        "phone": f"061{secrets.randbelow(10**7):07d}",
    }
    bbox = "-7.6300,33.5850,-7.6200,33.5950"
    return {
        "healthz": ("GET", "/healthz", None, {}),
        "services": ("GET", "/api/v1/services", None, {}),
        "get one": ("GET", f"/api/v1/requests/{sample['codes'][0]}", None, {}),
        "list 50": ("GET", "/api/v1/requests?limit=50", None, {}),
        "list 50 status+bbox": (
            "GET",
            f"/api/v1/requests?limit=50&status=submitted,in_progress&bbox={bbox}",
            None,
            {},
        ),
        "create": ("POST", "/api/v1/requests", body, {}),
        "triage queue": ("GET", "/api/v1/triage/requests?limit=50", None, auth),
        "triage ticket": ("GET", f"/api/v1/triage/requests/{sample['tickets'][0]}", None, auth),
        "console queue": ("GET", "/console/", None, {}),
        "console ticket": ("GET", f"/console/requests/{sample['tickets'][0]}", None, {}),
        "whatsapp inbound": ("POST", "/webhooks/twilio/inbound", None, {}),
    }


def capture(url: str, secret_key: str) -> dict[str, tuple[int, list[tuple[str, str]]]]:
    """scenario -> (HTTP status, the log entries of one request: (LOG or DETAIL, text))."""
    from citizen_api import create_app
    from citizen_api.extensions import db

    env = {**os.environ, "SECRET_KEY": secret_key}
    sample = fixtures.sample(url)
    fixtures.ensure_clerk(url, sample["department"], env)
    app = create_app(
        {"DATABASE_URL": url, "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": False,
         "SECRET_KEY": secret_key, "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
         "TWILIO_AUTH_TOKEN": WEBHOOK_TOKEN, "PUBLIC_BASE_URL": PUBLIC_URL}
    )  # fmt: skip
    pids: set[str] = set()
    with app.app_context():

        @event.listens_for(db.engine, "connect")
        def _log_everything(dbapi_conn, _record):
            dbapi_conn.execute("SET log_statement = 'all'")
            pids.add(str(dbapi_conn.info.backend_pid))
            dbapi_conn.commit()

        db.engine.dispose()
    client = app.test_client()
    answer = client.post(
        "/api/v1/auth/token", json={"username": fixtures.CLERK, "password": fixtures.PASSWORD}
    )
    token = answer.get_json()["access_token"]
    _console_sign_in(client)
    messages = iter(_whatsapp_forms(4))
    captured = {}
    for name, (method, path, body, headers) in requests(sample, token).items():
        form = None
        if name == "whatsapp inbound":
            form, headers = next(messages)
        client.open(path, method=method, json=body, data=form, headers=headers)  # warm
        if body and "phone" in body:
            body = {**body, "phone": f"061{secrets.randbelow(10**7):07d}"}
        if form is not None:
            form, headers = next(messages)
        start = LOG.stat().st_size
        response = client.open(path, method=method, json=body, data=form, headers=headers)
        captured[name] = (response.status_code, read_log(start, pids))
    with app.app_context():
        db.engine.dispose()
    return captured


def _console_sign_in(client) -> None:
    """Sign the bench clerk in to the console through its form (with its CSRF token)."""
    page = client.get("/console/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post(
        "/console/login",
        data={"csrf_token": csrf, "username": fixtures.CLERK, "password": fixtures.PASSWORD},
    )


def _whatsapp_forms(count: int) -> list[tuple[dict, dict]]:
    """Signed first messages of a report over WhatsApp, as bench/fixtures.py writes them."""
    import tempfile
    import urllib.parse

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "wa"
        fixtures.whatsapp_messages(path, count, WEBHOOK_TOKEN, PUBLIC_URL, 99)
        lines = path.read_text().splitlines()
    out = []
    for line in lines:
        body, signature = line.split("\t")
        out.append((dict(urllib.parse.parse_qsl(body)), {"X-Twilio-Signature": signature}))
    return out


def statements(entries: list[tuple[str, str]]) -> list[str]:
    """The round trips as runnable SQL: each statement with its parameters as literals."""
    out: list[str] = []
    for kind, text in entries:
        if kind == "LOG":
            text = re.sub(r"^(execute|statement) (<unnamed>|\S+): ", "", text)
            out.append(text.removeprefix("statement: ").strip())
        elif text.startswith("parameters:") and out:
            out[-1] = _bind(out[-1], dict(PARAM.findall(text)))
    return out


def _bind(sql: str, values: dict[str, str]) -> str:
    return re.sub(r"\$(\d+)", lambda m: values.get(m.group(1), m.group(0)), sql)


def pgbench_script(entries: list[tuple[str, str]]) -> str:
    """A pgbench script of the same round trips (the pool's empty ping becomes SELECT 1)."""
    lines = []
    for sql in statements(entries):
        sql = sql.rstrip(";").strip() or "SELECT 1"
        lines.append(" ".join(sql.split()) + ";")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    secret = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48)
    for name, (status, entries) in capture(args.database_url, secret).items():
        sql = statements(entries)
        print(f"\n## {name}: HTTP {status}, {len(sql)} round trips")
        for statement in sql:
            print("-  " + statement)


def read_log(start: int, pids: set[str]) -> list[tuple[str, str]]:
    """(LOG or DETAIL, text) of our backends' lines written after offset `start`; a
    statement's further lines (they start with a tab) are joined to it."""
    entries: list[tuple[str, str]] = []
    ours = False
    with LOG.open() as log:
        log.seek(start)
        for line in log:
            m = LINE.match(line)
            if m:
                ours = m.group(1) in pids
                if ours:
                    entries.append((m.group(2), m.group(3)))
            elif ours and entries and line.startswith("\t"):
                kind, text = entries[-1]
                entries[-1] = (kind, text + " " + line.strip())
    return entries


if __name__ == "__main__":
    main()
