"""Configuration: safe defaults, read from the environment when the app is built."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from notifications.scheduler import JOB_SETTINGS
from notifications.settings import NOTIFY_SETTINGS

# The placeholder documentation shows; like an empty or short key, refused in production.
EXAMPLE_SECRET_KEY = "change-me-to-a-long-random-string"
MIN_SECRET_KEY_LENGTH = 32


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
    # Photos: where they are kept ("local": the folder PHOTO_DIR, default instance/photos;
    # "s3": the bucket S3_BUCKET, below),
    # the largest photo accepted (bytes), and how many one report may have in all.
    "PHOTO_STORAGE": ("local", str),
    "PHOTO_DIR": ("", str),
    "PHOTO_MAX_BYTES": (10 * 1024 * 1024, int),
    "PHOTO_MAX_PER_REPORT": (6, int),
    # PHOTO_STORAGE=s3: an S3-compatible bucket (README, "Photos"). S3_ENDPOINT_URL for
    # MinIO, Ceph, Scaleway... (unset: AWS); credentials from the usual AWS_* variables.
    # S3_PUBLIC_URL (optional): a public/CDN base URL of the bucket; /media/<key> then
    # redirects there instead of streaming the object through the app.
    "S3_BUCKET": ("", str),
    "S3_ENDPOINT_URL": ("", str),
    "S3_REGION": ("us-east-1", str),
    "S3_PREFIX": ("", str),
    "S3_PUBLIC_URL": ("", str),
    "S3_ADDRESSING_STYLE": ("auto", str),
    # Every call to the bucket: seconds to connect, seconds to wait for an answer, and
    # attempts in all (retries of throttling, 5xx and connection errors, with backoff).
    "S3_CONNECT_TIMEOUT": (3.0, float),
    "S3_READ_TIMEOUT": (10.0, float),
    "S3_MAX_ATTEMPTS": (3, int),
    # PostgreSQL statement_timeout for the app's queries, in milliseconds.
    "STATEMENT_TIMEOUT_MS": (5000, int),
    # Lifetime of a clerk's access token, in seconds.
    "ACCESS_TOKEN_TTL": (3600, int),
    # Open311 GeoReport v2: the one jurisdiction served, and what discovery tells clients.
    "OPEN311_JURISDICTION_ID": ("casablanca.ma", str),
    "OPEN311_CONTACT": ("casa311, Commune de Casablanca: open311@casablanca.ma", str),
    "OPEN311_KEY_SERVICE": (
        "Ask the casa311 team (open311@casablanca.ma) for an API key for your app.",
        str,
    ),
    # Area alerts as CAP 1.2: the sender (an e-mail-like address) and its display name.
    "CAP_SENDER": ("casa311@casablanca.ma", str),
    "CAP_SENDER_NAME": ("Commune de Casablanca (casa311)", str),
    # SMS and WhatsApp (Twilio), Celery, consent and retention: see notifications/settings.py.
    **NOTIFY_SETTINGS,
    # WhatsApp intake (citizen_api.intake): messages one number may send per window
    # before being asked to slow down; how long a photo may take to download; and, for
    # tests, a base URL that replaces the scheme and host of Twilio's media URLs.
    "WHATSAPP_MAX_MESSAGES": (8, int),
    "WHATSAPP_WINDOW_SECONDS": (10, int),
    "WHATSAPP_MEDIA_TIMEOUT_SECONDS": (5.0, float),
    "TWILIO_MEDIA_BASE_URL": ("", str),
    # How often the worker drops conversations idle for 24 hours, in seconds.
    "WHATSAPP_EXPIRE_EVERY_SECONDS": (300, int),
    # The worker's periodic jobs (tick, intervals, heartbeat): notifications/scheduler.py.
    **JOB_SETTINGS,
    # Robustness and abuse resistance (README, "Limits"): rate limits per client, as
    # "N/period" items joined by ";". Redis holds the counters when REDIS_URL is set.
    "REDIS_URL": ("", str),
    "RATELIMIT_ENABLED": (True, flag),
    # Per client address, wide enough for a carrier-grade NAT full of residents at the
    # peak hour (README, "Limits"); per phone number, what its receipts SMS cost.
    "RATE_LIMIT_CREATE": ("30/minute;300/hour", str),
    "RATE_LIMIT_CREATE_PHONE": ("5/hour;10/day", str),
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
    # The clerks' console (/console): a session ends after this many idle minutes, and in
    # any case this many hours after sign-in.
    "CONSOLE_IDLE_MINUTES": (30, int),
    "CONSOLE_SESSION_HOURS": (10, int),
    # A map tile layer for the console's maps, e.g. https://tile.example.org/{z}/{x}/{y}.png
    # ("" = none: the maps draw only the areas and the reports, nothing loads from outside).
    "MAP_TILE_URL": ("", str),
    "MAP_TILE_ATTRIBUTION": ("", str),
}


class InsecureSecretKey(RuntimeError):
    """Production mode with no SECRET_KEY, the example one, or one too short to sign with."""


def load_config(app, overrides: dict | None = None) -> None:
    """Fill app.config from defaults, then the environment, then `overrides`."""
    for name, (default, kind) in SETTINGS.items():
        raw = os.environ.get(name)
        app.config[name] = default if raw in (None, "") else kind(raw)
    app.config.update(overrides or {})
    if not app.config["SECRET_KEY"] and "SECRET_KEY" not in (overrides or {}):
        app.config["SECRET_KEY"] = kept_secret_key(Path(app.instance_path))
    if not app.config["DATABASE_URL"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'casa311.sqlite'}"
    if not app.config["PHOTO_DIR"]:
        app.config["PHOTO_DIR"] = str(Path(app.instance_path) / "photos")
    app.config["PUBLIC_BASE_URL"] = app.config["PUBLIC_BASE_URL"].rstrip("/")
    check_secret_key(app)


def kept_secret_key(instance: Path) -> str:
    """The key `make run` keeps in instance/secret_key ("" if there is none), so the
    README's `flask --app citizen_api ...` commands work without exporting SECRET_KEY."""
    try:
        return (instance / "secret_key").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def check_secret_key(app) -> None:
    """Refuse to start in production mode without a real SECRET_KEY (it signs clerks'
    tokens). Tests and debug runs without one get a random key for this process only."""
    key = app.config.get("SECRET_KEY") or ""
    weak = key == EXAMPLE_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH
    if not weak:
        return
    if not (app.testing or app.debug):
        raise InsecureSecretKey(
            "SECRET_KEY is missing, the example value, or shorter than "
            f"{MIN_SECRET_KEY_LENGTH} characters; set it to a long random string, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'."
        )
    if key:  # an explicit weak key in a test or debug run: keep the caller's choice visible
        raise InsecureSecretKey(f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters.")
    logging.getLogger(__name__).warning("no SECRET_KEY: using a random one for this process")
    app.config["SECRET_KEY"] = secrets.token_urlsafe(48)
