"""Rate limits per client (Flask-Limiter), applied by policy to every route.

| policy       | which routes                          | key                         |
|--------------|---------------------------------------|-----------------------------|
| create       | POST of a report (/api/v1, Open311)   | client address              |
| token        | POST .../auth/token                   | client address; username    |
| webhook      | anything under /webhooks              | client address              |
| read         | every other route (the default)       | client address              |

Health probes are never limited. Limits are "N/period" items joined by ";" (settings
RATE_LIMIT_*). Counters live in Redis when REDIS_URL is set (shared by every worker and
replica), in the worker's memory otherwise. If Redis goes away, requests are still served,
with per-worker counters in memory until it is back. Over a limit: 429 problem+json with
Retry-After and X-RateLimit-* headers.

One Limiter per app (it keeps the app's storage), kept in app.extensions.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, request
from flask_limiter import Limiter
from werkzeug.routing import Rule

EXEMPT_PATHS = ("/healthz", "/readyz")
REDIS_TIMEOUT_S = 0.5


def client_address() -> str:
    """The client's address (behind TRUSTED_PROXIES proxies, from X-Forwarded-For)."""
    return request.remote_addr or "unknown"


def submitted_username() -> str:
    """The username a token request is for, so one account cannot be guessed at from many
    addresses; requests without one count against their address."""
    body = request.get_json(silent=True)
    name = body.get("username") if isinstance(body, dict) else None
    if isinstance(name, str) and name.strip():
        return "user:" + name.strip().lower()[:128]
    return "addr:" + client_address()


def _is_report_creation(rule: Rule) -> bool:
    path = rule.rule.rstrip("/")
    return path == "/api/v1/requests" or (
        path.startswith("/open311/") and path.split("/")[-1].startswith("requests")
    )


# (policy, setting, matcher, methods, key functions, what the client is told)
POLICIES: list[tuple[str, str, Callable[[Rule], bool], list[str] | None, list, str]] = [
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
        "token",
        "RATE_LIMIT_TOKEN",
        lambda rule: rule.rule.rstrip("/").endswith("/auth/token"),
        ["POST"],
        [client_address],
        "Too many sign-in attempts; wait before trying again (see Retry-After).",
    ),
    (
        "token-user",
        "RATE_LIMIT_TOKEN_USER",
        lambda rule: rule.rule.rstrip("/").endswith("/auth/token"),
        ["POST"],
        [submitted_username],
        "Too many sign-in attempts for this account; wait before trying again.",
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
    limiter = Limiter(
        client_address,
        app=app,
        storage_uri=redis_url or "memory://",
        storage_options=(
            {"socket_connect_timeout": REDIS_TIMEOUT_S, "socket_timeout": REDIS_TIMEOUT_S}
            if redis_url
            else {}
        ),
        strategy="moving-window",
        default_limits=[app.config["RATE_LIMIT_READ"]],
        headers_enabled=True,
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        enabled=bool(app.config.get("RATELIMIT_ENABLED", True)),
    )
    limiter.request_filter(lambda: request.method == "OPTIONS" or request.path in EXEMPT_PATHS)
    rules = list(app.url_map.iter_rules())
    wrapped: dict[str, Callable] = {}
    for _policy, setting, matches, methods, key_funcs, message in POLICIES:
        for rule in rules:
            if not matches(rule) or rule.endpoint not in app.view_functions:
                continue
            view = wrapped.get(rule.endpoint, app.view_functions[rule.endpoint])
            for key_func in key_funcs:
                view = limiter.limit(
                    app.config[setting],
                    key_func=key_func,
                    methods=methods,
                    error_message=message,
                    scope=f"{_policy}:{rule.endpoint}",
                )(view)
            wrapped[rule.endpoint] = view
    app.view_functions.update(wrapped)
    app.extensions["casa311.limiter"] = limiter
    return limiter
