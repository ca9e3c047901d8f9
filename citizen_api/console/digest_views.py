"""Escalation on the console: the department's latest digest on the queue page (the
console's home) for its supervisors, and the form where they set the digest hour."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _

from citizen_api.console.blueprint import blp
from citizen_api.console.dashboard_views import supervisors
from citizen_api.domain.escalation import BadDigestHour, latest_digest, set_digest_hour
from citizen_api.extensions import db


@blp.app_context_processor
def digest_context() -> dict:
    """The latest digest, on the queue page, for a supervisor of a department."""
    clerk = g.get("clerk")
    if request.endpoint != "console.queue" or clerk is None or clerk.role != "supervisor":
        return {}
    return {"digest": latest_digest(db.session, clerk.department_id)}


@blp.post("/digest-hour")
@supervisors
def digest_hour():
    """Set the department's digest hour (supervisors of the department)."""
    if g.clerk.department is None:
        flash(_("Only a department's supervisors set its digest hour."), "info")
        return redirect(url_for("console.dashboard_page"))
    try:
        set_digest_hour(db.session, g.clerk.department, request.form.get("hour"))
    except BadDigestHour:
        db.session.rollback()
        flash(_("The digest hour is a whole hour from 0 to 23."), "info")
        return redirect(url_for("console.dashboard_page"))
    db.session.commit()
    flash(_("The digest will be made every day at %(h)d:00.", h=g.clerk.department.digest_hour),
          "success")  # fmt: skip
    return redirect(url_for("console.dashboard_page"))
