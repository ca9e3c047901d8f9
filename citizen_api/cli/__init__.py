"""Command-line tools: `flask --app citizen_api db upgrade|current|check`, `seed`, `apikeys`."""

from __future__ import annotations

from pathlib import Path

import click
from alembic.config import Config
from flask import Flask
from sqlalchemy import func, select

from alembic import command
from citizen_api.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(connection) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["connection"] = connection
    return config


def upgrade_database(engine, revision: str = "head") -> None:
    """Apply the migrations up to `revision` in one transaction."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def register(app: Flask) -> None:
    from citizen_api.cli.escalation import register as register_escalation
    from citizen_api.cli.suggest import register as register_suggest
    from citizen_api.cli.users import register as register_users
    from citizen_api.intake.commands import register as register_intake
    from citizen_api.open311.commands import register_apikeys

    register_apikeys(app)
    register_users(app)
    register_suggest(app)
    register_escalation(app)
    register_intake(app)

    @app.cli.group("db")
    def db_group():
        """Database schema migrations (Alembic)."""

    @db_group.command("upgrade")
    @click.argument("revision", default="head")
    def upgrade(revision):
        """Migrate the database to REVISION (default: the newest)."""
        upgrade_database(db.engine, revision)
        click.echo(f"database at {revision} ({db.engine.dialect.name})")

    @db_group.command("current")
    def current():
        """Print the database's current revision."""
        with db.engine.connect() as connection:
            command.current(alembic_config(connection))

    @app.cli.command("purge-idempotency-keys")
    def purge_idempotency_keys():
        """Delete Idempotency-Key records past their expiry (run it daily)."""
        from citizen_api.web.idempotency import purge_expired

        click.echo(f"{purge_expired(db.session)} expired idempotency keys deleted")

    @app.cli.command("seed")
    @click.option("--if-empty", is_flag=True, help="Only seed a database with no areas yet.")
    def seed_command(if_empty):
        """Load the Casablanca areas and the starting catalogue (idempotent)."""
        from citizen_api.cli.seed import seed
        from models import Area

        if if_empty and db.session.scalar(select(func.count(Area.id))):
            click.echo("database already seeded")
            return
        counts = seed(db.session)
        db.session.commit()
        click.echo(", ".join(f"{n} {table}" for table, n in counts.items()))

    @app.cli.group("stats")
    def stats_group():
        """Open statistics aggregates."""

    @stats_group.command("rebuild")
    def stats_rebuild():
        """Recompute the statistics from the reports (after a bulk import)."""
        from models.stats import rebuild_stats

        rebuild_stats(db.session)
        db.session.commit()
        click.echo("statistics rebuilt")
