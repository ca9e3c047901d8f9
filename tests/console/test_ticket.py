"""The ticket page and its actions, through the console's forms (the same workflow as
PATCH /api/v1/triage): scope, version guard, inert resident text, replies."""

from __future__ import annotations

import re

from sqlalchemy import select, text

from citizen_api.extensions import db
from models import ResponseTemplate
from tests.console.conftest import csrf_token, post
from tests.console.helpers import events, messages, status, version
from tests.triage.helpers import LIGHT, new_ticket

HOSTILE = '<script>alert("x")</script><img src=x onerror="alert(1)">'


def _page(client, code):
    response = client.get(f"/console/requests/{code}")
    return response, response.get_data(as_text=True)


def _form(client, code, action, **data):
    """Post one of the ticket page's forms with the version and token the page carries."""
    _, html = _page(client, code)
    form_version = re.search(r'name="version" value="(\d+)"', html).group(1)
    seen = re.search(r'name="seen" value="(\d+)"', html).group(1)
    token = csrf_token(client, f"/console/requests/{code}")
    fields = {"version": form_version, "seen": seen, **data}
    return post(client, f"/console/requests/{code}/{action}", token, **fields)


def test_the_ticket_page_shows_what_a_clerk_needs(console, client):
    ticket = new_ticket(client, description="Trou profond", address="Rue Tata", phone="0612345678")
    response, html = _page(console("nadia"), ticket["tracking_code"])
    assert response.status_code == 200
    for expected in ("Trou profond", "Rue Tata", "Sidi Belyout", "Historique", "nid-de-poule"):
        assert expected in html
    assert "0612345678" not in html and "612345678" not in html  # the phone is masked
    assert "+212 6•• ••• •78" in html  # country, first digit and last two only


def test_another_departments_ticket_is_404_to_read_and_to_change(app, console, client):
    code = new_ticket(client)["tracking_code"]
    light = new_ticket(client, **LIGHT)["tracking_code"]
    rachid = console("rachid")  # eclairage
    response, html = _page(rachid, code)
    assert response.status_code == 404 and "Introuvable" in html
    token = csrf_token(rachid, f"/console/requests/{light}")
    refused = post(rachid, f"/console/requests/{code}/status", token, status="acknowledged",
                   version=str(version(app, code)))  # fmt: skip
    assert refused.status_code == 404
    assert status(app, code) == "submitted"
    assert _page(console("chef"), code)[0].status_code == 200  # an admin sees every one


def hostile_ticket(app, client) -> str:
    """A ticket whose resident text is HTML. The resident API refuses HTML now, but rows
    filed before that rule, or by another way in, may hold it: the console never trusts
    stored text."""
    code = new_ticket(client)["tracking_code"]
    with app.app_context():
        db.session.execute(
            text(
                "UPDATE service_requests SET description = :d, address = :a "
                "WHERE tracking_code = :c"
            ),
            {"d": HOSTILE, "a": HOSTILE, "c": code},
        )
        db.session.commit()
    return code


def test_resident_text_is_shown_as_text_never_run(app, console, client):
    code = hostile_ticket(app, client)
    _, html = _page(console("nadia"), code)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_a_status_change_records_one_event_and_tells_the_resident(app, console, client):
    code = new_ticket(client, phone="0612345678")["tracking_code"]
    nadia = console("nadia")
    response = _form(nadia, code, "status", status="acknowledged",
                     public_note="Équipe prévenue", internal_note="Voir avec le chef")  # fmt: skip
    assert response.status_code == 302
    assert status(app, code) == "acknowledged"
    kinds = [(e.kind, e.public, e.note, e.actor) for e in events(app, code)]
    assert kinds[1:] == [
        ("status", True, "Équipe prévenue", "nadia"),
        ("internal_note", False, "Voir avec le chef", "nadia"),
    ]
    update = [m for m in messages(app, code) if m.kind == "status"]
    assert len(update) == 1 and "Équipe prévenue" in update[0].body
    page = nadia.get(response.headers["Location"]).get_data(as_text=True)
    assert "Le dossier est mis à jour." in page


def test_a_stale_form_changes_nothing_and_says_who_changed_what(app, console, client):
    code = new_ticket(client)["tracking_code"]
    nadia, mehdi = console("nadia"), console("mehdi")
    _, html = _page(nadia, code)  # nadia opens the ticket...
    old_version = re.search(r'name="version" value="(\d+)"', html).group(1)
    seen = re.search(r'name="seen" value="(\d+)"', html).group(1)
    assert _form(mehdi, code, "status", status="acknowledged", public_note="Vu").status_code == 302
    token = csrf_token(nadia, f"/console/requests/{code}")  # ...and saves after mehdi did
    stale = post(nadia, f"/console/requests/{code}/status", token, version=old_version,
                 seen=seen, status="rejected", public_note="Hors compétence")  # fmt: skip
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "Rien n'a été modifié" in page and "mehdi" in page and "Pris en compte" in page
    assert "Hors compétence" in page  # what nadia typed is kept for her to resend
    assert status(app, code) == "acknowledged"


def test_rejecting_needs_a_reason_for_the_resident(app, console, client):
    code = new_ticket(client)["tracking_code"]
    refused = _form(console("nadia"), code, "status", status="rejected")
    assert refused.status_code == 422
    assert status(app, code) == "submitted"


def test_an_illegal_transition_is_refused(app, console, client):
    code = new_ticket(client)["tracking_code"]
    refused = _form(console("nadia"), code, "status", status="closed")
    assert refused.status_code == 409
    assert "« Déposé » ne peut pas devenir « Clos »" in refused.get_data(as_text=True)
    assert status(app, code) == "submitted"


def test_marking_a_duplicate_links_both_tickets(app, console, client):
    original = new_ticket(client)["tracking_code"]
    copy = new_ticket(client)["tracking_code"]
    nadia = console("nadia")
    response = _form(nadia, copy, "status", status="duplicate", duplicate_of=original,
                     public_note="Déjà signalé")  # fmt: skip
    assert response.status_code == 302 and status(app, copy) == "duplicate"
    assert copy in _page(nadia, original)[1]


def test_assigning_and_priority(app, console, client):
    code = new_ticket(client)["tracking_code"]
    salma = console("salma")  # a supervisor assigns anyone of the department
    assert _form(salma, code, "assign", assignee="mehdi").status_code == 302
    assert _form(salma, code, "priority", priority="urgent").status_code == 302
    assert _form(salma, code, "priority", priority="whenever").status_code == 422
    kinds = [e.note for e in events(app, code)[1:]]
    assert kinds == ["assigned to mehdi", "normal -> urgent"]
    nadia = console("nadia")  # a clerk may not give it to someone else
    assert _form(nadia, code, "assign", assignee="youssef").status_code == 403


def test_a_supervisor_sends_a_ticket_to_another_department(app, console, client):
    code = new_ticket(client)["tracking_code"]
    salma = console("salma")
    response = _form(salma, code, "department", department="eclairage")
    assert response.status_code == 302 and response.headers["Location"] == "/console/"
    assert _page(salma, code)[0].status_code == 404
    assert _page(console("rachid"), code)[0].status_code == 200
    assert "department" not in _page(console("nadia"), new_ticket(client)["tracking_code"])[1]


def test_a_reply_template_is_offered_in_the_residents_language(app, console, client):
    salma = console("salma")
    token = csrf_token(salma, "/console/replies")
    saved = post(salma, "/console/replies", token, title="Équipe en route", status="in_progress",
                 service="nid-de-poule", text_fr="Une équipe arrive cette semaine.",
                 text_ar="سيصل فريق هذا الأسبوع.")  # fmt: skip
    assert saved.status_code == 302
    with app.app_context():
        reply = db.session.scalar(
            select(ResponseTemplate).where(ResponseTemplate.title == "Équipe en route")
        )
        reply_id = reply.id
    code = new_ticket(client, phone="0612345678", lang="ar")["tracking_code"]
    nadia = console("nadia")
    _form(nadia, code, "status", status="acknowledged")
    html = nadia.get(f"/console/requests/{code}?template={reply_id}").get_data(as_text=True)
    assert "سيصل فريق هذا الأسبوع." in html  # prefilled in the resident's language
    edited = "سيصل فريق هذا الأسبوع. شكرا"
    assert _form(nadia, code, "status", status="in_progress", public_note=edited).status_code == 302
    update = [m for m in messages(app, code) if m.kind == "status"][-1]
    assert "شكرا" in update.body


def test_only_supervisors_keep_reply_templates(console):
    assert console("nadia").get("/console/replies").status_code == 404
    salma = console("salma")
    token = csrf_token(salma, "/console/replies")
    refused = post(salma, "/console/replies", token, title="", status="lost", text_fr="")
    assert refused.status_code == 422
    assert "Choisissez un statut" in refused.get_data(as_text=True)
