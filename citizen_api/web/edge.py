"""What every response gets at the HTTP edge: security headers, CORS for the configured
web origins, and the client's real address behind trusted proxies."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from citizen_api.domain.report_fields import nul_paths
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


def refuse_nul_characters() -> None:
    """A NUL character is never meaningful in casa311's input, and PostgreSQL cannot store
    it in text: refuse it up front (422 naming the field) instead of failing later."""
    if request.routing_exception is not None:
        return
    bad = [k for k, v in request.args.items(multi=True) if "\x00" in k or "\x00" in v]
    bad += [k for k, v in (request.view_args or {}).items() if "\x00" in str(v)]
    if request.is_json and request.content_length:
        bad += list(nul_paths(request.get_json(silent=True), ""))
    if bad:
        message = ["Must not contain NUL (\\u0000) characters."]
        raise validation_problem({name.replace("\x00", "\\u0000"): message for name in bad})


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
    app.before_request(refuse_nul_characters)
    app.after_request(add_security_headers)
