"""The console words the domain's facts in the clerk's language (history notes and the
routing reason; the API keeps the stored English), and supervisors edit reply templates
under a version, as clerks change tickets."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from citizen_api.extensions import db
from models import ResponseTemplate
from tests.console.conftest import csrf_token, post
from tests.console.test_ticket import _form
from tests.triage.helpers import new_ticket

WORDS = {
    "fr": ("attribué à mehdi", "de Normale à Urgente", "Le point est dans Sidi Belyout.",
           "La règle"),
    "ar": ("أسند إلى mehdi", "من عادية إلى عاجلة", "النقطة داخل", "القاعدة"),
    "en": ("assigned to mehdi", "from Normal to Urgent", "The point is inside Sidi Belyout.",
           "Rule"),
}  # fmt: skip


def speak(client, lang: str) -> None:
    post(client, "/console/language", csrf_token(client, "/console/"), lang=lang)


def history_and_routing(html: str) -> str:
    return html[html.find('class="routing"') : html.find('id="h-messages"')]


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_history_notes_and_routing_in_the_clerks_language(app, console, client, lang):
    code = new_ticket(client)["tracking_code"]
    salma = console("salma")
    _form(salma, code, "assign", assignee="mehdi")
    _form(salma, code, "priority", priority="urgent")
    speak(salma, lang)
    html = history_and_routing(salma.get(f"/console/requests/{code}").get_data(as_text=True))
    for words in WORDS[lang]:
        assert words in html, words
    if lang != "en":  # the stored English sentences are not shown
        for english in ("assigned to mehdi", "normal -> urgent", "point inside area"):
            assert english not in html
    # The API keeps the stored text.
    with app.app_context():
        from tests.helpers import stored_report

        stored = stored_report(code)
        assert stored.routing_reason.startswith("point inside area")
        assert [e.note for e in stored.events[1:]] == ["assigned to mehdi", "normal -> urgent"]


def test_a_sentence_of_an_unknown_shape_is_shown_as_stored(app, console, client):
    from citizen_api.console.history_words import routing_words

    with app.test_request_context():
        assert routing_words("imported from the old system", "Anfa", "Voirie") == (
            "imported from the old system"
        )


def _reply(app, title: str) -> ResponseTemplate:
    with app.app_context():
        reply = db.session.scalar(select(ResponseTemplate).where(ResponseTemplate.title == title))
        db.session.expunge(reply)
        return reply


def _edit_form(client, reply_id: int) -> tuple[str, str]:
    html = client.get(f"/console/replies/{reply_id}").get_data(as_text=True)
    return re.search(r'name="version" value="(\d+)"', html).group(1), html


def test_a_supervisor_edits_a_reply_template_under_its_version(app, console):
    salma = console("salma")
    token = csrf_token(salma, "/console/replies")
    post(salma, "/console/replies", token, title="Réparé", status="resolved",
         text_fr="C'est réparé.")  # fmt: skip
    reply = _reply(app, "Réparé")
    listing = salma.get("/console/replies").get_data(as_text=True)
    assert f'href="/console/replies/{reply.id}"' in listing
    seen, html = _edit_form(salma, reply.id)
    assert "C&#39;est réparé." in html or "C'est réparé." in html

    fields = {"title": "Réparé", "status": "resolved", "text_fr": "C'est réparé, merci.",
              "text_ar": "تم الإصلاح، شكرا.", "version": seen}  # fmt: skip
    saved = post(salma, f"/console/replies/{reply.id}", token, **fields)
    assert saved.status_code == 302
    edited = _reply(app, "Réparé")
    assert (edited.text_fr, edited.text_ar, edited.updated_by) == (
        "C'est réparé, merci.",
        "تم الإصلاح، شكرا.",
        "salma",
    )
    assert edited.version == int(seen) + 1

    # The same form again (its version is old now): nothing changes, the page says who.
    stale = post(salma, f"/console/replies/{reply.id}", token,
                 **{**fields, "text_fr": "Autre texte"})  # fmt: skip
    assert stale.status_code == 409
    assert "salma a modifié ce modèle" in stale.get_data(as_text=True)
    assert "Autre texte" in stale.get_data(as_text=True)  # the typed text is kept
    assert _reply(app, "Réparé").text_fr == "C'est réparé, merci."
    bad = post(salma, f"/console/replies/{reply.id}", token,
               **{**fields, "version": str(edited.version), "text_fr": ""})  # fmt: skip
    assert bad.status_code == 422 and _reply(app, "Réparé").text_fr == "C'est réparé, merci."


def test_clerks_and_other_departments_cannot_edit_a_template(app, console):
    salma = console("salma")
    token = csrf_token(salma, "/console/replies")
    post(salma, "/console/replies", token, title="Vu", status="acknowledged", text_fr="Vu.")
    reply = _reply(app, "Vu")
    nadia = console("nadia")
    assert nadia.get(f"/console/replies/{reply.id}").status_code == 404
    fields = {"title": "X", "status": "acknowledged", "text_fr": "X", "version": str(reply.version)}
    refused = post(nadia, f"/console/replies/{reply.id}", csrf_token(nadia, "/console/"), **fields)
    assert refused.status_code == 404
    assert _reply(app, "Vu").text_fr == "Vu."
