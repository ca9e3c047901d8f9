"""Rate limits per client (Flask-Limiter), applied by policy to every route.

| policy       | which routes                          | key                         |
|--------------|---------------------------------------|-----------------------------|
| create       | POST of a report (/api/v1, Open311)   | client address              |
| create-phone | the same, when it gives a phone       | the phone number            |
| token        | POST .../auth/token, /console/login   | client address (one budget) |
| webhook      | anything under /webhooks              | client address              |
| read         | every other route (the default)       | client address              |

The per-username sign-in limit is counted in the database instead, so it holds across
workers without Redis (citizen_api.web.sign_in_limit). Health probes are never limited.
Limits are "N/period" items joined by ";" (settings RATE_LIMIT_*). Counters live in
Redis when REDIS_URL is set (shared by every worker and
replica), in the worker's memory otherwise. If Redis goes away, requests are still served,
with per-worker counters in memory until it is back. Over a limit: 429 problem+json with
Retry-After and X-RateLimit-* headers; no other answer gets the limiter's Retry-After.

One Limiter per app (it keeps the app's storage), kept in app.extensions.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, request
from flask_limiter import HeaderNames, Limiter
from werkzeug.routing import Rule

from citizen_api.web import limit_storage

EXEMPT_PATHS = ("/healthz", "/readyz")
REDIS_TIMEOUT_S = 0.5
# Flask-Limiter writes its Retry-After on every answer, over the app's own; it writes it
# under this name instead, and `keep_retry_after` moves it to Retry-After on a 429 only.
LIMITER_RETRY_AFTER = "X-Casa311-Limit-Retry-After"


def keep_retry_after(response: Response) -> Response:
    """Retry-After only where the status means it, with the value that status promises:
    on a 429 the limiter's wait (seconds until the window frees, at least 1); on any
    other answer whatever the app set (a 503's or a 409's own value), or none."""
    waited = response.headers.pop(LIMITER_RETRY_AFTER, None)
    if response.status_code == 429 and waited is not None:
        response.headers["Retry-After"] = str(max(1, int(waited)))
    return response


def client_address() -> str:
    """The client's address (behind TRUSTED_PROXIES proxies, from X-Forwarded-For)."""
    return request.remote_addr or "unknown"


def submitted_phone() -> str | None:
    """The number a report asks SMS updates on (its last nine digits, so 06..., +2126...
    and 002126... are one number), or None when it gives none."""
    body = request.get_json(silent=True) if request.is_json else request.form
    phone = body.get("phone") if hasattr(body, "get") else None
    digits = "".join(c for c in phone if c.isdigit()) if isinstance(phone, str) else ""
    return "phone:" + digits[-9:] if len(digits) >= 6 else None


def phone_key() -> str:
    return submitted_phone() or "phone:none"


def _is_sign_in(rule: Rule) -> bool:
    """The API's token endpoint and the console's sign-in form: one budget for both."""
    path = rule.rule.rstrip("/")
    return path.endswith("/auth/token") or path == "/console/login"


def _is_report_creation(rule: Rule) -> bool:
    path = rule.rule.rstrip("/")
    return path == "/api/v1/requests" or (
        path.startswith("/open311/") and path.split("/")[-1].startswith("requests")
    )


# (policy, setting, matcher, methods, key functions, what the client is told[, exempt when])
POLICIES: list[tuple] = [
    (
        "create",
        "RATE_LIMIT_CREATE",
        _is_report_creation,
        ["POST"],
        [client_address],
        "Too many reports from this address; wait before sending another (see Retry-After).",
    ),
    (
        # Each request sends an SMS code to a number: as scarce as filing a report.
        "subscribe",
        "RATE_LIMIT_CREATE",
        lambda rule: rule.rule.rstrip("/").startswith("/api/v1/alert-subscriptions"),
        ["POST"],
        [client_address],
        "Too many subscription requests from this address; wait (see Retry-After).",
    ),
    (
        "create-phone",
        "RATE_LIMIT_CREATE_PHONE",
        _is_report_creation,
        ["POST"],
        [phone_key],
        "Too many reports asking updates on this phone number; wait before sending another.",
        lambda: submitted_phone() is None,  # no number: nothing to count (nor to text)
    ),
    (
        "token",
        "RATE_LIMIT_TOKEN",
        _is_sign_in,
        ["POST"],
        [client_address],
        "Too many sign-in attempts; wait before trying again (see Retry-After).",
    ),
    (
        "webhook",
        "RATE_LIMIT_WEBHOOK",
        lambda rule: rule.rule.startswith("/webhooks"),
        None,
        [client_address],
        "Too many callbacks from this address; slow down (see Retry-After).",
    ),
]


def register_limits(app: Flask) -> Limiter:
    """Bind a Limiter to `app` and put every route under its policy. Call it after the
    blueprints are registered."""
    redis_url = app.config.get("REDIS_URL") or ""
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "casa311")
    app.after_request(keep_retry_after)  # before the limiter's: runs after it
    limiter = Limiter(
        client_address,
        app=app,
        storage_uri=redis_url or f"{limit_storage.SCHEME}://",
        storage_options=(
            {"socket_connect_timeout": REDIS_TIMEOUT_S, "socket_timeout": REDIS_TIMEOUT_S}
            if redis_url
            else {}
        ),
        strategy="moving-window",
        default_limits=[app.config["RATE_LIMIT_READ"]],
        headers_enabled=True,
        header_name_mapping={HeaderNames.RETRY_AFTER: LIMITER_RETRY_AFTER},
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        enabled=bool(app.config.get("RATELIMIT_ENABLED", True)),
    )
    limiter.request_filter(lambda: request.method == "OPTIONS" or request.path in EXEMPT_PATHS)
    rules = list(app.url_map.iter_rules())
    wrapped: dict[str, Callable] = {}
    for _policy, setting, matches, methods, key_funcs, message, *exempt in POLICIES:
        for rule in rules:
            if not matches(rule) or rule.endpoint not in app.view_functions:
                continue
            view = wrapped.get(rule.endpoint, app.view_functions[rule.endpoint])
            # Sign-in attempts share one budget whichever way they come in.
            shared = matches is _is_sign_in
            decorate = limiter.shared_limit if shared else limiter.limit
            for key_func in key_funcs:
                view = decorate(
                    app.config[setting],
                    key_func=key_func,
                    methods=methods,
                    error_message=message,
                    exempt_when=exempt[0] if exempt else None,
                    scope=_policy if shared else f"{_policy}:{rule.endpoint}",
                )(view)
            wrapped[rule.endpoint] = view
    app.view_functions.update(wrapped)
    app.extensions["casa311.limiter"] = limiter
    return limiter
