"""What may raise a ticket's priority (issue 14, class 4): a "me too" vouched for by the
supporter's own report whose phone is confirmed (that number texted casa311, which only
its holder can do). Each confirmed phone counts once per ticket, whatever device or
retry; device ids, unconfirmed numbers and borrowed report codes count for nothing."""

from __future__ import annotations

import uuid

import pytest

from citizen_api.duplicates import priority_boost
from citizen_api.extensions import db
from citizen_api.notify import notifier_of
from notifications.inbound import handle
from tests.helpers import report, stored_report


def file(client, phone=None) -> dict:
    response = report(client, phone=phone)
    assert response.status_code == 201, response.json
    return response.json


def texts_us(app, phone_e164: str) -> None:
    """What the inbound webhook does when this number writes to casa311 (HELP)."""
    with app.app_context():
        settings = notifier_of(app).settings
        handle(db.session, settings, "SM" + uuid.uuid4().hex, phone_e164, "AIDE")
        db.session.commit()


def support(client, code, device, mine=None):
    body = {"device_id": device}
    if mine:
        body |= {"my_report": mine["tracking_code"], "my_report_token": mine["report_token"]}
    return client.post(f"/api/v1/requests/{code}/supporters", json=body)


def boost(app, code) -> tuple[int, int]:
    with app.app_context():
        found = stored_report(code)
        return found.verified_supporters, priority_boost(found)


def test_a_supporter_with_a_confirmed_phone_raises_priority_once(app, client):
    ticket = file(client)["tracking_code"]
    mine = file(client, phone="0661000001")
    texts_us(app, "+212661000001")
    first = support(client, ticket, "device-aaaa-0001", mine)
    assert (first.status_code, first.json["raises_priority"]) == (201, True)
    assert boost(app, ticket) == (1, 1)
    # A retry, the same phone from another device, a retry of that: nothing more.
    assert support(client, ticket, "device-aaaa-0001", mine).json["counted"] is False
    assert support(client, ticket, "device-bbbb-0002", mine).json["counted"] is False
    assert boost(app, ticket) == (1, 1)


def test_three_confirmed_phones_raise_it_two_steps(app, client):
    ticket = file(client)["tracking_code"]
    for n in range(3):
        mine = file(client, phone=f"066100001{n}")
        texts_us(app, f"+21266100001{n}")
        assert support(client, ticket, f"device-cccc-000{n}", mine).json["raises_priority"]
    assert boost(app, ticket) == (3, 2)


def test_an_unconfirmed_phone_counts_publicly_only(app, client):
    ticket = file(client)["tracking_code"]
    mine = file(client, phone="0661000099")  # never texted us: anyone can type a number
    response = support(client, ticket, "device-dddd-0001", mine)
    assert (response.status_code, response.json["raises_priority"]) == (201, False)
    assert response.json["supporters"] == 1 and boost(app, ticket) == (0, 0)


@pytest.mark.parametrize("wrong", ["token", "self", "half", "unknown"])
def test_a_borrowed_or_incomplete_voucher_is_refused(app, client, wrong):
    ticket = file(client)
    mine = file(client, phone="0661000077")
    texts_us(app, "+212661000077")
    if wrong == "token":
        body = {"my_report": mine["tracking_code"], "my_report_token": "not-the-token"}
    elif wrong == "self":
        body = {"my_report": ticket["tracking_code"], "my_report_token": ticket["report_token"]}
    elif wrong == "unknown":  # a voucher naming no report: the body is wrong, not the URL
        body = {"my_report": "ZZZZ-ZZZZ", "my_report_token": mine["report_token"]}
    else:
        body = {"my_report": mine["tracking_code"]}
    response = client.post(
        f"/api/v1/requests/{ticket['tracking_code']}/supporters",
        json={"device_id": "device-eeee-0001", **body},
    )
    assert response.status_code == 422
    assert {"my_report", "my_report_token"} & set(response.json["errors"])
    assert boost(app, ticket["tracking_code"]) == (0, 0)
