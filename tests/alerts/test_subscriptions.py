"""Subscribing to an area's alerts through the API: a code by SMS, limited tries, STOP;
and the number never shown or logged."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from citizen_api.extensions import db
from models import AlertSubscription, OutboundMessage, ReporterContact

PHONE, E164 = "06 11 22 33 44", "+212611223344"


def subscribe(client, phone=PHONE, areas=("maarif",), lang="fr"):
    return client.post(
        "/api/v1/alert-subscriptions", json={"phone": phone, "areas": list(areas), "lang": lang}
    )


def sent_code(app, e164=E164) -> str:
    """The code in the last confirmation message queued for this number."""
    with app.app_context():
        body = db.session.scalar(
            select(OutboundMessage.body)
            .join(ReporterContact, ReporterContact.id == OutboundMessage.contact_id)
            .where(ReporterContact.phone_e164 == e164, OutboundMessage.kind == "confirm")
            .order_by(OutboundMessage.id.desc())
        )
    return re.search(r"\b(\d{6})\b", body).group(1)


def states(app, e164=E164) -> dict[str, str]:
    from models import Area

    with app.app_context():
        rows = db.session.execute(
            select(Area.code, AlertSubscription.state)
            .join(AlertSubscription, AlertSubscription.area_id == Area.id)
            .join(ReporterContact, ReporterContact.id == AlertSubscription.contact_id)
            .where(ReporterContact.phone_e164 == e164)
        ).all()
    return dict(rows)


def confirm(client, code, phone=PHONE):
    return client.post("/api/v1/alert-subscriptions/confirm", json={"phone": phone, "code": code})


def test_a_subscription_waits_for_the_code_sent_by_sms(app, client):
    response = subscribe(client, areas=["maarif", "anfa"], lang="ar")
    assert response.status_code == 202, response.get_json()
    assert response.get_json() == {
        "status": "pending",
        "areas": ["anfa", "maarif"],
        "expires_in": 900,
    }
    assert states(app) == {"maarif": "pending", "anfa": "pending"}
    code = sent_code(app)
    with app.app_context():
        message = db.session.scalar(
            select(OutboundMessage).where(OutboundMessage.kind == "confirm")
        )
        assert message.lang == "ar" and "رمز" in message.body
    ok = confirm(client, code)
    assert ok.status_code == 200 and ok.get_json() == {
        "status": "active",
        "areas": ["anfa", "maarif"],
    }
    assert states(app) == {"maarif": "active", "anfa": "active"}


def test_the_number_is_never_in_an_answer_nor_a_log_line(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    first = subscribe(client)
    second = confirm(client, sent_code(app))
    for response in (first, second):
        text = response.get_data(as_text=True)
        assert "611223344" not in text and "0611" not in text
    assert "611223344" not in caplog.text and "11 22 33 44" not in caplog.text


def test_a_wrong_code_counts_and_five_lock_the_number(app, client):
    subscribe(client)
    good = sent_code(app)
    wrong = f"{(int(good) + 1) % 10**6:06d}"
    for remaining in (4, 3, 2, 1):
        response = confirm(client, wrong)
        assert response.status_code == 422
        assert f"{remaining} tries left" in response.get_json()["errors"]["code"][0]
    locked = confirm(client, wrong)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    # Even the right code does nothing now, and no new code can be asked for.
    assert confirm(client, good).status_code == 429
    assert subscribe(client).status_code == 429
    assert states(app) == {"maarif": "locked"}


def test_a_new_request_sends_a_new_code_and_the_old_one_stops_working(app, client):
    subscribe(client)
    old = sent_code(app)
    subscribe(client, areas=["anfa"])
    new = sent_code(app)
    if new != old:  # one chance in a million they are equal
        assert confirm(client, old).status_code == 422
    assert confirm(client, new).status_code == 200
    assert states(app) == {"maarif": "active", "anfa": "active"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": "0522123456", "areas": ["maarif"]}, "phone"),  # a fixed line
        ({"phone": "hello", "areas": ["maarif"]}, "phone"),
        ({"phone": PHONE, "areas": ["atlantis"]}, "areas"),
        ({"phone": PHONE, "areas": []}, "areas"),
        ({"phone": PHONE, "areas": ["maarif"], "lang": "de"}, "lang"),
        ({"phone": PHONE, "areas": ["maarif"], "state": "active"}, "state"),
    ],
)
def test_bad_subscriptions_are_422_and_nothing_is_kept(app, client, body, field):
    response = client.post("/api/v1/alert-subscriptions", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert states(app) == {}


def test_confirming_with_nothing_pending_is_404(client):
    assert confirm(client, "123456").status_code == 404
    bad = client.post("/api/v1/alert-subscriptions/confirm", json={"phone": PHONE, "code": "12"})
    assert bad.status_code == 422 and "code" in bad.get_json()["errors"]


def test_a_subscribed_number_survives_the_retention_erasure_until_stop(app, client):
    from notifications.privacy import erase_expired_numbers

    subscribe(client)
    confirm(client, sent_code(app))
    with app.app_context():
        assert erase_expired_numbers(db.session, 0) == 0
        db.session.commit()
        sub = db.session.scalar(select(AlertSubscription))
        sub.state = "ended"
        db.session.commit()
        assert erase_expired_numbers(db.session, 0) == 1
        db.session.commit()
        assert db.session.scalar(select(AlertSubscription)) is None
