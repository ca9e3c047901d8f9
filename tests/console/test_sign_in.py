"""Signing in to the console: the session cookie, CSRF, rate limits, expiry, and sessions
that end at once when the account changes."""

from __future__ import annotations

import time

import pytest
from flask import Flask

from citizen_api import create_app
from citizen_api.config import InsecureSecretKey
from citizen_api.domain.accounts import hash_password
from citizen_api.extensions import db
from models import Clerk
from tests.console.conftest import PASSWORD, csrf_token, new_account, post, sign_in
from tests.helpers import make_app, stored_report
from tests.triage.helpers import new_ticket


def _clerk(app, username):
    with app.app_context():
        clerk = db.session.query(Clerk).filter_by(username=username).one()
        db.session.expunge(clerk)
        return clerk


def test_signing_in_sets_a_safe_session_cookie_and_opens_the_queue(client, console_staff):
    response = sign_in(client, "nadia")
    assert response.status_code == 302 and response.headers["Location"] == "/console/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain http here; see the https test
    queue = client.get("/console/")
    assert queue.status_code == 200 and "nadia" in queue.get_data(as_text=True)


def test_over_https_the_cookie_is_secure(client, console_staff):
    token = csrf_token(client)
    response = client.post(
        "/console/login",
        data={"username": "nadia", "password": PASSWORD, "csrf_token": token},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/console/login"},
    )
    assert response.status_code == 302 and "Secure" in response.headers["Set-Cookie"]
    page = client.get("/console/", base_url="https://localhost")
    # Console pages let same-origin posts carry the Referer the HTTPS check needs.
    assert page.headers["Referrer-Policy"] == "same-origin"


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, console_staff):
    response = sign_in(client, "nadia", "not the password at all")
    assert response.status_code == 401
    assert "mot de passe est faux" in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 302  # still signed out


def test_pages_need_a_session_and_come_back_after_sign_in(client, console_staff):
    response = client.get("/console/?status=submitted")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/login?next=")
    token = csrf_token(client)
    signed = client.post(
        "/console/login",
        data={
            "username": "nadia",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/console/?status=submitted",
        },
    )
    assert signed.headers["Location"] == "/console/?status=submitted"


def test_after_sign_in_it_never_redirects_to_another_site(client, console_staff):
    token = csrf_token(client)
    response = client.post(
        "/console/login",
        data={"username": "nadia", "password": PASSWORD, "csrf_token": token,
              "next": "https://evil.example/console"},
    )  # fmt: skip
    assert response.headers["Location"] == "/console/"


def test_a_form_without_its_csrf_token_is_400_and_changes_nothing(app, console, client):
    code = new_ticket(client)["tracking_code"]
    client = console("nadia")
    version = str(_version(app, code))
    for token in (None, "forged-token"):
        data = {"status": "acknowledged", "version": version}
        if token:
            data["csrf_token"] = token
        response = client.post(f"/console/requests/{code}/status", data=data)
        assert response.status_code == 400
        assert "formulaire" in response.get_data(as_text=True)  # an HTML page, in French
    with app.app_context():
        assert stored_report(code).status == "submitted"


def test_the_sign_in_form_itself_needs_its_token(client, console_staff):
    response = client.post("/console/login", data={"username": "nadia", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/console/").status_code == 302


def test_the_json_api_is_not_subject_to_csrf(client, console_staff):
    response = client.post("/api/v1/auth/token", json={"username": "nadia", "password": PASSWORD})
    assert response.status_code == 200


def test_signing_out_ends_the_session(console):
    client = console("nadia")
    response = post(client, "/console/logout", csrf_token(client, "/console/"))
    assert response.status_code == 302
    assert client.get("/console/").status_code == 302


def _version(app, code):
    with app.app_context():
        return stored_report(code).version


def test_disabling_an_account_ends_its_sessions_at_once(app, client):
    username = new_account(app)
    assert sign_in(client, username).status_code == 302
    assert client.get("/console/").status_code == 200
    before = _clerk(app, username).credentials_version
    result = app.test_cli_runner().invoke(args=["users", "disable", username])
    assert result.exit_code == 0, result.output
    assert _clerk(app, username).credentials_version == before + 1
    response = client.get("/console/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/console/login")
    # Enabling it again does not bring the old session back.
    assert app.test_cli_runner().invoke(args=["users", "enable", username]).exit_code == 0
    assert client.get("/console/").status_code == 302
    assert sign_in(client, username).status_code == 302


@pytest.mark.parametrize(
    "change",
    [
        {"password_hash": hash_password("another long password")},
        {"role": "supervisor"},
        {"department_id": None, "role": "admin"},
    ],
)
def test_a_new_password_role_or_department_signs_the_account_out(app, client, change):
    username = new_account(app)
    assert sign_in(client, username).status_code == 302
    with app.app_context():
        clerk = db.session.query(Clerk).filter_by(username=username).one()
        for name, value in change.items():
            setattr(clerk, name, value)
        db.session.commit()
    assert client.get("/console/").status_code == 302


def test_an_idle_session_expires(app, client, console_staff):
    sign_in(client, "nadia")
    assert client.get("/console/").status_code == 200
    app.config["CONSOLE_IDLE_MINUTES"] = 0
    try:
        time.sleep(1.1)
        response = client.get("/console/")
    finally:
        app.config["CONSOLE_IDLE_MINUTES"] = 30
    assert response.status_code == 302


def test_a_session_ends_after_its_absolute_lifetime_even_when_busy(app, client, console_staff):
    sign_in(client, "nadia")
    with client.session_transaction("/console/") as session:
        session["start"] -= 11 * 3600  # signed in 11 hours ago, active a moment ago
    assert client.get("/console/").status_code == 302


def test_sign_in_shares_the_api_s_rate_limit(app, console_staff):
    limited = make_app(
        app.config["DATABASE_URL"],
        RATELIMIT_ENABLED=True,
        RATE_LIMIT_TOKEN="100/minute",
        RATE_LIMIT_TOKEN_USER="3/minute",
    )
    client = limited.test_client()
    api = client.post("/api/v1/auth/token", json={"username": "mehdi", "password": "wrong one"})
    assert api.status_code == 401
    statuses = [sign_in(client, "mehdi", "wrong again").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]  # the API's attempt counted against the same budget
    assert "Trop de tentatives" in sign_in(client, "mehdi").get_data(as_text=True)
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_flask_commands_read_the_key_make_run_keeps(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(tmp_path))
    config = {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}"}
    with pytest.raises(InsecureSecretKey):
        create_app(config)  # production mode, no key anywhere
    key = "k3pt-" + "x" * 60
    (tmp_path / "secret_key").write_text(key + "\n")
    assert create_app(config).config["SECRET_KEY"] == key
