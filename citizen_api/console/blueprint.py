"""The console's blueprint, its CSRF check and how its pages are answered."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from citizen_api.console.i18n import LANGUAGE_NAMES, current_language, direction
from models.i18n import LANGUAGES

blp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


@blp.before_request
def check_csrf() -> None:
    """Every form post carries the session's CSRF token (400 otherwise, nothing done)."""
    from citizen_api.console.setup import csrf

    if request.method == "POST":
        csrf.protect()


def csp() -> str:
    """Only this server's scripts, styles and images (plus the tile server, if one is
    configured); forms post back here only."""
    tiles = tile_origin()
    images = "'self' data:" + (f" {tiles}" if tiles else "")
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        f"img-src {images}; connect-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )


def tile_origin() -> str:
    url = current_app.config.get("MAP_TILE_URL") or ""
    if "://" not in url:
        return ""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}"


@blp.app_context_processor
def layout_context() -> dict:
    if not request.path.startswith("/console"):
        return {}
    return {
        "lang": current_language(),
        "dir": direction(),
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "languages_by_code": LANGUAGE_NAMES,
    }


def page(template: str, status: int = 200, **context) -> Response:
    """A console page: HTML, private, never cached, under the console's CSP."""
    response = Response(render_template(template, **context), status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = csp()
    response.headers["Cache-Control"] = "private, no-store"
    # Same-origin posts must carry a Referer: over HTTPS, Flask-WTF checks it against the
    # host (WTF_CSRF_SSL_STRICT), and the app-wide policy is no-referrer.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Language"] = current_language()
    response.vary.add("Cookie")
    return response
