"""Marking a ticket a duplicate (issue 11, item 3; single and bulk): the duplicate's
reporter becomes a supporter of the original, once, raising its priority only under
issue 14's rule (a confirmed phone), and is told, in one message, the original's code."""

from __future__ import annotations

from citizen_api.duplicates import priority_boost
from citizen_api.extensions import db
from tests.console.helpers import messages, status, version
from tests.console.test_bulk import _bulk
from tests.console.test_ticket import _form
from tests.duplicates.test_verified_support import texts_us
from tests.helpers import stored_report
from tests.triage.helpers import new_ticket


def support_of(app, code) -> tuple[int, int, int]:
    """(supporters, verified supporters, priority steps they add)."""
    with app.app_context():
        db.session.expire_all()
        found = stored_report(code)
        return found.supporters_count, found.verified_supporters, priority_boost(found)


def test_a_duplicates_reporter_supports_the_original_and_is_pointed_to_it(app, console, client):
    original = new_ticket(client)["tracking_code"]
    copy = new_ticket(client, phone="0661002001")["tracking_code"]
    nadia = console("nadia")

    response = _form(nadia, copy, "status", status="duplicate", duplicate_of=original,
                     public_note="Déjà signalé")  # fmt: skip

    assert response.status_code == 302 and status(app, copy) == "duplicate"
    # An unconfirmed phone: one more supporter in public, nothing toward priority.
    assert support_of(app, original) == (1, 0, 0)
    [update] = [m for m in messages(app, copy) if m.kind == "status"]
    assert f"doublon de {original}" in update.body and f"/r/{original}" in update.body
    assert "Déjà signalé" in update.body
    # The original's page shows the new supporter (the count is the public one).
    assert client.get(f"/api/v1/requests/{original}").json["supporters"] == 1


def test_a_confirmed_phone_raises_the_originals_priority_once(app, console, client):
    original = new_ticket(client)["tracking_code"]
    first = new_ticket(client, phone="0661002002")["tracking_code"]
    second = new_ticket(client, phone="0661002002")["tracking_code"]  # the same resident
    texts_us(app, "+212661002002")
    nadia = console("nadia")
    for copy in (first, second):
        done = _form(nadia, copy, "status", status="duplicate", duplicate_of=original)
        assert done.status_code == 302
    assert support_of(app, original) == (1, 1, 1)
    ticket = nadia.get(f"/console/requests/{original}").get_data(as_text=True)
    assert "Priorité : Haute" in ticket  # normal, raised one step


def test_bulk_duplicates_each_count_once_and_each_resident_gets_one_message(app, console, client):
    original = new_ticket(client)["tracking_code"]
    copies = [new_ticket(client, phone=f"066100300{n}")["tracking_code"] for n in range(3)]
    anonymous = new_ticket(client)["tracking_code"]  # no phone: still one more supporter
    versions = {code: version(app, code) for code in [*copies, anonymous]}
    nadia = console("nadia")

    response = _bulk(nadia, app, [*copies, anonymous], versions, action="duplicate",
                     duplicate_of=original)  # fmt: skip
    assert response.status_code == 200
    assert support_of(app, original) == (4, 0, 0)
    for code in copies:
        updates = [m for m in messages(app, code) if m.kind == "status"]
        assert len(updates) == 1 and original in updates[0].body

    # The same form sent again (a double click, a retry): every ticket is stale now.
    again = _bulk(nadia, app, [*copies, anonymous], versions, action="duplicate",
                  duplicate_of=original)  # fmt: skip
    assert "Modifiés entre-temps" in again.get_data(as_text=True)
    assert support_of(app, original) == (4, 0, 0)
    for code in copies:
        assert len([m for m in messages(app, code) if m.kind == "status"]) == 1


def test_the_originals_own_reporter_does_not_support_it(app, console, client):
    original = new_ticket(client, phone="0661004001")["tracking_code"]
    copy = new_ticket(client, phone="0661004001")["tracking_code"]
    _form(console("nadia"), copy, "status", status="duplicate", duplicate_of=original)
    assert status(app, copy) == "duplicate"
    assert support_of(app, original) == (0, 0, 0)


def test_the_duplicate_message_names_the_original_in_each_language_within_two_sms():
    from notifications.texts import segments, status_update

    url = "https://casa311.test/r/K7QM-4RZP"
    for lang, words in (("fr", "doublon de K7QM-4RZP"), ("ar", "للبلاغ K7QM-4RZP"),
                        ("en", "duplicates K7QM-4RZP")):  # fmt: skip
        text = status_update(lang, "A2B3-C4D5", "duplicate", "x" * 500, url, "K7QM-4RZP")
        assert words in text and url in text and "A2B3-C4D5" in text
        assert segments(text) <= 2  # the long note was shortened, never the codes
