"""Schemathesis hooks of tests/robustness/test_schemathesis_cli.py: real data for the
inputs whose validity only the data knows, in positive cases only.

The document says every shape rule; what it cannot say is which service codes exist,
which points are inside the city, which ETag a ticket has now, a clerk's password, or
the code an SMS carried. Before each positive case is sent, each such value that the
case already holds in a valid shape is replaced by a real one (Schemathesis revalidates
the case after this hook, so a case stays positive or negative as it was generated).
Negative cases are sent as generated. The test writes what the hooks need into the
CASA_FUZZ environment variable (JSON).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import sqlite3

import requests
import schemathesis

FUZZ = json.loads(os.environ.get("CASA_FUZZ", "{}"))
rng = random.Random(14)


def _positive(case) -> bool:
    meta = getattr(case, "meta", None)
    mode = getattr(getattr(meta, "generation", None), "mode", None)
    return getattr(mode, "value", mode) == "positive"


def _url(path: str) -> str:
    return FUZZ["base"] + path


def _admin() -> dict:
    return {"Authorization": f"Bearer {FUZZ['token']}"}


def _etag(path: str) -> str | None:
    response = requests.get(_url(path), headers=_admin(), timeout=10)
    return response.headers.get("ETag")


def _mobile() -> str:
    return "066" + "".join(rng.choice("0123456789") for _ in range(7))


def _is_text(value) -> bool:
    return isinstance(value, str) and "\x00" not in value


def _replace(body: dict, name: str, make) -> None:
    """body[name] = make() where the case holds a value of the right shape there."""
    if name in body and _is_text(body[name]):
        body[name] = make()


def _replace_list(body: dict, name: str, choices: list[str], at_least: int = 0) -> None:
    if isinstance(body.get(name), list):
        size = max(at_least, min(len(body[name]), 3))
        body[name] = rng.sample(choices, min(size, len(choices)))


def _where_and_when(body: dict, creating: bool) -> None:
    """Alerts: a real area, real services, a window running now."""
    if creating or isinstance(body.get("areas"), list):
        body["areas"] = [rng.choice(FUZZ["areas"])]
    body.pop("polygon", None)
    _replace_list(body, "services", FUZZ["services"])
    now = dt.datetime.now(dt.UTC)
    if creating or "starts_at" in body or "ends_at" in body:
        body["starts_at"] = (now - dt.timedelta(hours=1)).isoformat()
        body["ends_at"] = (now + dt.timedelta(hours=rng.randint(2, 48))).isoformat()


def _create_report(case, body):
    _replace(body, "service_code", lambda: rng.choice(FUZZ["services"]))
    if isinstance(body.get("lat"), int | float) and isinstance(body.get("long"), int | float):
        body["lat"], body["long"] = rng.choice(FUZZ["points"])
    body.pop("attributes", None)
    _replace(body, "phone", _mobile)


def _patch_ticket(case, body):
    for name in ("status", "assignee", "duplicate_of", "department"):
        body.pop(name, None)  # each valid only against the ticket's state and the staff
    if not body:
        body["internal_note"] = "schemathesis"
    case.headers = {**(case.headers or {}), "If-Match": _etag(case.formatted_path)}


def _moderate(case, body):
    """A change the ticket's state allows: its photo where a photo is named, hidden when it
    is shown and shown when it is hidden (the same state again is rightly a 422), a hide
    with a reason that needs no note, under the ticket's current ETag."""
    ticket = requests.get(
        _url(case.formatted_path.removesuffix("/moderation")), headers=_admin(), timeout=10
    )
    now = ticket.json()
    if body.get("target") == "photo" or "photo" in body:
        body["photo"] = FUZZ["photo_id"]
    if body.get("target") == "photo":
        shown = [p for p in now.get("photos", []) if p.get("id") == FUZZ["photo_id"]]
        hidden_now = bool(shown and shown[0].get("hidden"))
    else:
        hidden_now = bool(now.get("description_hidden"))
    if isinstance(body.get("hidden"), bool):
        body["hidden"] = not hidden_now
    if body.get("hidden") is True and body.get("reason") in (None, "other"):
        body["reason"] = rng.choice(["personal_data", "offensive", "unrelated"])
    case.headers = {**(case.headers or {}), "If-Match": ticket.headers.get("ETag")}


def _token(case, body):
    _replace(body, "username", lambda: FUZZ["username"])
    _replace(body, "password", lambda: FUZZ["password"])


def _password(case, body):
    _replace(body, "current_password", lambda: FUZZ["changer_password"])


PASSWORD = {"path": "/api/v1/auth/password", "method": "POST"}


@schemathesis.auth(refresh_interval=None).apply_to(**PASSWORD)
class ChangerAuth:
    """A password change ends every token of its account: each case of it is sent by the
    changer, first reset by the admin to the known password, with a fresh token."""

    def get(self, case, context):
        known, name = FUZZ["changer_password"], FUZZ["changer"]
        requests.post(
            _url(f"/api/v1/auth/clerks/{name}/password"),
            json={"new_password": known},
            headers=_admin(),
            timeout=10,
        )
        return requests.post(
            _url("/api/v1/auth/token"), json={"username": name, "password": known}, timeout=10
        ).json()["access_token"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.auth().skip_for(**PASSWORD)
class AdminAuth:
    """Every other operation: the admin's token (it never changes during the run)."""

    def get(self, case, context):
        return FUZZ["token"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def _new_alert(case, body):
    _where_and_when(body, creating=True)


def _change_alert(case, body):
    body.pop("status", None)  # a cancelled alert never changes again: keep it for later cases
    _where_and_when(body, creating=False)
    if not body:
        body["severity"] = "moderate"
    case.headers = {**(case.headers or {}), "If-Match": _etag(case.formatted_path)}


def _subscribe(case, body):
    _replace(body, "phone", _mobile)
    _replace_list(body, "areas", FUZZ["areas"], at_least=1)


def _confirm(case, body):
    """A real pending subscription and the code its SMS carried (read from the outbox)."""
    phone = _mobile()
    requests.post(
        _url("/api/v1/alert-subscriptions"),
        json={"phone": phone, "areas": [FUZZ["areas"][0]]},
        timeout=10,
    )
    with sqlite3.connect(FUZZ["db"]) as db:
        (text,) = db.execute(
            "SELECT body FROM outbound_messages ORDER BY id DESC LIMIT 1"
        ).fetchone()
    body["phone"] = phone
    body["code"] = re.search(r"\b\d{6}\b", text).group(0)


def _new_incident(case, body):
    body["department"] = "voirie"  # an admin names it
    body["areas"] = [rng.choice(FUZZ["areas"])]
    body.pop("polygon", None)
    body["services"] = rng.sample(FUZZ["services"], 2)
    if isinstance(body.get("attach"), dict):
        body["attach"] = {"open_reports": True}


def _link_reports(case, body):
    body.clear()
    body["open_reports"] = True


def _change_incident(case, body):
    case.headers = {**(case.headers or {}), "If-Match": _etag(case.formatted_path)}


FEEDERS = {
    "POST /api/v1/requests": _create_report,
    "PATCH /api/v1/triage/requests/{code}": _patch_ticket,
    "POST /api/v1/auth/token": _token,
    "POST /api/v1/auth/password": _password,
    "POST /api/v1/triage/requests/{code}/moderation": _moderate,
    "POST /api/v1/alerts": _new_alert,
    "PATCH /api/v1/alerts/{alert_id}": _change_alert,
    "POST /api/v1/alert-subscriptions": _subscribe,
    "POST /api/v1/alert-subscriptions/confirm": _confirm,
    "POST /api/v1/triage/incidents": _new_incident,
    "POST /api/v1/triage/incidents/{incident_id}/reports": _link_reports,
    "PATCH /api/v1/triage/incidents/{incident_id}": _change_incident,
}


@schemathesis.hook
def before_call(context, case, kwargs):
    feeder = FEEDERS.get(f"{case.operation.method.upper()} {case.operation.path}")
    if feeder is None or not _positive(case):
        return
    # JSON bodies only: a multipart case (files) is sent as generated.
    if isinstance(case.body, dict) and "json" in (case.media_type or "application/json"):
        feeder(case, case.body)
