"""Configuration: safe defaults, read from the environment when the app is built."""

from __future__ import annotations

import os
from pathlib import Path


def flag(raw: str) -> bool:
    """An on/off setting: 0, false, no and off mean off."""
    return raw.strip().lower() not in ("0", "false", "no", "off")


# name -> (default, type). Every one can be set as an environment variable.
SETTINGS: dict[str, tuple[object, type]] = {
    # Unset: a SpatiaLite file under instance/. postgresql://... : PostGIS.
    "DATABASE_URL": ("", str),
    "SECRET_KEY": ("", str),
    "PUBLIC_BASE_URL": ("http://127.0.0.1:5000", str),
    "LOG_LEVEL": ("INFO", str),
    # Largest request body accepted, in bytes (413 above it).
    "MAX_CONTENT_LENGTH": (256 * 1024, int),
    # A point this close (metres) to an area but outside all of them is snapped to it;
    # 0 rejects every point outside the polygons.
    "AREA_SNAP_METERS": (300, int),
    # PostgreSQL statement_timeout for the app's queries, in milliseconds.
    "STATEMENT_TIMEOUT_MS": (5000, int),
    # Robustness and abuse resistance (README, "Limits"): rate limits per client, as
    # "N/period" items joined by ";". Redis holds the counters when REDIS_URL is set.
    "REDIS_URL": ("", str),
    "RATELIMIT_ENABLED": (True, flag),
    "RATE_LIMIT_CREATE": ("10/minute;60/hour", str),
    "RATE_LIMIT_TOKEN": ("10/minute;50/hour", str),
    "RATE_LIMIT_TOKEN_USER": ("5/minute;20/hour", str),
    "RATE_LIMIT_WEBHOOK": ("600/minute", str),
    "RATE_LIMIT_READ": ("300/minute", str),
    # How many proxies in front set X-Forwarded-For (0: use the peer's address).
    "TRUSTED_PROXIES": (0, int),
    # Idempotency-Key records are kept this long (never less than 24 hours).
    "IDEMPOTENCY_TTL_HOURS": (24, int),
    # Web origins allowed to call the API from a browser, comma-separated ("" = none).
    "CORS_ORIGINS": ("", str),
}


def load_config(app, overrides: dict | None = None) -> None:
    """Fill app.config from defaults, then the environment, then `overrides`."""
    for name, (default, kind) in SETTINGS.items():
        raw = os.environ.get(name)
        app.config[name] = default if raw in (None, "") else kind(raw)
    app.config.update(overrides or {})
    if not app.config["DATABASE_URL"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'casa311.sqlite'}"
    app.config["PUBLIC_BASE_URL"] = app.config["PUBLIC_BASE_URL"].rstrip("/")
