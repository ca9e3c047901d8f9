"""The WhatsApp conversation (citizen_api/intake/conversation.py) driven directly through
intake.dispatch.answer, without the signed webhook: the order of its questions, what each
answer does, and the French texts a resident reads, written out here. The webhook's own
behaviour is in test_conversations.py; these are the fast tests `make mutation` runs."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from citizen_api.domain.catalogue_cache import forget_catalogue
from citizen_api.extensions import db
from citizen_api.intake.dispatch import Inbound, answer
from citizen_api.intake.expiry import expire_idle
from citizen_api.webhooks.views import _intake
from models import (
    Conversation,
    Department,
    RoutingRule,
    ServiceAttribute,
    ServiceRequest,
    ServiceType,
)
from tests.conftest import clear_reports
from tests.notifications.whatsapp.support import AT_SEA, DOWNTOWN, choice, new_sid

PHONE = "+212612345678"
LEAK = "Il y a une grosse fuite d'eau devant la pharmacie, ça coule depuis hier"
LOCATION = (
    "Fuite d'eau : envoyez la position du problème (📎 > Position > "
    "« Envoyer votre position actuelle » ou un point sur la carte)."
)
SOURCE = (
    "D'où vient l'eau ?\n1. De la chaussée ou du trottoir\n2. D'un compteur\n"
    "3. D'une borne d'incendie\n4. Autre"
)
PHOTO = "Envoyez une photo du problème, ou 0 pour passer."
DETAILS = "Voulez-vous ajouter des détails (repère, adresse) ? Écrivez-les, ou 0 pour passer."
ALL = [
    "Nid-de-poule",
    "Trottoir dégradé",
    "Éclairage public en panne",
    "Dépôt sauvage d'ordures",
    "Bac à ordures plein",
    "Fuite d'eau",
    "Égout bouché ou débordant",
    "Feu de signalisation en panne",
    "Arbre tombé ou dangereux",
    "Animaux errants",
    "Occupation illégale du domaine public",
    "Véhicule abandonné",
]
FULL_MENU = "Choisissez le type de problème (numéro) :\n" + "\n".join(
    f"{i}. {name}" for i, name in enumerate(ALL, start=1)
)


class Direct:
    """A resident whose messages go straight to the intake (what the webhook hands it)."""

    def __init__(self, app):
        self.app = app
        self.intake = _intake()

    def says(self, body: str = "", pin=None) -> str:
        message = Inbound(
            sid=new_sid(),
            sender="whatsapp:" + PHONE,
            body=body,
            lat=pin[0] if pin else None,
            long=pin[1] if pin else None,
        )
        return answer(self.intake, message) or ""

    def conversation(self) -> Conversation | None:
        db.session.expire_all()
        return db.session.scalar(select(Conversation))

    def reports(self) -> list[ServiceRequest]:
        db.session.expire_all()
        return list(db.session.scalars(select(ServiceRequest)))


@pytest.fixture
def r(wa_app, emulator):
    emulator.fake.reset()
    with wa_app.test_request_context(method="POST"):  # a POST, as the webhook is
        yield Direct(wa_app)
        db.session.remove()
    clear_reports(wa_app)
    emulator.fake.reset()


def to_the_location(r) -> None:
    menu = r.says(LEAK)
    assert menu.startswith("De quoi s'agit-il ? Répondez par un numéro :\n1. ")
    assert menu.endswith("\n0. Autre (toute la liste)")
    assert len(menu.splitlines()) == 5  # the question, three likeliest, and 0
    assert r.says(choice(menu, "Fuite d'eau")) == LOCATION


def test_a_whole_report_in_the_order_of_the_questions(r):
    to_the_location(r)
    assert r.says(pin=DOWNTOWN) == SOURCE
    assert r.says("2") == PHOTO
    assert r.says("0") == DETAILS
    summary = r.says("En face du numéro 12")
    assert summary == (
        "Récapitulatif :\n• Fuite d'eau\n• Sidi Belyout\n• D'où vient l'eau ? → D'un compteur\n"
        "• Photo : non\n• « " + LEAK + " En face du numéro 12 »\n"
        "Répondez 1 pour envoyer, ou ANNULER."
    )
    conversation = r.conversation()
    assert conversation.step == "confirm" and conversation.messages == 6
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    expires = conversation.expires_at.replace(tzinfo=None)
    assert dt.timedelta(hours=23, minutes=59) < expires - now <= dt.timedelta(hours=24)
    assert r.says("oui") == ""  # the receipt goes through the outbox
    (report,) = r.reports()
    assert report.service_type.code == "fuite-eau"
    assert report.attributes == {"source": "compteur"}
    assert report.description == LEAK + "\nEn face du numéro 12"
    assert (report.lat, report.long) == DOWNTOWN
    assert report.channel == "whatsapp" and report.lang == "fr"
    assert r.conversation() is None


def test_zero_shows_every_service_and_a_wrong_number_is_named(r):
    r.says(LEAK)
    assert r.says("0") == FULL_MENU
    assert r.says("13") == (
        "Il n'y a pas de choix 13. Répondez par un numéro de 1 à 12.\n\n" + FULL_MENU
    )
    assert r.says("6") == LOCATION


def test_a_wrong_number_in_the_three_is_named_and_the_three_asked_again(r):
    menu = r.says(LEAK)
    again = r.says("4")
    assert again == "Il n'y a pas de choix 4. Répondez par un numéro de 1 à 3.\n\n" + menu


def test_a_service_named_in_words_is_taken(r):
    r.says(LEAK)
    assert r.says("fuite d'eau") == LOCATION


def test_a_typed_address_asks_for_a_pin_and_a_pin_at_sea_is_refused(r):
    to_the_location(r)
    assert r.says("Bd Mohammed V") == (
        "J'ai besoin d'une position WhatsApp (📎 > Position), pas d'une adresse écrite."
    )
    refused = r.says(pin=AT_SEA)
    assert refused.startswith("Ce point est hors de Casablanca (à environ ")
    assert refused.endswith(
        " km) : casa311 ne traite que la ville. Envoyez la position du problème, dans la ville."
    )
    km = refused.split("(à environ ")[1].split(" km)")[0]
    assert re.fullmatch(r"\d+,\d", km)  # French decimals
    assert 5 < float(km.replace(",", ".")) < 60  # 40 km out from the coast, roughly
    assert r.says(pin=DOWNTOWN) == SOURCE


def test_a_wrong_choice_is_named_and_asked_again(r):
    to_the_location(r)
    r.says(pin=DOWNTOWN)
    assert r.says("7") == "Il n'y a pas de choix 7. Répondez par un numéro de 1 à 4.\n\n" + SOURCE
    assert r.says("D'un compteur") == PHOTO


def test_cancel_ends_the_conversation(r):
    to_the_location(r)
    assert r.says("annuler") == (
        "Signalement abandonné. Écrivez-nous quand vous voulez pour en faire un autre."
    )
    assert r.conversation() is None and r.reports() == []


def test_confirm_needs_a_yes(r):
    to_the_location(r)
    r.says(pin=DOWNTOWN)
    r.says("1")
    r.says("passer")
    summary = r.says("0")
    assert summary.startswith("Récapitulatif :")
    assert r.says("peut-être") == summary
    assert r.reports() == []
    assert r.says("1") == ""
    assert len(r.reports()) == 1


def test_a_description_too_long_is_refused_with_its_length(r):
    too_long = "fuite " * 700  # 4 200 characters
    assert r.says(too_long.strip()).startswith(
        "Votre message fait 4\u202f199 caractères ; 4\u202f000 au plus. "
        "Décrivez le problème plus brièvement."
    )
    assert r.conversation().step == "describe"


def test_details_that_would_pass_the_limit_are_refused(r):
    to_the_location(r)
    r.says(pin=DOWNTOWN)
    r.says("1")
    r.says("0")
    room = 4000 - len(LEAK) - 2
    refused = r.says("x" * (room + 1))
    assert refused.startswith(
        f"Votre message fait {room + 1:,} caractères ; {room:,} au plus.".replace(",", "\u202f")
    )
    assert refused.endswith(DETAILS)
    assert r.says("x" * room).startswith("Récapitulatif :")


def test_english_switches_the_language_and_asks_again(r):
    to_the_location(r)
    asked = r.says("english")
    assert "Water leak" in asked and asked != LOCATION
    assert r.conversation().lang == "en"


def test_in_english_the_choices_and_the_menu_are_english(r):
    menu = r.says(LEAK)
    r.says("english")
    again = r.says("9")
    assert again.startswith("There is no choice 9.")
    assert "Water leak" in again and "Fuite d'eau" not in again
    assert menu != again
    r.says(choice(again.split("\n\n", 1)[1], "Water leak"))
    refused = r.says(pin=AT_SEA)
    assert refused.startswith("This point is outside Casablanca (about ")
    km = refused.split("(about ")[1].split(" km away)")[0]
    assert re.fullmatch(r"\d+\.\d", km)  # English decimals
    asked = r.says(pin=DOWNTOWN)
    assert asked.startswith("Where is the water coming from?\n1. The road or sidewalk\n")
    r.says("1")
    r.says("0")
    summary = r.says("")  # an empty answer skips the details too
    assert "\n• Water leak\n• Sidi Belyout\n" in summary
    assert "\n• Where is the water coming from? → The road or sidewalk\n" in summary


def test_the_summary_shows_the_description_cut_to_160_characters(r):
    to_the_location(r)
    r.says(pin=DOWNTOWN)
    r.says("1")
    r.says("0")
    details = "Au coin de la rue, juste en face de la grande pharmacie verte, " * 2
    summary = r.says(details.strip())
    shown = summary.split("• « ")[1].split(" »")[0]
    assert len(shown) == 160 and shown.endswith("…")
    assert shown.startswith(LEAK + " Au coin de la rue")


def test_an_empty_or_long_wrong_choice_is_named_shortly(r):
    to_the_location(r)
    r.says(pin=DOWNTOWN)
    assert r.says("") == "Il n'y a pas de choix ?. Répondez par un numéro de 1 à 4.\n\n" + SOURCE
    wrong = "je ne sais vraiment pas trop"  # 28 characters: shown cut to 20
    assert r.says(wrong) == (
        "Il n'y a pas de choix je ne sais vraiment…. Répondez par un numéro de 1 à 4.\n\n" + SOURCE
    )


def test_several_choices_are_offered_and_taken_where_the_service_allows_them(r):
    menu = r.says("Un dépôt sauvage d'ordures et de gravats au coin de la rue")
    if ". Dépôt sauvage d'ordures\n" not in menu + "\n":
        menu = r.says("0")
    r.says(choice(menu, "Dépôt sauvage d'ordures"))
    assert r.says(pin=DOWNTOWN) == (
        "Nature des déchets\n1. Ordures ménagères\n2. Gravats\n3. Encombrants\n"
        "4. Déchets verts\n5. Produits dangereux\n"
        "Vous pouvez donner plusieurs numéros, ex. « 1 3 »."
    )
    assert r.says("1 2") == PHOTO
    r.says("0")
    r.says("0")
    assert r.says("1") == ""
    (report,) = r.reports()
    assert len(report.attributes["nature"]) == 2


@pytest.fixture
def plate_service(wa_app):
    """A service whose required attribute is free text (none of the shipped ones is)."""
    with wa_app.app_context():
        service = ServiceType(
            code="plaque-rue",
            name_fr="Plaque de rue manquante",
            name_ar="لوحة شارع مفقودة",
            group_fr="Voirie",
            group_ar="الطرق",
            sla_hours=48,
        )
        db.session.add(service)
        db.session.flush()
        db.session.add(
            ServiceAttribute(
                service_type_id=service.id,
                code="rue",
                datatype="string",
                required=True,
                description_fr="Nom de la rue",
                description_ar="اسم الشارع",
                description_en="Street name",
            )
        )
        voirie = db.session.scalar(select(Department).where(Department.code == "voirie"))
        db.session.add(
            RoutingRule(service_type_id=service.id, scope="city", department_id=voirie.id)
        )
        db.session.commit()
        service_id = service.id
        forget_catalogue()
    yield
    with wa_app.app_context():
        db.session.delete(db.session.get(ServiceType, service_id))
        db.session.commit()
        forget_catalogue()


def test_a_free_text_attribute_is_asked_in_words_and_kept(plate_service, r):
    r.says(LEAK)
    menu = r.says("0")
    r.says(choice(menu, "Plaque de rue manquante"))
    asked = r.says(pin=DOWNTOWN)
    assert asked == "Nom de la rue (répondez par un texte court)"
    assert r.conversation().step == "attribute"
    assert r.says("Rue Tata") == PHOTO
    r.says("0")
    r.says("0")
    r.says("1")
    (report,) = r.reports()
    assert report.attributes == {"rue": "Rue Tata"}


def test_an_expired_conversations_photo_files_are_deleted(r, media):
    message = Inbound(
        sid=new_sid(),
        sender="whatsapp:" + PHONE,
        body=LEAK,
        media_url=media.url("photo"),
        media_type="image/jpeg",
    )
    assert "Photo reçue." in answer(r.intake, message)
    photo = r.conversation().data["photo"]
    keys = [photo["key"], photo["thumb_key"]]
    assert keys[0] != keys[1]
    assert all(r.intake.storage.get(k) is not None for k in keys)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=25)
    assert expire_idle(db.session, r.intake.storage, later)[0] == 1
    assert [r.intake.storage.get(k) for k in keys] == [None, None]
    assert r.conversation() is None
