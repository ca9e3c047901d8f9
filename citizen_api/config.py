"""Configuration: safe defaults, read from the environment when the app is built."""

from __future__ import annotations

import os
from pathlib import Path

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
    # Photos: where they are kept ("local": the folder PHOTO_DIR, default instance/photos),
    # the largest photo accepted (bytes), and how many one report may have in all.
    "PHOTO_STORAGE": ("local", str),
    "PHOTO_DIR": ("", str),
    "PHOTO_MAX_BYTES": (10 * 1024 * 1024, int),
    "PHOTO_MAX_PER_REPORT": (6, int),
    # PostgreSQL statement_timeout for the app's queries, in milliseconds.
    "STATEMENT_TIMEOUT_MS": (5000, int),
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
    if not app.config["PHOTO_DIR"]:
        app.config["PHOTO_DIR"] = str(Path(app.instance_path) / "photos")
    app.config["PUBLIC_BASE_URL"] = app.config["PUBLIC_BASE_URL"].rstrip("/")
