"""What every response gets at the HTTP edge: security headers, CORS for the configured
web origins, and the client's real address behind trusted proxies."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from citizen_api.domain.text_safety import BODY, DEPTH_MESSAGE, pairs_problems, unusable_text
from citizen_api.web.errors import validation_problem

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The docs page runs Swagger UI from our own origin (scripts, styles, its inline setup).
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-site",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}
# What a browser client may read from a cross-origin answer, and send with its request.
EXPOSED_HEADERS = [
    "Location",
    "Link",
    "Retry-After",
    "Idempotent-Replayed",
    "Content-Language",
    "ETag",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
]
ALLOWED_HEADERS = [
    "Content-Type",
    "Accept",
    "Accept-Language",
    "Authorization",
    "Idempotency-Key",
    "If-Match",
    "If-None-Match",
]


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    docs = request.path.startswith("/api/v1/docs")
    response.headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else API_CSP)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_unusable_text() -> None:
    """The one check of every string a request carries (query, URL parts, form fields,
    JSON body, keys included) before any view parses it: a NUL, a lone surrogate or a
    body nested too deep is refused with a 422 naming the field, so nothing that would
    break a later answer (or the stack) is ever stored (citizen_api.domain.text_safety)."""
    if request.routing_exception is not None:
        return
    bad = pairs_problems(request.args.items(multi=True))
    bad.update(pairs_problems((request.view_args or {}).items()))
    if request.mimetype in FORM_TYPES:
        bad.update(pairs_problems(request.form.items(multi=True), json_values=True))
    if request.is_json and request.content_length:
        try:
            bad.update(unusable_text(request.get_json(silent=True)))
        except RecursionError:  # the JSON decoder's own stack ran out first
            bad[BODY] = DEPTH_MESSAGE
    if bad:
        raise validation_problem({name: [message] for name, message in bad.items()})


def register_edge(app: Flask) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    origins = [o.strip() for o in app.config.get("CORS_ORIGINS", "").split(",") if o.strip()]
    if origins:
        CORS(
            app,
            resources={r"/api/*": {"origins": origins}, r"/open311/*": {"origins": origins}},
            expose_headers=EXPOSED_HEADERS,
            allow_headers=ALLOWED_HEADERS,
            methods=["GET", "POST", "PATCH", "OPTIONS"],
            max_age=600,
            vary_header=True,
        )
    app.before_request(refuse_unusable_text)
    app.after_request(add_security_headers)
