"""The outbox's rules, called directly in one transaction on SpatiaLite (nothing is sent:
each test rolls back): which message a cause writes, to which channel, and when a cap or
a STOP turns it into a `skipped` row with its reason. The expected texts and limits are
written out here as the settings and the message templates state them.

These are the fast tests `make mutation` runs against notifications/outbox.py; sending
itself is tested in test_sending.py and test_drain.py."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from citizen_api.domain.reporting import file_report
from citizen_api.extensions import db
from models import Alert, OutboundMessage, ReporterContact, RequestEvent
from notifications import outbox
from notifications.outbox import (
    choose_channel,
    enqueue_receipt,
    enqueue_status_update,
    in_whatsapp_session,
    messages_for_report,
    sms_budget,
    sms_last_24h,
)
from notifications.runtime import PENDING_KEY
from notifications.settings import Settings
from tests.conftest import rolled_back_session
from tests.helpers import DOWNTOWN, make_app
from tests.notifications.conftest import twilio_config

HOUR = dt.timedelta(hours=1)
URL = "https://casa311.test/r/"  # PUBLIC_BASE_URL of the test config, then /r/<code>


@pytest.fixture(scope="module")
def capped_app(app, emulator):
    """Twilio configured, a per-number cap of 3 (the notifications tests' config), a
    city-wide SMS cap of 4."""
    config = twilio_config(emulator, NOTIFY_CITY_DAILY_SMS_CAP="4")
    application = make_app(app.config["DATABASE_URL"], **config)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def s(capped_app):
    yield from rolled_back_session(capped_app)


def filed(s, phone="0612345678", lang="fr"):
    return file_report(s, service_code="nid-de-poule", phone=phone, lang=lang, **DOWNTOWN)


def rows(s, report=None):
    query = select(OutboundMessage).order_by(OutboundMessage.id)
    if report is not None:
        query = query.where(OutboundMessage.request_id == report.id)
    return list(s.scalars(query))


def earlier(s, contact, *, channel="sms", state="sent", hours_ago=1.0, n=1):
    """`n` messages already written to `contact`, `hours_ago` hours ago."""
    for i in range(n):
        s.add(
            OutboundMessage(
                dedupe_key=f"test:{contact.phone_e164}:{channel}:{state}:{hours_ago}:{i}",
                contact=contact,
                kind="receipt",
                channel=channel,
                lang="fr",
                body="x",
                segments=1,
                state=state,
                created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago),
            )
        )
    s.flush()


def contact(s, phone="+212611111111", **fields):
    person = ReporterContact(phone_e164=phone, **fields)
    s.add(person)
    s.flush()
    return person


# --- the receipt -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "casa311: votre signalement {code} est enregistré. Suivi: {url}"),
        ("en", "casa311: report {code} received. Follow it: {url}"),
        ("ar", "casa311: توصلنا ببلاغك {code}. للتتبع: {url}"),
    ],
)
def test_a_report_with_a_phone_gets_one_pending_receipt_in_its_language(s, lang, text):
    report = filed(s, lang=lang)
    [message] = rows(s, report)
    url = URL + report.tracking_code
    assert message.body == text.format(code=report.tracking_code, url=url)
    assert (message.kind, message.channel, message.lang) == ("receipt", "sms", lang)
    assert (message.state, message.last_error) == ("pending", None)
    assert message.dedupe_key == f"receipt:{report.id}"
    assert (message.request_id, message.event_id) == (report.id, None)
    assert message.contact.phone_e164 == "+212612345678"
    assert message.segments == (1 if lang != "ar" else 2)  # Arabic: UCS-2, 70 a part
    assert s.info[PENDING_KEY] == [message.id]  # sent once the transaction commits


def test_a_report_without_a_phone_writes_no_message(s):
    report = filed(s, phone=None)
    assert enqueue_receipt(s, report) is None
    assert rows(s) == []
    assert not s.info.get(PENDING_KEY)


def test_asking_twice_for_a_receipt_gives_the_same_row(s):
    report = filed(s)
    [first] = rows(s, report)
    assert enqueue_receipt(s, report) is first
    assert len(rows(s, report)) == 1


def test_a_receipt_explained_by_an_alert_says_so_in_the_residents_language(s):
    report = filed(s, phone=None, lang="en")
    report.contact = contact(s, "+212612345678")
    code, url = report.tracking_code, URL + report.tracking_code
    ends = dt.datetime(2026, 12, 3, 17, 0, tzinfo=dt.UTC)  # 18:00 in Casablanca
    both = {"fr": "Coupure d'eau", "en": "Water cut"}
    message = enqueue_receipt(s, report, Alert(headline=both, ends_at=ends))
    assert message.body == (
        f"casa311: report {code} received. Known problem (Water cut), expected "
        f"fixed by 03/12 18:00. Follow it: {url}"
    )
    known_ar = (
        "casa311: توصلنا ببلاغك {code}. المشكل معروف ({headline})، "
        "الإصلاح متوقع {until}. للتتبع: {url}"
    )
    for headline, shown in ((both, "Coupure d'eau"), ({"en": "Gas"}, "…")):
        # no Arabic headline: the French one; neither: an ellipsis, the code still there
        s.delete(message)
        s.flush()
        report.lang = "ar"
        message = enqueue_receipt(s, report, Alert(headline=headline, ends_at=ends))
        assert message.body == known_ar.format(
            code=code, headline=shown, until="03/12 18:00", url=url
        )


# --- STOP and the caps -------------------------------------------------------------


def test_a_resident_who_sent_stop_gets_a_skipped_row_saying_why(s):
    person = contact(s, "+212612345678", opted_out_at=dt.datetime.now(dt.UTC) - HOUR)
    report = filed(s)
    assert report.contact is person
    [message] = rows(s, report)
    assert (message.state, message.last_error) == ("skipped", "opted out (STOP)")
    assert not s.info.get(PENDING_KEY)


@pytest.mark.parametrize(("before", "state"), [(2, "pending"), (3, "skipped")])
def test_the_per_number_daily_cap_of_3(s, before, state):
    person = contact(s, "+212612345678")
    earlier(s, person, n=before)
    report = filed(s)
    [message] = rows(s, report)
    assert message.state == state
    if state == "skipped":
        assert message.last_error == "daily cap of 3 messages reached"
        assert not s.info.get(PENDING_KEY)


def test_the_per_number_cap_counts_only_this_number_the_last_day_and_what_went(s):
    person = contact(s, "+212612345678")
    earlier(s, person, n=3, hours_ago=24.5)  # more than a day ago
    earlier(s, person, n=3, state="skipped")  # never sent
    earlier(s, contact(s), n=3, channel="whatsapp")  # someone else's
    earlier(s, person, n=2, hours_ago=23)
    report = filed(s)
    [message] = rows(s, report)
    assert (message.state, message.last_error) == ("pending", None)


def test_the_city_wide_sms_cap(s):
    others = [contact(s, f"+21261111111{i}") for i in range(4)]
    for person in others[:3]:
        earlier(s, person)
    earlier(s, others[3], hours_ago=24.5)  # more than a day ago: not counted
    earlier(s, others[3], state="skipped")  # not sent: not counted
    earlier(s, others[3], channel="whatsapp")  # not an SMS: not counted
    assert sms_last_24h(s) == 3
    first = filed(s, phone="0612345678")
    assert [m.state for m in rows(s, first)] == ["pending"]  # the 4th of 4
    assert sms_last_24h(s) == 4
    second = filed(s, phone="0622222222")
    [message] = rows(s, second)
    assert (message.state, message.last_error) == ("skipped", "city-wide daily SMS cap reached")
    assert sms_last_24h(s) == 4


def test_the_city_cap_does_not_stop_whatsapp(s):
    for i in range(4):
        earlier(s, contact(s, f"+21261111111{i}"))
    contact(s, "+212612345678", whatsapp_at=dt.datetime.now(dt.UTC) - HOUR)
    report = filed(s)
    [message] = rows(s, report)
    assert (message.channel, message.state) == ("whatsapp", "pending")


def skipped(s, person, reason, hours_ago=0.0):
    s.add(
        OutboundMessage(
            dedupe_key=f"test:skipped:{reason}:{hours_ago}",
            contact=person,
            kind="receipt",
            channel="sms",
            lang="fr",
            body="x",
            segments=1,
            state="skipped",
            last_error=reason,
            created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago),
        )
    )
    s.flush()


def test_what_supervisors_see_of_the_sms_caps(s):
    budget = {
        "sms_last_24h": 0,
        "city_daily_sms_cap": 4,
        "stopped_by_city_cap": 0,
        "per_number_daily_cap": 3,
        "stopped_by_per_number_cap": 0,
    }
    assert sms_budget(s, outbox.settings_for(s)) == budget
    person = contact(s, "+212612345678")
    earlier(s, person, n=3)
    earlier(s, contact(s), hours_ago=24.5)  # more than a day ago: not counted
    filed(s)  # the per-number cap stops it
    skipped(s, person, "opted out (STOP)")  # skipped, but by no cap
    skipped(s, person, "daily cap of 3 messages reached", hours_ago=24.5)  # too old
    assert sms_budget(s, outbox.settings_for(s)) == {
        **budget,
        "sms_last_24h": 3,
        "stopped_by_per_number_cap": 1,
    }
    skipped(s, person, "city-wide daily SMS cap reached")
    skipped(s, person, "city-wide daily SMS cap reached", hours_ago=24.5)  # too old
    assert sms_budget(s, outbox.settings_for(s)) == {
        **budget,
        "sms_last_24h": 3,
        "stopped_by_city_cap": 1,
        "stopped_by_per_number_cap": 1,
    }


# --- which channel -----------------------------------------------------------------

TWILIO = {"twilio_account_sid": "AC1", "twilio_auth_token": "t"}
BOTH = Settings(**TWILIO, twilio_sms_from="CASA311", twilio_whatsapp_from="whatsapp:+1415")


@pytest.mark.parametrize(
    ("settings", "whatsapp_hours_ago", "channel"),
    [
        (BOTH, None, "sms"),
        (BOTH, 1, "whatsapp"),
        (BOTH, 23.9, "whatsapp"),
        (BOTH, 24.1, "sms"),  # the WhatsApp session is over
        (Settings(**TWILIO, twilio_sms_from="C", notify_default_channel="whatsapp"), 1, "sms"),
        (
            Settings(**TWILIO, twilio_whatsapp_from="w", notify_default_channel="sms"),
            None,
            "whatsapp",
        ),
        (Settings(**TWILIO, twilio_messaging_service_sid="MG1"), None, "sms"),
        (Settings(**{**BOTH.__dict__, "notify_default_channel": "whatsapp"}), None, "whatsapp"),
        (Settings(twilio_sms_from="C", twilio_whatsapp_from="w"), 1, "console"),  # no account
        (Settings(), None, "console"),
    ],
)
def test_the_channel_of_a_message(settings, whatsapp_hours_ago, channel):
    # Measured from the clock when the test runs (choose_channel reads it), not from when
    # the module was imported: in a long suite that is many minutes earlier.
    now = dt.datetime.now(dt.UTC)
    at = None if whatsapp_hours_ago is None else now - dt.timedelta(hours=whatsapp_hours_ago)
    assert choose_channel(settings, ReporterContact(whatsapp_at=at), None) == channel


def test_the_whatsapp_session_lasts_24_hours():
    last = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    person = ReporterContact(whatsapp_at=last)
    assert in_whatsapp_session(person, last + dt.timedelta(hours=23, minutes=59)) is True
    assert in_whatsapp_session(person, last + dt.timedelta(hours=24)) is False
    assert in_whatsapp_session(ReporterContact(whatsapp_at=None), last) is False
    now = dt.datetime.now(dt.UTC)
    assert in_whatsapp_session(ReporterContact(whatsapp_at=now - HOUR)) is True  # now by default
    assert in_whatsapp_session(ReporterContact(whatsapp_at=now - 25 * HOUR)) is False


# --- status updates ----------------------------------------------------------------


def test_a_public_status_change_is_one_message_with_its_note(s):
    report = filed(s, lang="en")
    event = RequestEvent(
        kind="status",
        from_status="submitted",
        to_status="acknowledged",
        public=True,
        note="Équipe prévue demain.",
        actor="amina",
        department_id=report.department_id,
    )
    report.events.append(event)
    [message] = enqueue_status_update(s, report, event)
    assert event.id is not None  # flushed to get the key
    assert message.dedupe_key == f"status:{event.id}"
    assert (message.kind, message.event_id, message.request_id) == ("status", event.id, report.id)
    code = report.tracking_code
    assert message.body == (
        f"casa311: your report {code} is acknowledged. Note: Équipe prévue demain. "
        f"Follow it: {URL}{code}"
    )
    assert enqueue_status_update(s, report, event) == [message]  # the same cause: the same row
    assert len(rows(s, report)) == 2  # the receipt and this


@pytest.mark.parametrize(
    ("public", "before", "after"),
    [
        (False, "submitted", "acknowledged"),  # internal
        (True, None, None),  # a note, no status
        (True, "in_progress", "in_progress"),  # no change
    ],
)
def test_other_events_send_nothing(s, public, before, after):
    report = filed(s)
    event = RequestEvent(
        kind="status", from_status=before, to_status=after, public=public, actor="amina"
    )
    report.events.append(event)
    assert enqueue_status_update(s, report, event) == []
    assert len(rows(s, report)) == 1  # the receipt only


def test_a_status_change_of_a_report_without_a_phone_sends_nothing(s):
    report = filed(s, phone=None)
    event = RequestEvent(
        kind="status", from_status="submitted", to_status="rejected", public=True, actor="a"
    )
    report.events.append(event)
    assert enqueue_status_update(s, report, event) == []
    assert rows(s) == []


# --- what clerks see ---------------------------------------------------------------


def test_the_triage_view_of_a_reports_messages_masks_the_number(s):
    report = filed(s)
    event = RequestEvent(
        kind="status", from_status="submitted", to_status="rejected", public=True, actor="a"
    )
    report.events.append(event)
    enqueue_status_update(s, report, event)
    other = filed(s, phone="0622222222")
    seen = messages_for_report(s, report.id)
    assert [m["kind"] for m in seen] == ["receipt", "status"]
    first = seen[0]
    assert first["to"] == "+212 6•• ••• •78"
    assert first["channel"] == "sms"
    assert (first["state"], first["attempts"], first["segments"]) == ("pending", 0, 1)
    assert (first["error_code"], first["last_error"], first["sent_at"]) == (None, None, None)
    assert first["created_at"] is not None and first["updated_at"] is not None
    assert first["id"] == rows(s, report)[0].id
    assert "612345678" not in str(seen)
    assert [m["kind"] for m in messages_for_report(s, other.id)] == ["receipt"]
    rows(s, report)[0].contact = None  # the number erased (retention): nothing to mask
    s.flush()
    assert messages_for_report(s, report.id)[0]["to"] is None
