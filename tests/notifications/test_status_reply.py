"""The answer to a resident who texts a tracking code, word for word: the report's status,
the time of its last public status change in Casablanca, that change's public note, and
the link; and the language of an answer when the message itself does not say."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

from citizen_api.extensions import db
from models import RequestEvent
from tests.helpers import stored_report
from tests.notifications.conftest import PUBLIC_BASE_URL
from tests.notifications.support import change_status, file_report, inbound

CHANGED_AT = dt.datetime(2026, 6, 9, 9, 15, tzinfo=dt.UTC)  # 10:15 in Casablanca (UTC+1)


def answer(response) -> str:
    assert response.status_code == 200
    root = ET.fromstring(response.get_data())
    return root.findtext("Message")


def filed_at_in_casablanca(app, code: str) -> str:
    with app.app_context():
        filed = stored_report(code).events[0].created_at
    filed = filed if filed.tzinfo else filed.replace(tzinfo=dt.UTC)
    return filed.astimezone(ZoneInfo("Africa/Casablanca")).strftime("%d/%m/%Y %H:%M")


def test_the_reply_names_the_last_public_change_its_time_note_and_link(tw, tw_app):
    code = file_report(tw, lang="en")
    other = file_report(tw, lang="en", phone="0611223344")
    change_status(tw_app, code, "in_progress", note="Crew on site Monday", at=CHANGED_AT)
    # Later: an internal change of this report, a public event of it that changes no
    # status (a reroute), and a public change of another report.
    change_status(tw_app, code, "in_progress", note="call the contractor", public=False)
    with tw_app.app_context():
        report = stored_report(code)
        report.events.append(
            RequestEvent(kind="rerouted", public=True, note="voirie -> dt-anfa", actor="x")
        )
        db.session.commit()
    change_status(tw_app, other, "resolved", note="Another street")
    assert answer(inbound(tw, code)) == (
        f"casa311: {code} is in progress since 09/06/2026 10:15. "
        f"Note: Crew on site Monday {PUBLIC_BASE_URL}/r/{code}"
    )


def test_a_report_never_changed_is_received_since_it_was_filed(tw, tw_app):
    code = file_report(tw, lang="en")
    since = filed_at_in_casablanca(tw_app, code)
    assert answer(inbound(tw, f"status {code}")) == (
        f"casa311: {code} is received since {since}. {PUBLIC_BASE_URL}/r/{code}"
    )


def test_help_is_answered_in_the_residents_latest_report_language(tw):
    # Words start a report on WhatsApp (citizen_api.intake); an empty message gets help,
    # in the language of the number's latest report.
    file_report(tw, lang="ar")
    file_report(tw, lang="en")  # the same number, a later report
    assert answer(inbound(tw, "")) == (
        "casa311: send your tracking code (e.g. K7QM-4RZP) for its status, "
        "STOP to receive nothing more, START to resume."
    )


def test_a_number_we_do_not_know_is_answered_in_french(tw):
    file_report(tw, lang="en")  # someone else's report
    stranger = "whatsapp:+212699887766"
    assert answer(inbound(tw, "", sender=stranger)).startswith(
        "casa311: envoyez votre code de suivi"
    )


def test_a_code_from_an_unknown_number_is_answered_in_the_reports_language(tw):
    code = file_report(tw, lang="en")
    stranger = "whatsapp:+212699887766"
    assert answer(inbound(tw, code, sender=stranger)).startswith(f"casa311: {code} is received")


def test_stop_and_start_in_english_are_answered_in_english(tw):
    file_report(tw, lang="fr")
    assert answer(inbound(tw, "unsubscribe")) == (
        "casa311: you will receive no more messages. Send START to resume."
    )
    assert answer(inbound(tw, "yes")) == "casa311: messages resumed. Send STOP to stop them."


def test_the_inbound_log_links_the_message_to_its_sender_and_report(tw, tw_app):
    from sqlalchemy import select

    from models import InboundMessage, ReporterContact

    code = file_report(tw)
    answer(inbound(tw, code, sid="SM" + "7" * 32))
    with tw_app.app_context():
        logged = db.session.scalar(
            select(InboundMessage).where(InboundMessage.message_sid == "SM" + "7" * 32)
        )
        report = stored_report(code)
        contact = db.session.scalar(
            select(ReporterContact).where(ReporterContact.id == report.contact_id)
        )
        assert (logged.request_id, logged.contact_id) == (report.id, contact.id)
        assert (logged.command, logged.channel) == ("status", "whatsapp")


def test_an_unknown_code_is_named_in_the_words_language(tw):
    file_report(tw, lang="fr")
    assert answer(inbound(tw, "status ABCD-EFGH")) == "casa311: no report has the code ABCD-EFGH."
