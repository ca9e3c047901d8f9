"""Signing in and out of the console, and the language switch."""

from __future__ import annotations

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _

from citizen_api.console.blueprint import blp, page
from citizen_api.console.session import safe_next, session_clerk, sign_in, sign_out
from citizen_api.domain.accounts import authenticate
from citizen_api.extensions import db
from citizen_api.web.sign_in_limit import count_sign_in
from models.i18n import LANGUAGES


@blp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; a right username and password start a session."""
    target = request.values.get("next")
    if request.method == "GET":
        if session_clerk() is not None:
            return redirect(safe_next(target))
        return page("console/login.html", next=target, username="")
    username = request.form.get("username", "")[:64]
    password = request.form.get("password", "")[:1024]
    if username:
        count_sign_in(username)  # the API's per-account budget, shared (a 429 page)
    clerk = authenticate(db.session, username, password) if username and password else None
    if clerk is None:
        error = _("The username or password is wrong, or the account is disabled.")
        return page("console/login.html", 401, next=target, username=username, error=error)
    sign_in(clerk)
    return redirect(safe_next(target))


@blp.post("/logout")
def logout():
    """End the session."""
    sign_out()
    flash(_("You are signed out."), "info")
    return redirect(url_for("console.login"))


@blp.post("/language")
def language():
    """Switch the console's language for this browser (kept in the session)."""
    lang = request.form.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")))
