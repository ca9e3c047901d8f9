"""Subscribing to an area's alerts by a keyword over WhatsApp or SMS, in French, Arabic or
English; names matched without accents or case; an unknown name gets the list."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from citizen_api.extensions import db
from models import AlertSubscription, Area, InboundMessage, ReporterContact
from notifications.subscribers import fold, match_areas
from tests.notifications.support import inbound

NUMBER = "+212611555001"


def reply(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def subscriptions(app, e164=NUMBER) -> dict[str, tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(
                Area.code,
                AlertSubscription.state,
                AlertSubscription.lang,
                AlertSubscription.channel,
            )
            .join(AlertSubscription, AlertSubscription.area_id == Area.id)
            .join(ReporterContact, ReporterContact.id == AlertSubscription.contact_id)
            .where(ReporterContact.phone_e164 == e164)
        ).all()
    return {code: (state, lang, channel) for code, state, lang, channel in rows}


@pytest.mark.parametrize(
    ("body", "lang", "words"),
    [
        ("ALERTE MAARIF", "fr", "vous recevrez les alertes de Maârif"),
        ("alerte maârif", "fr", "vous recevrez les alertes de Maârif"),
        ("تنبيه المعاريف", "ar", "ستتوصلون بتنبيهات المعاريف"),
        ("تنبيه معاريف", "ar", "ستتوصلون بتنبيهات المعاريف"),
        ("ALERT MAARIF", "en", "you will get the alerts of Maârif"),
    ],
)
def test_a_keyword_subscribes_the_sender_in_their_language(tw, tw_app, body, lang, words):
    text = reply(inbound(tw, body, sender="whatsapp:" + NUMBER))
    assert words in text
    assert subscriptions(tw_app) == {"maarif": ("active", lang, "whatsapp")}
    with tw_app.app_context():
        assert db.session.scalar(select(InboundMessage.command)) == "subscribe"


def test_several_areas_and_multi_word_names_in_one_message(tw, tw_app):
    text = reply(inbound(tw, "Alerte Sidi Moumen, Ben M'Sick et Aïn Chock", sender=NUMBER))
    assert "Sidi Moumen" in text and "Ben M'Sick" in text and "Aïn Chock" in text
    assert set(subscriptions(tw_app)) == {"sidi-moumen", "ben-msick", "ain-chock"}
    assert {v[2] for v in subscriptions(tw_app).values()} == {"sms"}


@pytest.mark.parametrize(
    ("body", "listed"),
    [
        ("ALERTE ATLANTIS", "Maârif"),
        ("ALERTE", "Sidi Moumen"),
        ("تنبيه أطلانتس", "المعاريف"),
    ],
)
def test_an_unknown_area_gets_the_list_of_names_and_subscribes_nothing(tw, tw_app, body, listed):
    text = reply(inbound(tw, body, sender="whatsapp:" + NUMBER))
    assert listed in text and ("Anfa" in text or "أنفا" in text)
    assert subscriptions(tw_app) == {}


def test_stop_after_a_keyword_ends_the_subscription(tw, tw_app):
    inbound(tw, "ALERTE MAARIF", sender="whatsapp:" + NUMBER)
    inbound(tw, "STOP", sender="whatsapp:" + NUMBER)
    assert subscriptions(tw_app) == {"maarif": ("ended", "fr", "whatsapp")}
    inbound(tw, "ALERTE ANFA", sender="whatsapp:" + NUMBER)  # asking again is consent again
    assert subscriptions(tw_app)["anfa"][0] == "active"
    with tw_app.app_context():
        contact = db.session.scalar(
            select(ReporterContact).where(ReporterContact.phone_e164 == NUMBER)
        )
        assert contact.opted_out_at is None


def test_the_same_message_twice_is_handled_once(tw, tw_app):
    first = reply(inbound(tw, "ALERTE MAARIF", sender=NUMBER, sid="SM" + "5" * 32))
    again = reply(inbound(tw, "ALERTE MAARIF", sender=NUMBER, sid="SM" + "5" * 32))
    assert "<Message>" in first and again == first  # a retry: the same answer, nothing redone


def test_names_fold_without_accents_case_or_the_arabic_article():
    assert fold("Maârif") == fold("MAARIF") == "MAARIF"
    assert fold("المعاريف") == fold("معاريف") == fold("المَعاريف")
    assert fold("Ben M'Sick") == "BEN M SICK"


def test_a_tracking_code_is_still_a_status_question(tw):
    text = reply(inbound(tw, "K7QM-4RZP", sender=NUMBER))
    assert "K7QM-4RZP" in text


def test_matching_is_against_the_stored_area_names(session):
    found, leftover = match_areas(session, "hay hassani")
    assert [a.code for a in found] == ["hay-hassani"] and leftover == ""
