"""Bulk actions on a selection of tickets from the queue (at most 200 at once).

Each ticket is changed through the workflow on its own (its own history event, its
resident exactly one message) inside its own savepoint, so one refused ticket does not
undo the others. A ticket whose version changed since the queue was shown is reported
back, not overwritten.
"""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _
from sqlalchemy import select

from citizen_api.console.blueprint import blp, page
from citizen_api.console.problems import explain
from citizen_api.console.session import signed_in
from citizen_api.domain.workflow import WorkflowError, apply_changes
from citizen_api.extensions import db
from citizen_api.triage.queries import ticket_in_scope
from citizen_api.triage.schemas import MAX_NOTE
from models import PRIORITIES, STATUSES, utcnow

MAX_SELECTION = 200


def _changes(form) -> tuple[dict | None, str | None]:
    """The change the form asks for, or (None, why it cannot be applied)."""
    action = form.get("action")
    note = (form.get("public_note") or "").strip()[:MAX_NOTE]
    extra = {"public_note": note} if note else {}
    if action == "acknowledge":
        return {"status": "acknowledged", **extra}, None
    if action == "status":
        status = form.get("status")
        if status not in STATUSES:
            return None, _("Pick a status from the list.")
        return {"status": status, **extra}, None
    if action == "assign":
        username = (form.get("assignee") or "").strip()
        return ({"assignee": username}, None) if username else (None, _("Give a username."))
    if action == "priority":
        priority = form.get("priority")
        if priority not in PRIORITIES:
            return None, _("Pick a priority from the list.")
        return {"priority": priority}, None
    if action == "duplicate":
        original = (form.get("duplicate_of") or "").strip()
        if not original:
            return None, _("Give the original ticket's code.")
        return {"status": "duplicate", "duplicate_of": original, **extra}, None
    return None, _("Pick an action from the list.")


@blp.post("/bulk")
@signed_in
def bulk():
    """Apply one action to each selected ticket; say which were done, stale or refused."""
    codes = list(dict.fromkeys(request.form.getlist("code")))
    changes, problem = _changes(request.form)
    if not codes:
        problem = _("Select at least one ticket.")
    elif len(codes) > MAX_SELECTION:
        problem = _("Select at most %(n)d tickets at once.", n=MAX_SELECTION)
    if problem:
        return page("console/bulk_result.html", 422, problem=problem, done=[], stale=[], refused=[])
    now = db.session.scalar(select(utcnow()))
    done, stale, refused = [], [], []
    for code in codes:
        report = ticket_in_scope(db.session, g.clerk, code)
        if report is None:
            refused.append((code, _("No ticket you can see has this code.")))
            continue
        if request.form.get(f"version-{code}", type=int) != report.version:
            stale.append(code)
            continue
        try:
            with db.session.begin_nested():
                apply_changes(db.session, report, g.clerk, dict(changes), now)
        except WorkflowError as exc:
            refused.append((code, " ".join(explain(exc))))
            continue
        done.append(code)
    db.session.commit()
    return page("console/bulk_result.html", done=done, stale=stale, refused=refused, problem=None)
