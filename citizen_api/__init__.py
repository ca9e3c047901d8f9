"""casa311: the Flask application. create_app() reads as the table of contents."""

from __future__ import annotations

from flask import Flask

from citizen_api.config import load_config


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, then each part registered in turn."""
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config)
    register_logging(app)
    register_extensions(app)
    register_notifications(app)
    register_background(app)
    register_blueprints(app)
    register_edge(app)
    register_limits(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    from citizen_api.web.logs import configure_logging

    configure_logging(app.config["LOG_LEVEL"])


def register_extensions(app: Flask) -> None:
    """The database, and the session listeners that keep the statistics and the
    catalogue copy current (attached here, never at import; idempotent)."""
    from citizen_api.domain import catalogue_cache
    from citizen_api.extensions import db
    from citizen_api.web.read_only import register_read_only
    from models import stats
    from models.engine import engine_options, install_listeners, normalize_url

    url = app.config["DATABASE_URL"]
    app.config["SQLALCHEMY_DATABASE_URI"] = normalize_url(url)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        url, app.config["STATEMENT_TIMEOUT_MS"]
    )
    db.init_app(app)
    with app.app_context():
        install_listeners(db.engine)
    stats.install_listeners()
    catalogue_cache.install_listeners()
    register_read_only(app, db)


def register_notifications(app: Flask) -> None:
    from citizen_api.notify import register_notifications as register

    register(app)


def register_background(app: Flask) -> None:
    from citizen_api.background import register_background as register

    register(app)


def register_blueprints(app: Flask) -> None:
    from citizen_api.api import register_api
    from citizen_api.cap.views import blp as cap
    from citizen_api.console import register_console
    from citizen_api.open311 import register_open311
    from citizen_api.page.views import register_page
    from citizen_api.web.health import blp as health
    from citizen_api.web.resources import register_ids
    from citizen_api.webhooks import blp as webhooks

    register_ids(app)
    app.register_blueprint(health)
    app.register_blueprint(webhooks)
    app.register_blueprint(cap)
    register_api(app)
    register_open311(app)
    register_page(app)
    register_console(app)


def register_edge(app: Flask) -> None:
    from citizen_api.web.edge import register_edge as register

    register(app)


def register_limits(app: Flask) -> None:
    from citizen_api.web.limits import register_limits as register

    register(app)


def register_error_handlers(app: Flask) -> None:
    from citizen_api.web.errors import register_error_handlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from citizen_api.cli import register

    register(app)
