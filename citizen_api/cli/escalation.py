"""Escalation as a periodic job of the worker ("escalate", every ESCALATION_EVERY_SECONDS,
default 300) and as `flask --app citizen_api escalation run|digest-hour`: escalate
tickets past their SLA and make the departments' digests. Running it more often than
needed changes nothing (every step is idempotent)."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from citizen_api.domain.escalation import BadDigestHour, run, set_digest_hour
from citizen_api.extensions import db
from models import Department, utcnow


def register(app: Flask) -> None:
    from citizen_api.background import jobs_of

    def escalate_job(ctx) -> dict:
        with ctx.Session() as session:
            done = run(session, ctx.now(session))
            session.commit()
        return {
            "escalated": done.escalated,
            "raised": done.raised,
            "digests": done.digests,
            "messages": done.messages,
            "released": done.released,
        }

    jobs_of(app).add("escalate", app.config.get("ESCALATION_EVERY_SECONDS", 300), escalate_job)

    @app.cli.group("escalation")
    def escalation():
        """Tickets past their SLA: history events and supervisors' digests."""

    @escalation.command("run")
    def run_command():
        """Escalate what is past its SLA now, and make the digests that are due."""
        now = db.session.scalar(select(utcnow()))
        done = run(db.session, now)
        db.session.commit()
        click.echo(f"escalated {done.escalated}, raised to the head {done.raised}, "
                   f"digests {done.digests}")  # fmt: skip

    @escalation.command("digest-hour")
    @click.argument("department")
    @click.argument("hour")
    def digest_hour(department, hour):
        """Set the hour (0-23, Casablanca time) of DEPARTMENT's daily digest."""
        found = db.session.scalar(select(Department).where(Department.code == department))
        if found is None:
            raise click.ClickException(f"No department has the code {department!r}.")
        try:
            set_digest_hour(db.session, found, hour)
        except BadDigestHour:
            raise click.ClickException("The hour is a whole number from 0 to 23.") from None
        db.session.commit()
        click.echo(f"{found.code}: digest at {found.digest_hour}:00 (Casablanca)")
