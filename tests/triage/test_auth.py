"""Clerk accounts and access tokens."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
from sqlalchemy import select

from citizen_api import create_app
from citizen_api.config import EXAMPLE_SECRET_KEY, InsecureSecretKey
from citizen_api.extensions import db
from citizen_api.web.auth import ALGORITHM, AUDIENCE, ISSUER
from models import Clerk
from tests.triage.conftest import PASSWORD

TOKEN_URL = "/api/v1/auth/token"
QUEUE = "/api/v1/triage/requests"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def create_user(app, username, *options, password=PASSWORD):
    runner = app.test_cli_runner()
    return runner.invoke(args=["users", "create", username, *options], input=password + "\n")


def test_a_clerk_signs_in_and_uses_the_token(client, staff):
    response = client.post(TOKEN_URL, json={"username": "amina", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get(QUEUE, headers=bearer(body["access_token"])).status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_401(client, staff):
    wrong = client.post(TOKEN_URL, json={"username": "amina", "password": "not it at all"})
    unknown = client.post(TOKEN_URL, json={"username": "nobody", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json
    assert wrong.mimetype == "application/problem+json"


def test_the_token_endpoint_refuses_extra_fields(client, staff):
    body = {"username": "amina", "password": PASSWORD, "role": "admin"}
    response = client.post(TOKEN_URL, json=body)
    assert response.status_code == 422
    assert "role" in response.json["errors"]


def test_the_queue_needs_a_token(client, staff):
    response = client.get(QUEUE)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(QUEUE, headers={"Authorization": "Basic YTpi"}).status_code == 401


def _forge(app, key: str, **claims) -> str:
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        clerk_id = db.session.scalar(select(Clerk.id).where(Clerk.username == "amina"))
    payload = {
        "sub": str(clerk_id),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + dt.timedelta(hours=1),
        "cv": 1,  # the account's credentials version (never changed for amina)
        **claims,
    }
    return jwt.encode(payload, key, algorithm=ALGORITHM)


def test_a_token_with_a_bad_signature_is_rejected(app, client, staff):
    forged = _forge(app, "an attacker's own key that is long enough to sign")
    response = client.get(QUEUE, headers=bearer(forged))
    assert response.status_code == 401
    assert "not valid" in response.json["detail"]


def test_an_unsigned_token_is_rejected(app, client, staff):
    token = jwt.encode({"sub": "1", "iss": ISSUER, "aud": AUDIENCE}, None, algorithm="none")
    assert client.get(QUEUE, headers=bearer(token)).status_code == 401
    assert client.get(QUEUE, headers=bearer("not-a-jwt")).status_code == 401


def test_an_expired_token_is_rejected(app, client, staff):
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    expired = _forge(app, app.config["SECRET_KEY"], iat=past, exp=past + dt.timedelta(hours=1))
    response = client.get(QUEUE, headers=bearer(expired))
    assert response.status_code == 401
    assert "expired" in response.json["detail"]


def test_a_disabled_accounts_tokens_stop_working(app, client, staff):
    assert create_user(app, "leila", "--role", "clerk", "--department", "voirie").exit_code == 0
    token = client.post(TOKEN_URL, json={"username": "leila", "password": PASSWORD}).json
    headers = bearer(token["access_token"])
    assert client.get(QUEUE, headers=headers).status_code == 200

    result = app.test_cli_runner().invoke(args=["users", "disable", "leila"])
    assert result.exit_code == 0, result.output
    assert client.get(QUEUE, headers=headers).status_code == 401
    again = client.post(TOKEN_URL, json={"username": "leila", "password": PASSWORD})
    assert again.status_code == 401


def test_users_create_reads_the_password_from_stdin_and_hashes_it(app, staff):
    result = create_user(app, "Omar", "--role", "supervisor", "--department", "proprete")
    assert result.exit_code == 0, result.output
    assert "created supervisor omar in proprete" in result.output
    with app.app_context():
        clerk = db.session.scalar(select(Clerk).where(Clerk.username == "omar"))
        assert clerk.role == "supervisor" and clerk.department.code == "proprete"
        assert clerk.password_hash.startswith("$argon2id$")
        assert PASSWORD not in clerk.password_hash


@pytest.mark.parametrize(
    ("options", "password", "message"),
    [
        (["--role", "clerk"], PASSWORD, "belongs to a department"),
        (["--role", "clerk", "--department", "nowhere"], PASSWORD, "Unknown department"),
        (["--role", "clerk", "--department", "voirie"], "short", "at least 12"),
        (["--role", "boss"], PASSWORD, "Invalid value for '--role'"),
    ],
)
def test_users_create_refuses_bad_accounts(app, staff, options, password, message):
    result = create_user(app, "badly", *options, password=password)
    assert result.exit_code != 0
    assert message in result.output


def test_users_create_refuses_a_taken_username(app, staff):
    result = create_user(app, "amina", "--role", "admin")
    assert result.exit_code != 0 and "taken" in result.output


@pytest.mark.parametrize("key", ["", EXAMPLE_SECRET_KEY, "too-short"])
def test_the_app_refuses_to_start_in_production_without_a_real_secret_key(key, tmp_path):
    with pytest.raises(InsecureSecretKey):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite'}", "SECRET_KEY": key})


def test_the_app_starts_in_production_with_a_real_secret_key(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite'}", "SECRET_KEY": "k" * 48})
    assert not app.testing and app.config["SECRET_KEY"] == "k" * 48


def test_tests_without_a_key_get_a_random_one_per_app(app):
    assert len(app.config["SECRET_KEY"]) >= 32
    assert app.config["SECRET_KEY"] != EXAMPLE_SECRET_KEY
