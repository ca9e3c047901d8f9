"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from alembic import command
from citizen_api.cli import alembic_config, upgrade_database
from citizen_api.extensions import db
from models import Base
from models.engine import include_object
from tests.helpers import BACKENDS, make_app, report


def test_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"include_object": include_object, "compare_type": True},
        )
        assert compare_metadata(context, Base.metadata) == []


def test_point_columns_are_spatially_indexed(app):
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            indexes = {i["name"] for i in inspect(conn).get_indexes("service_requests")}
            assert "idx_service_requests_geom" in indexes
            srid = conn.execute(text("SELECT Find_SRID('public', 'service_requests', 'geom')"))
        else:
            assert (
                conn.execute(text("SELECT CheckSpatialIndex('service_requests', 'geom')")).scalar()
                == 1
            )
            srid = conn.execute(
                text("SELECT srid FROM geometry_columns WHERE f_table_name = 'service_requests'")
            )
        assert srid.scalar() == 4326


def test_request_history_cannot_be_rewritten(app, client):
    assert report(client).status_code == 201
    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text("UPDATE request_events SET note = 'rewritten'"))
        db.session.rollback()


@pytest.mark.parametrize("empty_database", BACKENDS, indirect=True)
def test_migrations_go_down_and_up_again(empty_database):
    fresh = make_app(empty_database)
    with fresh.app_context():
        upgrade_database(db.engine)
        upgrade_database(db.engine)  # a second upgrade is a no-op, not an error
        with db.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        assert "service_requests" not in inspect(db.engine).get_table_names()
        upgrade_database(db.engine)
        assert "service_requests" in inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()
