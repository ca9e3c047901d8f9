"""Whole reports filed over WhatsApp, through the signed webhook, as residents write:
French, Arabic, Darija in Arabic script, Arabizi and English."""

from __future__ import annotations

import io

from PIL import Image

from citizen_api.extensions import db
from citizen_api.photos.upload import storage
from tests.notifications.whatsapp.support import (
    DOWNTOWN,
    Resident,
    choice,
    conversation_of,
    pick_service,
    reports,
)


def receipt_of(fake, phone: str = "+212612345678"):
    sent = fake.sent_to("whatsapp:" + phone)
    assert len(sent) == 1, [m.body for m in sent]
    return sent[0].body


def test_a_french_report_with_a_required_choice_a_photo_and_details(wa, wa_app, fake, media):
    resident = Resident(wa)
    menu = resident.says("Il y a une grosse fuite d'eau devant la pharmacie, ça coule depuis hier")
    assert "De quoi s'agit-il" in menu
    question = pick_service(resident, menu, "Fuite d'eau")
    assert "envoyez la position du problème" in question
    question = resident.says(pin=DOWNTOWN)
    assert "D'un compteur" in question  # the required attribute, as numbered choices
    question = resident.says(choice(question, "D'un compteur"))
    assert "Envoyez une photo" in question
    answer = resident.says(media=media.url("photo"))
    assert "Photo reçue" in answer and "ajouter des détails" in answer
    summary = resident.says("En face du numéro 12, à côté du café")
    assert "Récapitulatif" in summary and "Fuite d'eau" in summary and "Photo : oui" in summary
    assert resident.says("oui") == ""  # the receipt is the answer, through the outbox

    (report,) = reports(wa_app)
    assert report.service_type.code == "fuite-eau"
    assert report.attributes == {"source": "compteur"}
    assert report.channel == "whatsapp" and report.lang == "fr"
    assert report.description.startswith("Il y a une grosse fuite d'eau")
    assert report.description.endswith("En face du numéro 12, à côté du café")
    assert report.contact.phone_e164 == "+212612345678"
    body = receipt_of(fake)
    assert report.tracking_code in body
    assert f"https://casa311.test/r/{report.tracking_code}" in body
    assert conversation_of(wa_app) is None  # nothing left in progress

    (photo,) = report.photos
    with wa_app.app_context():
        stored = storage().get(photo.key)
    image = Image.open(io.BytesIO(stored))
    assert max(image.size) == 2048  # the 3000 px camera photo, resized
    assert not image.getexif()  # no GPS, no maker: EXIF gone
    assert all(authorised for _, authorised in media.requests)


def test_an_arabic_report_answered_by_words(wa, wa_app, fake):
    resident = Resident(wa, "+212661111111")
    menu = resident.says("إشارة المرور معطلة في ملتقى الطرق قرب المسجد")
    assert "ما نوع المشكل" in menu
    question = pick_service(resident, menu, "عطل في إشارات المرور الضوئية")
    assert "أرسل موقع المشكل" in question
    question = resident.says(pin=DOWNTOWN)
    assert "منطفئة" in question
    question = resident.says("منطفئة")  # the choice's name instead of its number
    assert "أرسل صورة" in question
    assert "تفاصيل" in resident.says("لا")
    summary = resident.says("0")
    assert "ملخص" in summary and "منطفئة" in summary
    assert resident.says("نعم") == ""
    (report,) = reports(wa_app)
    assert (report.service_type.code, report.lang) == ("feu-signalisation", "ar")
    assert report.attributes == {"etat": "eteint"}
    assert "توصلنا ببلاغك" in receipt_of(fake, "+212661111111")


def test_a_darija_report_in_arabic_script_with_several_choices(wa, wa_app, fake):
    resident = Resident(wa, "+212662222222")
    menu = resident.says("كاين الزبل بزاف حدا الدار والريحة خايبة")
    question = pick_service(resident, menu, "رمي عشوائي للنفايات")
    question = resident.says(pin=DOWNTOWN)
    assert "عدة أرقام" in question  # a question with several answers
    numbers = f"{choice(question, 'نفايات منزلية')} {choice(question, 'ردم')}"
    assert "أرسل صورة" in resident.says(numbers)
    resident.says("0")
    resident.says("0")
    assert resident.says("1") == ""
    (report,) = reports(wa_app)
    assert report.service_type.code == "depot-sauvage" and report.lang == "ar"
    assert sorted(report.attributes["nature"]) == ["gravats", "menagers"]


def test_an_arabizi_report_with_a_photo_sent_first(wa, wa_app, fake, media):
    resident = Resident(wa, "+212663333333")
    first = resident.says(media=media.url("photo"))  # a photo, no words yet
    assert "décrivez" in first.lower()
    menu = resident.says("kayn wa7ed l7ofra kbira f zen9a dyalna")
    assert "ما نوع المشكل" in menu  # Darija in Latin letters: answered in Arabic
    question = pick_service(resident, menu, "حفرة في الطريق")
    question = resident.says(pin=DOWNTOWN)
    assert "تفاصيل" in question  # the photo came first: not asked again
    summary = resident.says("0")
    assert "صورة: نعم" in summary
    assert resident.says("wakha") == ""
    (report,) = reports(wa_app)
    assert report.service_type.code == "nid-de-poule" and report.lang == "ar"
    assert len(report.photos) == 1


def test_an_english_report_switched_to_french_by_a_keyword(wa, wa_app, fake):
    resident = Resident(wa, "+212664444444")
    menu = resident.says("The street light outside my house has been out for a week")
    assert "What is it?" in menu
    question = pick_service(resident, menu, "Street light out")
    assert "send the problem's location" in question
    assert "envoyez la position du problème" in resident.says("FRANCAIS")
    resident.says(pin=DOWNTOWN)
    resident.says("0")
    assert "Récapitulatif" in resident.says("0")
    assert resident.says("1") == ""
    (report,) = reports(wa_app)
    assert report.service_type.code == "eclairage-panne" and report.lang == "fr"
    assert "est enregistré" in receipt_of(fake, "+212664444444")


def test_a_greeting_asks_for_the_problem_and_cancel_abandons(wa, wa_app, fake, media):
    resident = Resident(wa)
    assert "décrivez en quelques mots" in resident.says("Bonjour")
    resident.says("nid de poule énorme")
    resident.says(media=media.url("photo"))
    held = conversation_of(wa_app).data["photo"]["key"]
    with wa_app.app_context():
        assert storage().get(held) is not None
    assert "Signalement abandonné" in resident.says("ANNULER")
    assert conversation_of(wa_app) is None and reports(wa_app) == []
    with wa_app.app_context():
        assert storage().get(held) is None  # the photo went with it
        from models import ReporterContact

        contact = db.session.query(ReporterContact).one()
        assert contact.opted_out_at is None  # CANCEL in a report abandons; it is not STOP
    for word in ("CANCEL", "الغاء"):
        resident.says("fuite d'eau devant chez moi")
        assert resident.says(word) in (
            "Report abandoned. Write to us whenever you want to make another.",
            "تم إلغاء البلاغ. راسلنا متى شئت لبلاغ آخر.",
            "Signalement abandonné. Écrivez-nous quand vous voulez pour en faire un autre.",
        )
        assert conversation_of(wa_app) is None


def test_a_resident_who_sent_stop_gets_the_tracking_code_in_the_answer(wa, wa_app, fake):
    from tests.notifications.support import file_report

    file_report(wa, phone="0667777777")  # an earlier report, from the app
    resident = Resident(wa, "+212667777777")
    assert "START" in resident.says("STOP")
    fake.reset()
    menu = resident.says("Un nid de poule énorme devant l'école")
    pick_service(resident, menu, "Nid-de-poule")
    resident.says(pin=DOWNTOWN)
    resident.says("0")
    resident.says("0")
    answer = resident.says("1")
    report = reports(wa_app)[-1]
    assert report.channel == "whatsapp"
    assert f"Signalement {report.tracking_code} enregistré" in answer
    assert f"https://casa311.test/r/{report.tracking_code}" in answer
    assert fake.sent_to("whatsapp:+212667777777") == []  # the outbox respects the STOP
