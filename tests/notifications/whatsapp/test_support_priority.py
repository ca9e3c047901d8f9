"""A "me too" over WhatsApp comes from the resident's own phone, so it is a verified
supporter: it raises the ticket's priority, once per phone however often it is said or
delivered (issue 14, class 4, on the WhatsApp way in)."""

from __future__ import annotations

from citizen_api.domain.accounts import create_clerk
from citizen_api.extensions import db
from citizen_api.web.auth import issue_token
from tests.notifications.whatsapp.support import Resident, reports
from tests.notifications.whatsapp.test_duplicates_at_the_door import (
    NEAR,
    SAME_WORDS,
    filed_on_the_app,
    reach_pin,
)


def _ticket(wa, wa_app, code: str) -> dict:
    with wa_app.app_context():
        clerk = create_clerk(
            db.session, "wa-prio-clerk", "wa priority password 1", "clerk", "voirie"
        )
        db.session.commit()
        token = issue_token(clerk)[0]
        db.session.remove()
    try:
        response = wa.get(
            f"/api/v1/triage/requests/{code}", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200
        return response.json
    finally:
        with wa_app.app_context():
            db.session.execute(db.text("DELETE FROM clerks WHERE username = 'wa-prio-clerk'"))
            db.session.commit()
            db.session.remove()


def test_three_whatsapp_supporters_raise_priority_two_steps_and_repeats_count_once(wa, wa_app):
    code = filed_on_the_app(wa, SAME_WORDS)
    for i in range(3):
        resident = Resident(wa, phone=f"+21261234010{i}")
        reach_pin(resident, SAME_WORDS, NEAR)
        assert f"({i + 1} personne(s))" in resident.says("1")
    again = Resident(wa, phone="+212612340100")  # the first supporter, once more
    reach_pin(again, SAME_WORDS, NEAR)
    assert "(3 personne(s))" in again.says("1")
    retried = again.params("1")  # and the same message delivered twice by Twilio
    reach_pin(again, SAME_WORDS, NEAR)
    again.post(retried)
    again.post(retried)
    (report,) = reports(wa_app)
    assert (report.supporters_count, report.verified_supporters) == (3, 3)
    ticket = _ticket(wa, wa_app, code)
    assert (ticket["priority"], ticket["effective_priority"]) == ("normal", "urgent")
