"""The phone number escalations reach a staff member on, and their preferred channel:
set by the user for themselves (/console/contact) or by an administrator on the account's
page, which also designates the department's head. The rules are in
citizen_api.domain.staff_contacts; the number is shown in full only to its owner and to
administrators."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _

from citizen_api.console.accounts_views import _edit_page, _target, admin_only
from citizen_api.console.admin_labels import refusal
from citizen_api.console.blueprint import blp, page
from citizen_api.console.session import signed_in
from citizen_api.domain import staff_contacts as contacts
from citizen_api.domain.staff import Refused
from citizen_api.extensions import db


def _own_page(status: int = 200, problem: str | None = None, form=None):
    contact = contacts.contact_of(db.session, g.clerk)
    return page(
        "console/contact.html",
        status,
        contact=contact,
        form=form,
        problem=problem,
    )


def _form() -> dict:
    return {k: request.form.get(k, "").strip() for k in ("phone", "channel")}


@blp.route("/contact", methods=["GET", "POST"])
@signed_in
def own_contact():
    """One's own number for escalations and preferred channel."""
    if request.method == "GET":
        return _own_page()
    form = _form()
    try:
        changed = contacts.set_contact(db.session, g.clerk, g.clerk, form["phone"],
                                       form["channel"])  # fmt: skip
    except Refused as exc:
        db.session.rollback()
        return _own_page(422, refusal(exc), form)
    db.session.commit()
    flash(_("Saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("console.own_contact"))


@blp.post("/admin/users/<username>/contact")
@admin_only
def user_contact(username):
    """An administrator sets the account's number, channel and whether it heads its
    department."""
    clerk = _target(username)
    form = _form()
    try:
        changed = contacts.set_contact(db.session, g.clerk, clerk, form["phone"], form["channel"])
        if clerk.department is not None or request.form.get("head"):
            changed |= contacts.set_head(db.session, g.clerk, clerk, bool(request.form.get("head")))
    except Refused as exc:
        db.session.rollback()
        db.session.refresh(clerk)
        return _edit_page(clerk, 422, refusal(exc), contact_form=form)
    db.session.commit()
    flash(_("Saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("console.user", username=username))
