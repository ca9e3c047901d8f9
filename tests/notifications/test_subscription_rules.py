"""Alert subscriptions (citizen_api/domain/alert_subscriptions.py) called directly on
SpatiaLite: the confirmation SMS a request writes, its code, STOP, one row per area, and
the lock's wait. The HTTP behaviour is in tests/alerts/test_subscriptions.py; these are
the fast tests `make mutation` runs against the module."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from citizen_api.domain.alert_subscriptions import (
    NothingPending,
    SubscriptionLocked,
    WrongCode,
    confirm,
    request_subscription,
)
from citizen_api.extensions import db
from models import AlertSubscription, Area, OutboundMessage, ReporterContact
from notifications.runtime import PENDING_KEY
from tests.conftest import rolled_back_session
from tests.helpers import make_app
from tests.notifications.conftest import twilio_config

PEPPER = "test pepper"
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def sms_app(app, emulator):
    application = make_app(app.config["DATABASE_URL"], **twilio_config(emulator))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def s(sms_app):
    yield from rolled_back_session(sms_app)


def area(s, code: str) -> int:
    return s.scalar(select(Area.id).where(Area.code == code))


def codes_sent(s, e164: str) -> list[OutboundMessage]:
    return list(
        s.scalars(
            select(OutboundMessage)
            .join(ReporterContact, OutboundMessage.contact_id == ReporterContact.id)
            .where(ReporterContact.phone_e164 == e164, OutboundMessage.kind == "confirm")
            .order_by(OutboundMessage.id)
        )
    )


def test_a_request_sends_one_sms_with_a_six_digit_code_valid_15_minutes(s):
    request_subscription(s, PEPPER, "+212612345678", [area(s, "maarif")], "en", NOW)
    [message] = codes_sent(s, "+212612345678")
    code = re.fullmatch(
        r"casa311: your code to receive area alerts is (\d{6})\. Valid for 15 min\.", message.body
    ).group(1)
    assert (message.channel, message.lang, message.state, message.last_error) == (
        "sms",
        "en",
        "pending",
        None,
    )
    assert re.fullmatch(r"confirm:\d+:[0-9a-f]{16}", message.dedupe_key)
    assert message.segments == 1
    assert message.id in s.info[PENDING_KEY]  # sent once the transaction commits
    [row] = confirm(s, PEPPER, "+212612345678", code, NOW + dt.timedelta(minutes=14))
    assert row.state == "active"


def test_the_codes_are_drawn_from_a_million(s):
    codes = []
    for i in range(40):
        phone = f"+2126123456{i:02d}"
        request_subscription(s, PEPPER, phone, [area(s, "anfa")], "fr", NOW)
        [message] = codes_sent(s, phone)
        codes.append(int(re.search(r"\b(\d{6})\b", message.body).group(1)))
    # 40 draws all below 60 would happen once in 10**194 runs
    assert max(codes) >= 60
    assert len(set(codes)) > 30


def test_a_number_that_sent_stop_gets_its_code_row_skipped(s):
    s.add(ReporterContact(phone_e164="+212612345678", opted_out_at=NOW - dt.timedelta(days=1)))
    s.flush()
    s.info.pop(PENDING_KEY, None)
    request_subscription(s, PEPPER, "+212612345678", [area(s, "maarif")], "fr", NOW)
    [message] = codes_sent(s, "+212612345678")
    assert (message.state, message.last_error) == ("skipped", "opted out (STOP)")
    assert not s.info.get(PENDING_KEY)


def test_without_twilio_the_code_goes_to_the_console(app):
    with app.app_context():
        session = db.session
        try:
            request_subscription(
                session, PEPPER, "+212612345678", [area(session, "anfa")], "fr", NOW
            )
            [message] = codes_sent(session, "+212612345678")
            assert message.channel == "console"
        finally:
            session.rollback()


def test_one_row_per_area_and_an_active_one_stays_active(s):
    maarif, anfa = area(s, "maarif"), area(s, "anfa")
    request_subscription(s, PEPPER, "+212612345678", [maarif], "fr", NOW)
    code = re.search(r"\b(\d{6})\b", codes_sent(s, "+212612345678")[0].body).group(1)
    confirm(s, PEPPER, "+212612345678", code, NOW)
    again = request_subscription(s, PEPPER, "+212612345678", [maarif], "ar", NOW)
    assert [(r.area_id, r.state, r.lang) for r in again] == [(maarif, "active", "ar")]
    assert len(codes_sent(s, "+212612345678")) == 1  # nothing to confirm: no new code
    request_subscription(s, PEPPER, "+212612345678", [maarif, anfa], "fr", NOW)
    rows = s.scalars(select(AlertSubscription).order_by(AlertSubscription.area_id)).all()
    assert sorted((r.area_id, r.state) for r in rows) == sorted(
        [(maarif, "active"), (anfa, "pending")]
    )


def test_the_wait_of_a_lock_is_whole_seconds_at_least_one():
    assert SubscriptionLocked(0.2).retry_after == 1
    assert SubscriptionLocked(1.7).retry_after == 1
    assert SubscriptionLocked(3600).retry_after == 3600


def code_of(s, e164: str) -> str:
    return re.search(r"\b(\d{6})\b", codes_sent(s, e164)[-1].body).group(1)


def test_a_code_is_good_for_15_minutes(s):
    request_subscription(s, PEPPER, "+212612345678", [area(s, "maarif")], "fr", NOW)
    with pytest.raises(NothingPending):
        confirm(
            s, PEPPER, "+212612345678", code_of(s, "+212612345678"), NOW + dt.timedelta(minutes=16)
        )


def test_a_new_area_is_confirmed_beside_an_active_one(s):
    request_subscription(s, PEPPER, "+212612345678", [area(s, "maarif")], "fr", NOW)
    confirm(s, PEPPER, "+212612345678", code_of(s, "+212612345678"), NOW)
    request_subscription(s, PEPPER, "+212612345678", [area(s, "anfa")], "fr", NOW)
    [row] = confirm(s, PEPPER, "+212612345678", code_of(s, "+212612345678"), NOW)
    assert (row.area_id, row.state) == (area(s, "anfa"), "active")


def test_five_wrong_codes_lock_the_number_for_an_hour(s):
    request_subscription(s, PEPPER, "+212612345678", [area(s, "maarif")], "fr", NOW)
    right = code_of(s, "+212612345678")
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for remaining in (4, 3, 2, 1):
        with pytest.raises(WrongCode) as refused:
            confirm(s, PEPPER, "+212612345678", wrong, NOW)
        assert refused.value.remaining == remaining
    with pytest.raises(SubscriptionLocked) as locked:
        confirm(s, PEPPER, "+212612345678", wrong, NOW)
    assert locked.value.retry_after == 3600
    with pytest.raises(SubscriptionLocked) as still:  # even the right code, for the hour
        confirm(s, PEPPER, "+212612345678", right, NOW + dt.timedelta(minutes=30))
    assert still.value.retry_after == 1800
