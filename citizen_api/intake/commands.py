"""`flask --app citizen_api intake expire`: the periodic clean-up, by hand or from cron."""

from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.group("intake")
    def intake_group():
        """WhatsApp intake: reports in progress."""

    @intake_group.command("expire")
    def expire_command():
        """Drop conversations idle for 24 hours (and their photos) and old answers."""
        from citizen_api.extensions import db
        from citizen_api.intake.expiry import expire_idle
        from citizen_api.photos.upload import storage

        conversations, answers = expire_idle(db.session, storage())
        click.echo(f"{conversations} idle conversation(s) dropped, {answers} old answer(s)")
