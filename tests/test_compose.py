"""docker-compose.yml, checked without docker (none runs here): it is a valid Compose file
by the Compose Specification's own JSON schema, it runs the same processes `make run`
starts (scripts/processes.py says which), and every casa311 service has a health check,
a restart policy, the one .env, and waits for what it needs."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "tests/emulator/build/compose-spec.json"
CASA311 = ("app", "worker", "celery")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def interpolate(value: str, env: dict) -> str:
    """Compose's ${VAR:-default} and ${VAR:?error}, as `docker compose` reads them."""

    def one(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if op == ":?":
            raise AssertionError(f"compose needs {name}: {arg}")
        return arg or ""

    return re.sub(r"\$\{(\w+)(:-|:\?)?([^}]*)\}", one, value)


def test_the_compose_file_is_valid_by_the_compose_specification(compose):
    if not SCHEMA.exists():
        subprocess.run([str(ROOT / "tests/emulator/setup.sh")], check=True, capture_output=True)
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft201909Validator(schema).validate(compose)


def test_compose_runs_the_processes_make_run_starts(compose):
    """The runner's commands, with the broker compose configures, are the services'."""
    environment = compose["services"]["worker"]["environment"]
    env = {**os.environ, "CELERY_BROKER_URL": environment["CELERY_BROKER_URL"]}
    env.pop("CELERY_QUEUE", None)
    listed = subprocess.run(
        [sys.executable, "scripts/processes.py", "--list", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wanted = {
        name: [Path(argv[0]).name, *argv[1:]] for name, argv in json.loads(listed.stdout).items()
    }
    assert set(wanted) == {"web", "worker", "celery"}
    service_of = {"web": "app", "worker": "worker", "celery": "celery"}
    for process, argv in wanted.items():
        command = [
            interpolate(part, {}) for part in compose["services"][service_of[process]]["command"]
        ]
        if command[:2] == ["sh", "-c"]:  # migrate and seed first, then exec the process
            command = shlex.split(command[2].rsplit("exec ", 1)[1])
        assert command == argv, process


def test_every_casa311_service_is_checked_restarted_and_configured_by_one_env_file(compose):
    services = compose["services"]
    assert set(services) == {"db", "redis", *CASA311}
    for name, service in services.items():
        assert service["restart"] in ("unless-stopped", "always"), name
        assert service["healthcheck"]["test"], name
    for name in CASA311:
        service = services[name]
        assert service["env_file"] == ".env", name
        env = service["environment"]
        assert (
            env["DATABASE_URL"].startswith("postgresql://") and "@db:5432/" in env["DATABASE_URL"]
        )
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
        # Enough time after SIGTERM for gunicorn's graceful 30 s and the job in flight.
        assert int(service["stop_grace_period"].rstrip("s")) >= 35
    assert "/readyz" in " ".join(services["app"]["healthcheck"]["test"])
    heartbeat = services["worker"]["environment"]["WORKER_HEARTBEAT_FILE"]
    assert heartbeat in " ".join(services["worker"]["healthcheck"]["test"])
    assert services["app"]["depends_on"]["db"]["condition"] == "service_healthy"
    # The worker and Celery start once the app has migrated the database.
    for name in ("worker", "celery"):
        assert services[name]["depends_on"]["app"]["condition"] == "service_healthy"
    example = (ROOT / ".env.example").read_text()
    for variable in ("SECRET_KEY", "PUBLIC_BASE_URL", "TWILIO_ACCOUNT_SID", "PHONE_RETENTION_DAYS"):
        assert re.search(rf"^{variable}=", example, re.M), variable


def test_the_worker_health_check_reads_the_heartbeat_the_worker_writes(tmp_path):
    """The same check compose runs, against a real worker process's file."""
    from tests.notifications.processes import child_env, started, wait_until

    beat = tmp_path / "alive"
    check = [
        sys.executable,
        "-c",
        f"import os, sys, time; sys.exit(time.time() - os.stat({str(beat)!r}).st_mtime > 60)",
    ]
    assert subprocess.run(check, capture_output=True).returncode != 0  # no file yet
    env = child_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'w.sqlite'}",
        WORKER_HEARTBEAT_FILE=beat,
        WORKER_TICK_SECONDS=0.1,
    )
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "citizen_api", "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    worker = [sys.executable, "-m", "flask", "--app", "citizen_api", "worker"]
    with started(worker, env, tmp_path / "worker.log"):
        wait_until(beat.exists, 30, "the heartbeat file", tmp_path / "worker.log")
        assert subprocess.run(check, capture_output=True).returncode == 0
