"""Accounts run from the console by administrators: creating, editing, disabling,
enabling, resetting a password; each ends the user's sessions and API tokens, each is on
the audit page; two administrators editing at once; a clerk at an admin URL; one's own
password; Open311 API keys."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from citizen_api.extensions import db
from models import ApiKey, AuditEntry, Clerk
from models.api_keys import active_key
from tests.console.conftest import PASSWORD, csrf_token, new_account, sign_in
from tests.console.conftest import post as _post

TOKEN_URL = "/api/v1/auth/token"
QUEUE_API = "/api/v1/triage/requests"
SECRET = re.compile(r'id="secret"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
NEW_PASSWORD = "a brand new password of mine"


def post(browser, path, token=None, **data):
    """POST a console form as a signed-in user, with the CSRF token of their session."""
    return _post(browser, path, token or csrf_token(browser, "/console/password"), **data)


def _account(app, username) -> Clerk:
    with app.app_context():
        clerk = db.session.scalar(select(Clerk).where(Clerk.username == username))
        db.session.expunge(clerk)
        return clerk


def _audit(app, target) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.target == target).order_by(AuditEntry.id)
        ).all()
        return [(r.actor, r.action, r.detail) for r in rows]


def _token(client, username, password=PASSWORD) -> str:
    response = client.post(TOKEN_URL, json={"username": username, "password": password})
    assert response.status_code == 200, response.json
    return response.json["access_token"]


def _api_ok(client, token) -> bool:
    return client.get(QUEUE_API, headers={"Authorization": f"Bearer {token}"}).status_code == 200


def _form_version(admin, username) -> str:
    html = admin.get(f"/console/admin/users/{username}").get_data(as_text=True)
    return VERSION.search(html).group(1)


def _signed_in(browser) -> bool:
    return browser.get("/console/").status_code == 200


def test_an_admin_creates_an_account_whose_temporary_password_must_be_replaced(
    app, console, client
):
    admin = console("chef")
    name = "new.clerk"
    response = post(admin, "/console/admin/users", username=name, role="clerk", department="voirie")
    assert response.status_code == 200
    temporary = SECRET.search(response.get_data(as_text=True)).group(1)
    assert len(temporary) == 16
    assert name in admin.get("/console/admin/users").get_data(as_text=True)
    assert temporary not in admin.get("/console/admin/users").get_data(as_text=True)
    # The temporary password signs in, but only the password page opens.
    browser = app.test_client()
    assert sign_in(browser, name, temporary).status_code == 302
    assert browser.get("/console/").headers["Location"] == "/console/password"
    assert browser.get("/console/admin/users").status_code == 302
    # Nor does it get an API token until it is replaced.
    refused = client.post(TOKEN_URL, json={"username": name, "password": temporary})
    assert refused.status_code == 403 and refused.json["type"].endswith("password-change-required")
    changed = post(browser, "/console/password", current=temporary, new=NEW_PASSWORD,
                   confirm=NEW_PASSWORD)  # fmt: skip
    assert changed.status_code == 302 and _signed_in(browser)
    assert _api_ok(client, _token(client, name, NEW_PASSWORD))
    assert _audit(app, f"user:{name}") == [
        ("chef", "user.create", "role clerk, department voirie"),
        (name, "user.change_password", ""),
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"username": "Bad Name!", "role": "clerk", "department": "voirie"}, "identifiant"),
        ({"username": "nadia", "role": "clerk", "department": "voirie"}, "est pris"),
        ({"username": "lonely", "role": "clerk", "department": ""}, "appartient à une direction"),
        (
            {"username": "lost", "role": "clerk", "department": "nowhere"},
            "Choisissez une direction",
        ),
        ({"username": "king", "role": "emperor", "department": ""}, "Choisissez un rôle"),
    ],
)
def test_a_refused_account_says_why_and_creates_nothing(app, console, fields, message):
    admin = console("chef")
    before = _count(app)
    response = post(admin, "/console/admin/users", **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(app) == before


def _count(app) -> int:
    with app.app_context():
        return db.session.query(Clerk).count()


@pytest.mark.parametrize("action", ["reset", "disable", "role"])
def test_each_admin_change_ends_the_users_sessions_and_tokens(app, console, client, action):
    username = new_account(app)
    browser = app.test_client()
    assert sign_in(browser, username).status_code == 302 and _signed_in(browser)
    token = _token(client, username)
    assert _api_ok(client, token)
    admin = console("chef")
    version = _form_version(admin, username)
    base = f"/console/admin/users/{username}"
    if action == "reset":
        response = post(admin, f"{base}/password", version=version)
        assert response.status_code == 200 and SECRET.search(response.get_data(as_text=True))
    elif action == "disable":
        response = post(admin, f"{base}/enabled", version=version, enabled="0")
        assert response.status_code == 302
    else:
        response = post(admin, base, version=version, role="supervisor", department="voirie")
        assert response.status_code == 302
    assert not _signed_in(browser)
    assert not _api_ok(client, token)
    expected = {
        "reset": ("chef", "user.reset_password", ""),
        "disable": ("chef", "user.disable", ""),
        "role": ("chef", "user.update", "role: clerk -> supervisor"),
    }[action]
    assert _audit(app, f"user:{username}") == [expected]
    after = _account(app, username)
    assert after.must_change_password is (action == "reset")
    assert after.active is (action != "disable")
    assert after.role == ("supervisor" if action == "role" else "clerk")


def test_a_reset_password_replaces_the_old_one(app, console):
    username = new_account(app)
    admin = console("chef")
    response = post(admin, f"/console/admin/users/{username}/password",
                    version=_form_version(admin, username))  # fmt: skip
    temporary = SECRET.search(response.get_data(as_text=True)).group(1)
    assert sign_in(app.test_client(), username, PASSWORD).status_code == 401
    assert sign_in(app.test_client(), username, temporary).status_code == 302


def test_a_disabled_account_is_enabled_again(app, console):
    username = new_account(app)
    admin = console("chef")
    base = f"/console/admin/users/{username}/enabled"
    post(admin, base, version=_form_version(admin, username), enabled="0")
    assert sign_in(app.test_client(), username).status_code == 401
    post(admin, base, version=_form_version(admin, username), enabled="1")
    assert sign_in(app.test_client(), username).status_code == 302
    assert [a for _, a, _ in _audit(app, f"user:{username}")] == ["user.disable", "user.enable"]


def test_the_second_of_two_admins_editing_at_once_is_told_and_changes_nothing(app, console):
    username = new_account(app)
    first, second = console("chef"), console(new_account(app, "admin", None))
    stale = _form_version(second, username)
    assert _form_version(first, username) == stale
    ok = post(first, f"/console/admin/users/{username}", version=stale, role="supervisor",
              department="voirie")  # fmt: skip
    assert ok.status_code == 302
    late = post(second, f"/console/admin/users/{username}", version=stale, role="clerk",
                department="eclairage")  # fmt: skip
    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert "chef" in html and "rien de ce que vous avez saisi" in html
    after = _account(app, username)
    assert after.role == "supervisor" and after.department.code == "voirie"
    # A stale disable is refused as well.
    assert post(second, f"/console/admin/users/{username}/enabled", version=stale,
                enabled="0").status_code == 409  # fmt: skip
    assert _account(app, username).active


@pytest.mark.parametrize("who", ["nadia", "salma"])
def test_a_clerk_or_supervisor_at_an_admin_url_gets_403_and_nothing_changes(app, console, who):
    username = new_account(app)
    browser = console(who)
    for path in ("/console/admin/users", f"/console/admin/users/{username}",
                 "/console/admin/keys", "/console/admin/audit"):  # fmt: skip
        response = browser.get(path)
        assert response.status_code == 403, path
        assert "réservée aux administrateurs" in response.get_data(as_text=True)
    version = str(_account(app, username).credentials_version)
    token = csrf_token(browser, "/console/")
    assert post(browser, f"/console/admin/users/{username}/enabled", token, version=version,
                enabled="0").status_code == 403  # fmt: skip
    assert post(browser, f"/console/admin/users/{username}/password", token,
                version=version).status_code == 403  # fmt: skip
    assert post(browser, "/console/admin/keys", token, name="sneaky").status_code == 403
    after = _account(app, username)
    assert after.active and str(after.credentials_version) == version
    assert _audit(app, f"user:{username}") == [] and _audit(app, "apikey:sneaky") == []
    assert "Comptes" not in browser.get("/console/").get_data(as_text=True)


def test_an_admin_cannot_lock_themselves_out(app, console):
    username = new_account(app, "admin", None)
    admin = console(username)
    version = _form_version(admin, username)
    response = post(admin, f"/console/admin/users/{username}/enabled", version=version,
                    enabled="0")  # fmt: skip
    assert response.status_code == 422 and _account(app, username).active
    demote = post(admin, f"/console/admin/users/{username}", version=version, role="clerk",
                  department="voirie")  # fmt: skip
    assert demote.status_code == 422 and _account(app, username).role == "admin"


def test_an_admin_form_without_its_csrf_token_changes_nothing(app, console):
    username = new_account(app)
    admin = console("chef")
    version = _form_version(admin, username)
    response = admin.post(f"/console/admin/users/{username}/enabled",
                          data={"version": version, "enabled": "0"})  # fmt: skip
    assert response.status_code == 400 and _account(app, username).active


def test_changing_ones_own_password_ends_the_other_sessions_and_tokens(app, client):
    username = new_account(app)
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, username), sign_in(elsewhere, username)
    token = _token(client, username)
    wrong = post(here, "/console/password", current="not my password", new=NEW_PASSWORD,
                 confirm=NEW_PASSWORD)  # fmt: skip
    assert wrong.status_code == 422 and "actuel est faux" in wrong.get_data(as_text=True)
    short = post(here, "/console/password", current=PASSWORD, new="short", confirm="short")
    assert short.status_code == 422 and "au moins 12" in short.get_data(as_text=True)
    differ = post(here, "/console/password", current=PASSWORD, new=NEW_PASSWORD,
                  confirm=NEW_PASSWORD + "x")  # fmt: skip
    assert differ.status_code == 422 and _api_ok(client, token)
    ok = post(here, "/console/password", current=PASSWORD, new=NEW_PASSWORD,
              confirm=NEW_PASSWORD)  # fmt: skip
    assert ok.status_code == 302
    assert _signed_in(here) and not _signed_in(elsewhere)
    assert not _api_ok(client, token)
    assert sign_in(app.test_client(), username, NEW_PASSWORD).status_code == 302


def test_api_keys_are_shown_once_listed_by_hint_and_revoked(app, console):
    admin = console("chef")
    response = post(admin, "/console/admin/keys", name="partner-app")
    assert response.status_code == 200
    secret = SECRET.search(response.get_data(as_text=True)).group(1)
    with app.app_context():
        assert active_key(db.session, secret).name == "partner-app"
    listing = admin.get("/console/admin/keys").get_data(as_text=True)
    assert "partner-app" in listing and secret not in listing and secret[:9] in listing
    again = post(admin, "/console/admin/keys", name="partner-app")
    assert again.status_code == 422
    assert post(admin, "/console/admin/keys/partner-app/revoke").status_code == 302
    with app.app_context():
        assert active_key(db.session, secret) is None
        assert db.session.scalar(select(ApiKey).where(ApiKey.name == "partner-app")).revoked_at
    assert post(admin, "/console/admin/keys/nobody/revoke").status_code == 404
    assert [a for _, a, _ in _audit(app, "apikey:partner-app")] == [
        "apikey.create",
        "apikey.revoke",
    ]


def test_the_audit_page_lists_who_did_what_newest_first(app, console):
    username = new_account(app)
    admin = console("chef")
    post(admin, f"/console/admin/users/{username}/password",
         version=_form_version(admin, username))  # fmt: skip
    post(admin, f"/console/admin/users/{username}/enabled",
         version=_form_version(admin, username), enabled="0")  # fmt: skip
    html = admin.get("/console/admin/audit").get_data(as_text=True)
    table = html[html.index("<tbody>") :]
    assert table.index("Compte désactivé") < table.index("Mot de passe réinitialisé")
    assert f"user:{username}" in table and "chef" in table
    one = admin.get(f"/console/admin/audit?target=user:{username}").get_data(as_text=True)
    assert one.count("<tr>") == 3  # the header row and two actions
