"""Twilio's webhooks: signatures, delivery reports, and what residents can ask by message."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from citizen_api.extensions import db
from models import ReporterContact
from tests.notifications.support import (
    E164,
    change_status,
    file_report,
    inbound,
    outbox,
    signed_post,
    status_callback,
)


def sid_of(app, code: str) -> str:
    return outbox(app, code)[0].provider_sid


def test_duplicate_delivery_callbacks_change_nothing_and_states_only_move_forward(tw, tw_app):
    code = file_report(tw)
    sid = sid_of(tw_app, code)
    assert status_callback(tw, sid, "sent").status_code == 204
    assert status_callback(tw, sid, "delivered").status_code == 204
    assert status_callback(tw, sid, "delivered").status_code == 204  # Twilio retried
    assert outbox(tw_app, code)[0].state == "delivered"
    status_callback(tw, sid, "sent")  # late and out of order
    status_callback(tw, sid, "undelivered", "30003")
    assert outbox(tw_app, code)[0].state == "delivered"


def test_an_undelivered_report_is_recorded_with_its_error(tw, tw_app):
    code = file_report(tw)
    status_callback(tw, sid_of(tw_app, code), "undelivered", "30003")
    message = outbox(tw_app, code)[0]
    assert (message.state, message.error_code) == ("undelivered", 30003)


def test_a_forged_signature_is_refused_and_changes_nothing(tw, tw_app):
    code = file_report(tw)
    sid = sid_of(tw_app, code)
    forged = status_callback(tw, sid, "failed", token="0" * 32)
    assert forged.status_code == 403
    form = {"MessageSid": sid, "MessageStatus": "failed"}
    unsigned = tw.post("/webhooks/twilio/status", data=form)
    assert unsigned.status_code == 403
    tampered = signed_post(
        tw,
        "/webhooks/twilio/status",
        {"MessageSid": sid, "MessageStatus": "failed"},
        signature="bm90IGEgc2lnbmF0dXJl",
    )
    assert tampered.status_code == 403
    assert outbox(tw_app, code)[0].state == "sent"
    assert status_callback(tw, sid, "failed").status_code == 204  # correctly signed
    assert outbox(tw_app, code)[0].state == "failed"


def test_webhooks_refuse_everything_when_twilio_is_not_configured(client):
    response = client.post("/webhooks/twilio/inbound", data={"MessageSid": "SM1", "Body": "STOP"})
    assert response.status_code == 403


def reply(response) -> str:
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{code}", "est enregistré depuis le"),
        ("suivi {code}", "est enregistré depuis le"),
        ("STATUS {code}", "is received since"),
        ("حالة {code}", "مستلم منذ"),
        ("{compact}", "est enregistré depuis le"),
    ],
)
def test_a_resident_asks_for_the_status_in_their_words(tw, text, expected):
    code = file_report(tw)
    body = reply(inbound(tw, text.format(code=code, compact=code.replace("-", "").lower())))
    assert "<Response><Message>" in body
    assert expected in body and code in body


def test_the_status_reply_carries_the_time_and_the_public_note(tw, tw_app):
    code = file_report(tw, lang="en")
    change_status(tw_app, code, "in_progress", note="Crew on site Monday")
    body = reply(inbound(tw, code))
    assert "is in progress since" in body and "Crew on site Monday" in body


def test_an_unknown_code_says_so(tw):
    assert "aucun signalement avec le code" in reply(inbound(tw, "ABCD-EFGH"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HELP", "send your tracking code"),
        ("aide", "envoyez votre code de suivi"),
        ("مساعدة", "أرسل رمز التتبع"),
        ("", "envoyez votre code de suivi"),
    ],
)
def test_help_and_an_empty_message_get_short_help(tw, text, expected):
    file_report(tw)
    assert expected in reply(inbound(tw, text))


@pytest.mark.parametrize("word", ["STOP", "arrêt", "توقف"])
def test_stop_then_a_status_change_sends_nothing(tw, tw_app, fake, word):
    first = file_report(tw)
    second = file_report(tw)
    assert len(fake.sent_to(E164)) == 2
    body = reply(inbound(tw, word))
    assert "START" in body
    change_status(tw_app, first, "in_progress")
    change_status(tw_app, second, "resolved")
    assert len(fake.messages) == 2  # nothing more, for every report of that number
    assert [m.state for m in outbox(tw_app, first)] == ["sent", "skipped"]
    assert outbox(tw_app, second)[-1].last_error == "opted out (STOP)"


def test_start_restores_the_messages(tw, tw_app, fake):
    code = file_report(tw)
    reply(inbound(tw, "STOP"))
    assert "réactivés" in reply(inbound(tw, "START"))
    change_status(tw_app, code, "in_progress")
    assert len(fake.messages) == 2
    assert fake.messages[-1].to == "whatsapp:" + E164  # they wrote from WhatsApp


def test_a_message_stopped_between_its_writing_and_its_sending_is_not_sent(
    tw, tw_app, fake, notifier
):
    from notifications.dispatch import deliver

    fake.script(E164, "500")
    code = file_report(tw)
    reply(inbound(tw, "STOP"))
    assert deliver(notifier, outbox(tw_app, code)[0].id).result == "skipped"
    assert fake.sent_to(E164) == []


def test_a_repeated_inbound_message_is_acted_on_once(tw, tw_app):
    code = file_report(tw)
    first = reply(inbound(tw, "STOP", sid="SM" + "1" * 32))
    again = reply(inbound(tw, "STOP", sid="SM" + "1" * 32))
    assert "<Message>" in first
    assert again == first  # Twilio retried: the same answer, and nothing done twice
    reply(inbound(tw, "START"))
    reply(inbound(tw, "STOP", sid="SM" + "1" * 32))  # a late retry must not undo START
    change_status(tw_app, code, "in_progress")
    assert outbox(tw_app, code)[-1].state == "sent"


def test_a_resident_heard_on_whatsapp_gets_updates_there(tw, tw_app, fake):
    code = file_report(tw)
    reply(inbound(tw, code))
    change_status(tw_app, code, "acknowledged")
    assert [m.channel for m in outbox(tw_app, code)] == ["sms", "whatsapp"]
    update = fake.messages[-1]
    assert update.to == "whatsapp:" + E164 and update.from_ == "whatsapp:+14155238886"


def test_after_24_hours_of_whatsapp_silence_updates_go_by_sms(tw, tw_app, fake):
    import datetime as dt

    from sqlalchemy import text

    from tests.helpers import db_time

    code = file_report(tw)
    reply(inbound(tw, code))  # the resident writes on WhatsApp...
    with tw_app.app_context():  # ...but that was 25 hours ago
        db.session.execute(
            text("UPDATE reporter_contacts SET whatsapp_at = :at"),
            {"at": db_time(dt.datetime.now(dt.UTC) - dt.timedelta(hours=25))},
        )
        db.session.commit()
    change_status(tw_app, code, "acknowledged")
    assert [m.channel for m in outbox(tw_app, code)] == ["sms", "sms"]
    assert outbox(tw_app, code)[-1].state == "sent"
    assert fake.messages[-1].to == E164


def test_the_daily_cap_stops_a_flood_to_one_number(tw, tw_app, fake):
    codes = [file_report(tw) for _ in range(5)]
    assert len(fake.sent_to(E164)) == 3  # NOTIFY_DAILY_CAP=3 in these tests
    capped = outbox(tw_app, codes[3])[0]
    assert capped.state == "skipped" and "daily cap" in capped.last_error
    other = file_report(tw, phone="0661000001")
    assert outbox(tw_app, other)[0].state == "sent"  # a cap per number, not for everyone


def test_phone_numbers_are_erased_days_after_the_report_closed(tw, tw_app):
    import datetime as dt

    from sqlalchemy import text

    from notifications.privacy import erase_expired_numbers
    from tests.helpers import db_time

    old = file_report(tw)
    recent = file_report(tw, phone="0661000001")
    with tw_app.app_context():
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
        for code, when in ((old, long_ago), (recent, dt.datetime.now(dt.UTC))):
            db.session.execute(
                text(
                    "UPDATE service_requests SET status = 'closed', closed_at = :at"
                    " WHERE tracking_code = :code"
                ),
                {"at": db_time(when), "code": code},
            )
        db.session.commit()
        assert erase_expired_numbers(db.session, 30) == 1
        db.session.commit()
        numbers = db.session.scalars(select(ReporterContact.phone_e164)).all()
    assert numbers == ["+212661000001"]
    message = outbox(tw_app, old)[0]
    assert message.contact_id is None and message.state == "sent"  # history kept, number gone
