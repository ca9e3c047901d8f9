"""Fixtures of the robustness tests: extra apps on the session's database, disposed of
after each test so no connection is left open."""

from __future__ import annotations

import pytest

from citizen_api.extensions import db
from tests.conftest import clear_reports
from tests.helpers import make_app


@pytest.fixture
def make_variant(app):
    """Build more apps on the test database with other settings; their reports are
    cleared and their connections closed after the test."""
    made = []

    def build(builder=make_app, **config):
        variant = builder(app.config["DATABASE_URL"], **config)
        made.append(variant)
        return variant

    yield build
    for variant in made:
        with variant.app_context():
            db.session.remove()
            db.engine.dispose()
    clear_reports(app)
