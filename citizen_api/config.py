"""Configuration: safe defaults, read from the environment when the app is built."""

from __future__ import annotations

import os
from pathlib import Path

from notifications.settings import NOTIFY_SETTINGS

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
    # SMS and WhatsApp (Twilio), Celery, consent and retention: see notifications/settings.py.
    **NOTIFY_SETTINGS,
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
