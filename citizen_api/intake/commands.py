"""The intake's periodic job (expire-conversations, run by the worker beside gunicorn)
and `flask --app citizen_api intake expire`, the same by hand."""

from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    """Add the expiry job to the app's periodic jobs and the `intake` commands. Called
    after the blueprints, so the photo store is set up."""
    from citizen_api.background import jobs_of
    from citizen_api.intake.expiry import expiry_job

    photos = app.extensions["casa311.photos"]
    jobs_of(app).add(
        "expire-conversations", app.config["WHATSAPP_EXPIRE_EVERY_SECONDS"], expiry_job(photos)
    )

    @app.cli.group("intake")
    def intake_group():
        """WhatsApp intake: reports in progress."""

    @intake_group.command("expire")
    def expire_command():
        """Drop conversations idle for 24 hours (and their photos) and old answers."""
        from citizen_api.extensions import db
        from citizen_api.intake.expiry import expire_idle

        conversations, answers = expire_idle(db.session, photos)
        click.echo(f"{conversations} idle conversation(s) dropped, {answers} old answer(s)")
