"""Who is signed in to the console, and when that ends.

A session is a signed cookie carrying the clerk's id, their `credentials_version`, when
they signed in and when they were last seen. It ends:
- after CONSOLE_IDLE_MINUTES without a request, or CONSOLE_SESSION_HOURS after sign-in;
- at once when the account is disabled or its password, role or department changes
  (the account's credentials_version moves on and no longer matches the cookie's);
- at sign-out.
An account with a temporary password (set by an administrator) may only choose a new
one, or sign out, until it has.
"""

from __future__ import annotations

import functools
import time
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _

from citizen_api.extensions import db
from models import Clerk

KEYS = ("clerk", "cv", "start", "seen")
# What an account with a temporary password may still open.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"console.own_password", "console.logout"})


def sign_in(clerk: Clerk) -> None:
    """Start a fresh session for `clerk` (anything kept before sign-in is dropped, except
    the language picked on the sign-in page)."""
    lang = session.get("lang")
    session.clear()
    now = int(time.time())
    session.update(clerk=clerk.id, cv=clerk.credentials_version, start=now, seen=now)
    if lang:
        session["lang"] = lang


def sign_out() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _expired(now: int) -> bool:
    idle = current_app.config["CONSOLE_IDLE_MINUTES"] * 60
    absolute = current_app.config["CONSOLE_SESSION_HOURS"] * 3600
    return now - int(session.get("seen", 0)) > idle or now - int(session.get("start", 0)) > absolute


def session_clerk() -> Clerk | None:
    """The signed-in clerk, or None (and the session is ended, with a message why)."""
    if "clerk" not in session:
        return None
    now = int(time.time())
    clerk = db.session.get(Clerk, session["clerk"])
    if _expired(now):
        sign_out()
        flash(_("Your session has expired; sign in again."), "info")
        return None
    if clerk is None or not clerk.active or clerk.credentials_version != session.get("cv"):
        sign_out()
        flash(_("Your account changed or was disabled; sign in again."), "info")
        return None
    session["seen"] = now
    return clerk


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a console path on this server, never elsewhere."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/console"):
            return target
    return url_for("console.queue")


def signed_in(view):
    """Run `view` for a signed-in clerk (in g.clerk); otherwise go to the sign-in page."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        clerk = session_clerk()
        if clerk is None:
            target = request.full_path if request.method == "GET" else None
            return redirect(url_for("console.login", next=target))
        g.clerk = clerk
        if clerk.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("console.own_password"))
        return view(*args, **kwargs)

    return wrapper
