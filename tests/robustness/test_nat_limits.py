"""Limits that fit Morocco's mobile networks (issue 14, class 5): a replay of a realistic
peak hour from 20 carrier-grade NAT addresses passes untouched, one abuser is stopped,
one phone number cannot be made to receive more than its share of SMS, and the city's
daily SMS budget is capped and shown to supervisors.

The peak hour replayed: 600 reports in the hour (an hour about 15 times busier than the
average of a city filing 1,000 a day), spread over 20 carrier addresses with Zipf
shares (the busiest address carries 1/H(20) = 28 %, ~167 reports), arriving at random
(a Poisson process: uniform times), one in ten asking SMS updates on its own number.
The rate limiter's clock is driven by the replay, so the hour takes seconds."""

from __future__ import annotations

import random
from collections import Counter

import flask_limiter._extension
import limits.storage.memory
import pytest
from sqlalchemy import select

from citizen_api.extensions import db
from models import OutboundMessage
from tests.helpers import DOWNTOWN, count_reports

PEAK_HOUR_REPORTS = 600
ADDRESSES = [f"100.64.{i}.1" for i in range(20)]  # RFC 6598: carrier-grade NAT space
START = 1_796_000_000.0


class Clock:
    def __init__(self):
        self.now = START

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(limits.storage.memory, "time", fake)
    monkeypatch.setattr(flask_limiter._extension, "time", fake)
    return fake


@pytest.fixture
def city(make_variant, clock):
    """The app with the shipped limits (the defaults), on the test database."""
    return make_variant(RATELIMIT_ENABLED=True)


def peak_hour(seed: int = 14) -> list[tuple[float, str, str | None]]:
    rng = random.Random(seed)
    weights = [1 / rank for rank in range(1, len(ADDRESSES) + 1)]
    arrivals = []
    for n in range(PEAK_HOUR_REPORTS):
        address = rng.choices(ADDRESSES, weights)[0]
        phone = f"06{n:08d}" if rng.random() < 0.1 else None
        arrivals.append((rng.uniform(0, 3600), address, phone))
    return sorted(arrivals)


def post(client, address, phone=None):
    body = {"service_code": "nid-de-poule", **DOWNTOWN}
    if phone:
        body["phone"] = phone
    return client.post("/api/v1/requests", json=body, environ_base={"REMOTE_ADDR": address})


def test_a_peak_hour_from_20_nat_addresses_passes_untouched(city, clock):
    client = city.test_client()
    arrivals = peak_hour()
    per_address = Counter(address for _, address, _ in arrivals)
    busiest = per_address.most_common(1)[0][1]
    assert 140 <= busiest <= 200  # the replay is as heavy as described (about 28 %)
    statuses = Counter()
    for at, address, phone in arrivals:
        clock.now = START + at
        statuses[post(client, address, phone).status_code] += 1
    assert statuses == {201: PEAK_HOUR_REPORTS}
    assert count_reports(city) == PEAK_HOUR_REPORTS


def test_one_abuser_is_stopped_and_the_nat_next_door_is_not(city, clock):
    client = city.test_client()
    accepted, first_refusal = 0, None
    for second in range(900):  # one report a second for a quarter of an hour
        clock.now = START + second
        status = post(client, "100.64.99.1").status_code
        if status == 201:
            accepted += 1
        elif first_refusal is None:
            first_refusal = second
    assert first_refusal is not None and first_refusal <= 30  # stopped within a minute
    assert accepted <= 300  # and never more than the hourly allowance
    assert post(client, "100.64.0.1").status_code == 201  # other addresses: untouched


def test_one_phone_number_gets_at_most_five_reports_an_hour(city, clock):
    client = city.test_client()
    statuses = []
    for n, spelling in enumerate(["0661234567", "+212661234567", "00212 661 23 45 67"] * 2):
        clock.now = START + n * 60
        statuses.append(post(client, ADDRESSES[n], spelling).status_code)
    assert statuses == [201] * 5 + [429]
    assert post(client, ADDRESSES[9], "0661234568").status_code == 201  # another number


def test_the_city_wide_sms_cap_holds_and_supervisors_see_it(app, make_variant, hostile_staff):
    # Twilio configured (SMS cost money) but unreachable: sends fail and wait for a
    # retry, which is all this test needs (it looks at what was queued, not delivered).
    capped = make_variant(
        NOTIFY_CITY_DAILY_SMS_CAP=2,
        SECRET_KEY=app.config["SECRET_KEY"],  # the staff tokens' signing key
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_AUTH_TOKEN="f" * 32,
        TWILIO_SMS_FROM="CASA311",
        TWILIO_API_BASE_URL=f"http://127.0.0.1:{_closed_port()}",
        TWILIO_TIMEOUT_SECONDS=1.0,
    )
    client = capped.test_client()
    for n in range(3):
        assert post(client, f"100.64.7.{n}", f"066000000{n}").status_code == 201
    with capped.app_context():
        queued = db.session.execute(
            select(
                OutboundMessage.channel, OutboundMessage.state, OutboundMessage.last_error
            ).order_by(OutboundMessage.id)
        ).all()
    assert [(c, s == "skipped") for c, s, _ in queued] == [("sms", False)] * 2 + [("sms", True)]
    assert queued[2].last_error == "city-wide daily SMS cap reached"
    admin = client.get("/api/v1/triage/summary", headers=hostile_staff["r-admin"]).json["sms"]
    assert admin == {
        "sms_last_24h": 2,
        "city_daily_sms_cap": 2,
        "stopped_by_city_cap": 1,
        "per_number_daily_cap": 5,
        "stopped_by_per_number_cap": 0,
    }
    clerk = client.get("/api/v1/triage/summary", headers=hostile_staff["r-clerk"]).json
    assert "sms" not in clerk  # a clerk does not manage the budget


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
