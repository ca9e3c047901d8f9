"""Before filing, a similar open report nearby is offered to support ("me too")."""

from __future__ import annotations

import pytest

from tests.helpers import report
from tests.notifications.whatsapp.support import (
    DOWNTOWN,
    Resident,
    conversation_of,
    pick_service,
    reports,
)

NEAR = (DOWNTOWN[0] + 0.0003, DOWNTOWN[1])  # about 33 m north
FAR = (DOWNTOWN[0] + 0.0045, DOWNTOWN[1])  # about 500 m north: beyond the 250 m radius
SAME_WORDS = "Nid de poule énorme devant l'école Al Massira"


def filed_on_the_app(client, description: str, service_code: str = "nid-de-poule") -> str:
    response = report(client, description=description, service_code=service_code)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["tracking_code"]


def reach_pin(resident: Resident, text: str, pin, service: str = "Nid-de-poule") -> str:
    menu = resident.says(text)
    pick_service(resident, menu, service)
    return resident.says(pin=pin)


def test_a_similar_report_nearby_is_supported_instead_of_filed_again(wa, wa_app):
    code = filed_on_the_app(wa, "Nid de poule énorme devant l'école Al Massira")
    resident = Resident(wa)
    offer = reach_pin(resident, "un nid de poule enorme devant l ecole al massira!!", NEAR)
    assert f"déjà ouvert à 33 m : {code}" in offer
    answer = resident.says("1")
    assert f"Votre soutien à {code} est compté (1 personne(s))" in answer
    assert f"https://casa311.test/r/{code}" in answer
    (only,) = reports(wa_app)
    assert only.tracking_code == code and only.supporters_count == 1
    assert conversation_of(wa_app) is None
    # The same resident again: counted once.
    reach_pin(resident, "un nid de poule enorme devant l ecole al massira", NEAR)
    assert "(1 personne(s))" in resident.says("1")


def test_another_problem_at_the_same_place_goes_on_to_be_filed(wa, wa_app):
    filed_on_the_app(wa, "Nid de poule énorme devant l'école Al Massira")
    resident = Resident(wa)
    reach_pin(resident, "Nid de poule énorme devant l'école Al Massira", NEAR)
    assert "Envoyez une photo" in resident.says("2")
    resident.says("0")
    resident.says("0")
    assert resident.says("1") == ""
    assert len(reports(wa_app)) == 2


@pytest.mark.parametrize(
    ("existing", "service_code", "pin"),
    [
        ("Lampadaire tordu par un camion", "nid-de-poule", NEAR),  # other words
        (SAME_WORDS, "trottoir-degrade", NEAR),  # another service
        (SAME_WORDS, "nid-de-poule", FAR),  # too far
    ],
)
def test_no_offer_without_the_same_service_nearby_and_similar_words(
    wa, wa_app, existing, service_code, pin
):
    filed_on_the_app(wa, existing, service_code)
    resident = Resident(wa)
    answer = reach_pin(resident, "Nid de poule énorme devant l'école Al Massira", pin)
    assert "déjà ouvert" not in answer and "Envoyez une photo" in answer


def test_a_report_closed_meanwhile_is_not_supported_and_the_report_goes_on(wa, wa_app):
    from sqlalchemy import text

    from citizen_api.extensions import db

    code = filed_on_the_app(wa, SAME_WORDS)
    resident = Resident(wa)
    assert code in reach_pin(resident, SAME_WORDS, NEAR)
    with wa_app.app_context():
        db.session.execute(text("UPDATE service_requests SET status = 'resolved'"))
        db.session.commit()
    assert "Envoyez une photo" in resident.says("1")
    assert reports(wa_app)[0].supporters_count == 0


def test_a_description_hidden_by_moderation_is_never_quoted_to_another_resident(wa, wa_app):
    from sqlalchemy import text

    from citizen_api.extensions import db

    code = filed_on_the_app(wa, SAME_WORDS)
    with wa_app.app_context():
        db.session.execute(
            text("UPDATE service_requests SET description_hidden = :yes WHERE tracking_code = :c"),
            {"yes": True, "c": code},
        )
        db.session.commit()
    resident = Resident(wa)
    answer = reach_pin(resident, "Nid de poule énorme devant l'école Al Massira", NEAR)
    assert code not in answer and "Al Massira" not in answer
    assert "Envoyez une photo" in answer
