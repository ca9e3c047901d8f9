"""What residents (and others) send that cannot be used as it is: each gets a clear
answer or a 4xx, and no half-filed report."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from citizen_api.extensions import db
from models import InboundReply
from tests.notifications.support import signed_post
from tests.notifications.whatsapp.support import (
    AT_SEA,
    DOWNTOWN,
    Resident,
    conversation_of,
    pick_service,
    reports,
)


def to_photo(resident: Resident) -> None:
    menu = resident.says("Un nid de poule énorme devant l'école")
    pick_service(resident, menu, "Nid-de-poule")
    assert "Envoyez une photo" in resident.says(pin=DOWNTOWN)


def test_a_pin_far_outside_the_city_is_explained_and_asked_again(wa, wa_app):
    resident = Resident(wa)
    menu = resident.says("Un nid de poule énorme devant l'école")
    pick_service(resident, menu, "Nid-de-poule")
    answer = resident.says(pin=AT_SEA)
    assert "hors de Casablanca (à environ" in answer and "km)" in answer
    assert "Envoyez la position du problème, dans la ville" in answer
    assert conversation_of(wa_app).step == "location"
    assert "Envoyez une photo" in resident.says(pin=DOWNTOWN)


def test_a_written_address_instead_of_a_pin_asks_for_the_pin(wa, wa_app):
    resident = Resident(wa)
    menu = resident.says("Un nid de poule énorme devant l'école")
    pick_service(resident, menu, "Nid-de-poule")
    assert "pas d'une adresse écrite" in resident.says("12 rue Tata, Casablanca")


@pytest.mark.parametrize(
    ("name", "told"),
    [
        ("missing", "le lien de la photo ne répond plus"),  # 404
        ("slow", "elle a mis trop de temps à arriver"),  # longer than the timeout
        ("text", "ce n'est pas une image"),  # says image/jpeg, holds HTML
        ("huge", "elle dépasse 1 Mo"),  # over PHOTO_MAX_BYTES
    ],
)
def test_a_photo_that_cannot_be_used_is_explained_and_the_report_goes_on(
    wa, wa_app, media, name, told
):
    resident = Resident(wa)
    to_photo(resident)
    answer = resident.says(media=media.url(name))
    assert told in answer
    assert "ajouter des détails" in answer  # the report goes on, without a photo
    assert "Photo : non" in resident.says("0")
    assert resident.says("1") == ""
    (report,) = reports(wa_app)
    assert report.photos == []


def test_a_voice_note_is_not_downloaded_and_the_report_goes_on(wa, wa_app, media):
    resident = Resident(wa)
    to_photo(resident)
    before = len(media.requests)
    answer = resident.says(media=media.url("photo"), media_type="audio/ogg")
    assert "ce n'est pas une image" in answer and "ajouter des détails" in answer
    assert len(media.requests) == before


def test_a_media_url_off_twilio_is_not_fetched(wa, wa_app, media):
    resident = Resident(wa)
    to_photo(resident)
    before = len(media.requests)
    answer = resident.says(media=f"{media.base_url}/photo")
    assert "elle n'a pas pu être téléchargée" in answer
    assert len(media.requests) == before


def test_an_unknown_menu_number_is_explained_with_the_menu_again(wa, wa_app):
    resident = Resident(wa)
    resident.says("Un nid de poule énorme devant l'école")
    answer = resident.says("7")
    assert "Il n'y a pas de choix 7. Répondez par un numéro de 1 à 3." in answer
    assert "De quoi s'agit-il" in answer
    assert conversation_of(wa_app).step == "service"


def test_an_empty_message_gets_help_or_the_question_again(wa, wa_app):
    resident = Resident(wa)
    assert "envoyez votre code de suivi" in resident.says("")
    assert conversation_of(wa_app) is None  # nothing started
    resident.says("Un nid de poule énorme devant l'école")
    assert "De quoi s'agit-il" in resident.says("   ")


def test_a_message_of_5000_characters_is_refused_with_the_limit(wa, wa_app):
    resident = Resident(wa)
    answer = resident.says("trou " * 999 + "trous")
    assert "Votre message fait 5\u202f000 caractères ; 4\u202f000 au plus" in answer
    assert "décrivez en quelques mots" in answer
    state = conversation_of(wa_app)
    assert state.step == "describe" and "text" not in state.data


def test_unsigned_and_forged_webhooks_are_refused_and_change_nothing(wa, wa_app):
    resident = Resident(wa)
    params = resident.params("Un nid de poule énorme devant l'école")
    assert wa.post("/webhooks/twilio/inbound", data=params).status_code == 403
    forged = signed_post(wa, "/webhooks/twilio/inbound", params, token="0" * 32)
    assert forged.status_code == 403
    tampered = dict(params, Body="autre chose")
    signature = resident.post(params).request.headers["X-Twilio-Signature"]
    response = wa.post(
        "/webhooks/twilio/inbound", data=tampered, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403
    with wa_app.app_context():
        assert db.session.scalar(select(func.count(InboundReply.id))) == 1  # the signed one
    assert conversation_of(wa_app).data["text"] == "Un nid de poule énorme devant l'école"
