"""Retry-After only where its status means it, on the console and the Twilio webhook ways
in too (issue 14, class 6): never on their 200s or refusals, and on the console's 429
with the seconds the sign-in limit really waits."""

from __future__ import annotations

from citizen_api.extensions import db
from tests.console.conftest import csrf_token, sign_in
from tests.helpers import DOWNTOWN, make_app
from tests.notifications.support import signed_post
from tests.notifications.whatsapp.support import Resident
from tests.robustness.conftest import HOSTILE_PASSWORD


def test_console_pages_and_refusals_carry_no_retry_after(app, client, hostile_staff):
    filed = client.post("/api/v1/requests", json={"service_code": "nid-de-poule", **DOWNTOWN})
    assert filed.status_code == 201
    browser = app.test_client()
    assert "Retry-After" not in browser.get("/console/login").headers
    signed_in = sign_in(browser, "r-clerk", HOSTILE_PASSWORD)
    assert signed_in.status_code == 302 and "Retry-After" not in signed_in.headers
    code = filed.json["tracking_code"]
    for response in (
        browser.get("/console/"),
        browser.get(f"/console/requests/{code}"),
        browser.get("/console/requests/ZZZZ-ZZZZ"),  # 404 page
        browser.get("/console/?q=%00"),  # 422 page
        browser.post(f"/console/requests/{code}/priority", data={"priority": "high"}),  # 400
        browser.post(
            f"/console/requests/{code}/priority",
            data={"priority": "top", "csrf_token": csrf_token(browser, "/console/")},
        ),
    ):
        assert response.status_code < 500
        assert "Retry-After" not in response.headers, (response.status_code, response.headers)


def test_the_console_sign_in_429_says_how_long_to_wait(app, hostile_staff):
    limited = make_app(
        app.config["DATABASE_URL"],
        RATELIMIT_ENABLED=True,
        RATE_LIMIT_TOKEN="100/minute",
        RATE_LIMIT_TOKEN_USER="3/minute",
    )
    try:
        browser = limited.test_client()
        api = browser.post("/api/v1/auth/token", json={"username": "r-admin", "password": "no"})
        assert api.status_code == 401 and "Retry-After" not in api.headers
        answers = [sign_in(browser, "r-admin", "wrong password") for _ in range(3)]
        assert [a.status_code for a in answers] == [401, 401, 429]
        wait = int(answers[-1].headers["Retry-After"])
        assert 0 < wait <= 60
        assert answers[-1].mimetype == "text/html"
    finally:
        with limited.app_context():
            db.session.remove()
            db.engine.dispose()


def test_twilio_webhook_answers_carry_no_retry_after(tw):
    resident = Resident(tw, phone="+212612340003")
    for response in (
        resident.post(resident.params("Un nid de poule énorme devant l'école")),  # TwiML
        resident.post(resident.params("x" * 5000)),  # refused in words, still 200
        tw.post("/webhooks/twilio/inbound", data=resident.params("unsigned")),  # 403
        signed_post(tw, "/webhooks/twilio/status", {"MessageSid": "SMx", "MessageStatus": "?"}),
    ):
        assert response.status_code < 500
        assert "Retry-After" not in response.headers, (response.status_code, response.headers)
