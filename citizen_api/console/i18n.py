"""The console's languages (Flask-Babel): fr by default, ar (right to left) and en.

The language is the one picked with the switch (kept in the session), else the
browser's Accept-Language, else French. Dates show in Africa/Casablanca time.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask, request, session
from flask_babel import Babel, format_datetime, get_locale

from models.i18n import DEFAULT_LANGUAGE, LANGUAGES

TIMEZONE = "Africa/Casablanca"
CASABLANCA = ZoneInfo(TIMEZONE)
RTL = frozenset({"ar"})
LANGUAGE_NAMES = {"fr": "Français", "ar": "العربية", "en": "English"}
babel = Babel()


def select_language() -> str:
    chosen = session.get("lang") if request else None
    if chosen in LANGUAGES:
        return chosen
    if request:
        return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)
    return DEFAULT_LANGUAGE


def current_language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


def direction() -> str:
    return "rtl" if current_language() in RTL else "ltr"


def local_datetime(value: dt.datetime | None, form: str = "short") -> str:
    """A moment as a clerk in Casablanca reads it, in the console's language. Converted
    with zoneinfo (the tzdata package), not Flask-Babel's pytz, whose Casablanca rules
    are wrong for recent years (UTC+0 instead of UTC+1 outside Ramadan)."""
    if value is None:
        return ""
    return format_datetime(value.astimezone(CASABLANCA), form, rebase=False)


def register_babel(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", TIMEZONE)
    babel.init_app(app, locale_selector=select_language)
    app.jinja_env.filters["local_datetime"] = local_datetime
