"""Alembic environment: the schema is models.Base.metadata; geoalchemy2's helpers keep
spatial indexes and SpatiaLite's own tables out of the comparison."""

from __future__ import annotations

from geoalchemy2 import alembic_helpers

from alembic import context
from models import Base
from models.engine import include_object

config = context.config
target_metadata = Base.metadata


def configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # handed over by `flask db upgrade` or the tests
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from citizen_api import create_app
    from citizen_api.extensions import db

    with create_app().app_context(), db.engine.connect() as connection:
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: the schema is dialect-aware")
run_migrations_online()
