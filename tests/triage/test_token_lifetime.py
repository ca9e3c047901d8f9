"""Tokens end with what they stood for: a disable (even followed by an enable), a
password change by the clerk, a reset by an administrator (API and CLI), and a role or
department change each end every token issued before (issue 14, class 7). The
per-username sign-in limit holds across workers: it is counted in the database."""

from __future__ import annotations

import uuid

import pytest

from citizen_api.extensions import db
from tests.helpers import make_app
from tests.triage.conftest import PASSWORD

TOKEN_URL = "/api/v1/auth/token"
QUEUE = "/api/v1/triage/requests"
NEW_PASSWORD = "a brand new passphrase 42"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def cli(app, *args, stdin: str | None = None):
    result = app.test_cli_runner().invoke(args=["users", *args], input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def account(app):
    """A fresh voirie clerk (so no other test's token is ended): (username, token)."""
    name = f"t{uuid.uuid4().hex[:10]}"
    cli(app, "create", name, "--role", "clerk", "--department", "voirie", stdin=PASSWORD + "\n")
    return name


def sign_in(client, username, password=PASSWORD) -> str:
    response = client.post(TOKEN_URL, json={"username": username, "password": password})
    assert response.status_code == 200, response.json
    return response.json["access_token"]


def works(client, token) -> bool:
    status = client.get(QUEUE, headers=bearer(token)).status_code
    assert status in (200, 401)
    return status == 200


def test_a_token_from_before_a_disable_stays_dead_after_enable(app, client, account):
    token = sign_in(client, account)
    cli(app, "disable", account)
    assert not works(client, token)
    cli(app, "enable", account)
    assert not works(client, token)
    assert works(client, sign_in(client, account))


def test_a_clerks_own_password_change_ends_old_tokens_and_answers_a_new_one(client, account):
    first, second = sign_in(client, account), sign_in(client, account)
    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(first),
    )
    assert changed.status_code == 200, changed.json
    assert not works(client, first) and not works(client, second)
    assert works(client, changed.json["access_token"])
    assert (
        client.post(TOKEN_URL, json={"username": account, "password": PASSWORD}).status_code == 401
    )
    assert works(client, sign_in(client, account, NEW_PASSWORD))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"current_password": "not the password", "new_password": NEW_PASSWORD},
            "current_password",
        ),
        ({"current_password": PASSWORD, "new_password": "short"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": PASSWORD}, "new_password"),
    ],
)
def test_a_refused_password_change_keeps_the_token(client, account, body, field):
    token = sign_in(client, account)
    response = client.post("/api/v1/auth/password", json=body, headers=bearer(token))
    assert response.status_code == 422 and field in response.json["errors"]
    assert works(client, token)


def test_an_administrators_reset_ends_the_clerks_tokens(client, account, as_):
    token = sign_in(client, account)
    url = f"/api/v1/auth/clerks/{account}/password"
    refused = client.post(url, json={"new_password": NEW_PASSWORD}, headers=as_("sara"))
    assert refused.status_code == 403 and works(client, token)
    reset = client.post(url, json={"new_password": NEW_PASSWORD}, headers=as_("root"))
    assert reset.status_code == 204
    assert not works(client, token)
    assert works(client, sign_in(client, account, NEW_PASSWORD))
    unknown = client.post(
        "/api/v1/auth/clerks/nobody-here/password",
        json={"new_password": NEW_PASSWORD},
        headers=as_("root"),
    )
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        ["set-password"],
        ["change", "--role", "supervisor"],
        ["change", "--department", "eclairage"],
    ],
)
def test_cli_password_role_and_department_changes_end_tokens(app, client, account, change):
    token = sign_in(client, account)
    stdin = NEW_PASSWORD + "\n" if change == ["set-password"] else None
    cli(app, change[0], account, *change[1:], stdin=stdin)
    assert not works(client, token)
    password = NEW_PASSWORD if stdin else PASSWORD
    assert works(client, sign_in(client, account, password))


def test_a_change_that_alters_nothing_keeps_the_token(app, client, account):
    token = sign_in(client, account)
    cli(app, "enable", account)  # already enabled
    cli(app, "change", account, "--department", "voirie")  # already there
    assert works(client, token)


def test_the_per_username_sign_in_limit_holds_across_two_workers(app):
    """Two apps on one database stand for two gunicorn workers without Redis: together
    they allow the limit once, not once each."""
    workers = [
        make_app(
            app.config["DATABASE_URL"], RATELIMIT_ENABLED=True, RATE_LIMIT_TOKEN_USER="3/minute"
        )
        for _ in range(2)
    ]
    try:
        statuses = [
            workers[i % 2]
            .test_client()
            .post(
                TOKEN_URL,
                json={"username": "Shared.Target", "password": "wrong guess"},
                environ_base={"REMOTE_ADDR": f"10.9.0.{i}"},
            )
            for i in range(6)
        ]
        assert [r.status_code for r in statuses] == [401, 401, 401, 429, 429, 429]
        assert 1 <= int(statuses[3].headers["Retry-After"]) <= 60
        assert statuses[3].content_type == "application/problem+json"
    finally:
        for worker in workers:
            with worker.app_context():
                db.session.remove()
                db.engine.dispose()
