"""Wiring the console into the app: Flask-Babel, CSRF, the session cookie, the blueprint
and its HTML error pages."""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from citizen_api.console.i18n import babel, register_babel
from citizen_api.web.errors import register_renderer

PREFIX = "/console"
csrf = CSRFProtect()


class ConsoleSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, marked Secure whenever the request came over HTTPS
    (behind TRUSTED_PROXIES, as X-Forwarded-Proto says), even if the config does not."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def register_console(app: Flask) -> None:
    from citizen_api.console.errors import render_error
    from citizen_api.console.views import blp

    app.config.setdefault("SESSION_COOKIE_NAME", "casa311_console")
    app.config.update(
        SESSION_COOKIE_PATH=PREFIX,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # CSRF is checked by the console's own blueprint hook, never app-wide: the JSON
        # API and Open311 authenticate with tokens and keys, not cookies.
        WTF_CSRF_CHECK_DEFAULT=False,
        # The session's own expiry rules apply (idle and absolute), not a token timer.
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.session_interface = ConsoleSessionInterface()
    register_babel(app)
    csrf.init_app(app)
    app.register_blueprint(blp)
    register_renderer(PREFIX, render_error)


__all__ = ["babel", "csrf", "register_console"]
