"""The Flask side of messaging: one Notifier for this app's engine, and the commands
`flask --app citizen_api notify sweep|erase`."""

from __future__ import annotations

import click
from flask import Flask

from citizen_api.extensions import db
from notifications.runtime import Notifier, register
from notifications.settings import Settings


def register_notifications(app: Flask) -> None:
    settings = Settings.from_mapping(app.config)
    with app.app_context():
        notifier = register(Notifier(db.engine, settings))
    app.extensions["casa311_notifier"] = notifier

    @app.cli.group("notify")
    def notify_group():
        """SMS and WhatsApp: run the outbox sweep or the phone-number erasure by hand."""

    @notify_group.command("sweep")
    def sweep_command():
        """Send every pending message that is due (what beat does every minute)."""
        from notifications.dispatch import drain

        # Each due message is claimed once: what fails again waits for its backoff.
        results = drain(notifier, max_seconds=settings.notify_sweep_seconds)
        click.echo(", ".join(f"{n} {r}" for r, n in sorted(results.items())) or "nothing due")

    @notify_group.command("erase")
    def erase_command():
        """Erase the phone numbers of reports closed more than PHONE_RETENTION_DAYS ago."""
        from notifications.privacy import erase_expired_numbers

        erased = erase_expired_numbers(db.session, settings.phone_retention_days)
        db.session.commit()
        click.echo(f"{erased} phone number(s) erased")


def notifier_of(app: Flask) -> Notifier:
    return app.extensions["casa311_notifier"]
