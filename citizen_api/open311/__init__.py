"""Open311 GeoReport v2 at /open311/v2, in JSON and XML, with the spec's own errors."""

from __future__ import annotations

from flask import Flask


def register_open311(app: Flask) -> None:
    from citizen_api.open311.render import render_error
    from citizen_api.open311.views import blp
    from citizen_api.web.errors import register_renderer

    app.register_blueprint(blp)
    register_renderer("/open311", render_error)
