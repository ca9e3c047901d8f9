"""One ticket (/console/requests/{code}) and the changes a clerk makes to it.

Each change goes through the workflow exactly as PATCH /api/v1/triage does (same events,
same messages to the resident, same permissions) and is guarded by the ticket's version,
the API's If-Match rule: a form posted for an older version changes nothing and says who
changed what since. Outside the clerk's department a ticket is a 404, as in the API.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from citizen_api.console.blueprint import blp, page
from citizen_api.console.history_words import REASON, event_words, routing_words
from citizen_api.console.i18n import current_language
from citizen_api.console.labels import (
    CHANNEL,
    EVENT,
    MESSAGE_KIND,
    MESSAGE_STATE,
    PRIORITY,
    STATUS,
    label,
)
from citizen_api.console.problems import explain
from citizen_api.console.queries import department_members, replies_for
from citizen_api.console.session import signed_in
from citizen_api.domain.moderation import REASONS, RESTORERS, moderate
from citizen_api.domain.phones import mask
from citizen_api.domain.workflow import (
    IllegalTransition,
    InvalidChange,
    NotPermitted,
    allowed_transitions,
    apply_changes,
    in_scope,
    is_overdue,
)
from citizen_api.duplicates import nearby_for_ticket
from citizen_api.extensions import db
from citizen_api.photos.album import media_path
from citizen_api.photos.serving import send_photo
from citizen_api.triage.present import effective_priority
from citizen_api.triage.queries import ticket_in_scope
from citizen_api.triage.schemas import MAX_NOTE
from models import PRIORITIES, Department, Photo, RequestEvent, ServiceRequest, utcnow
from notifications.outbox import messages_for_report


def _ticket(code: str) -> ServiceRequest:
    report = ticket_in_scope(db.session, g.clerk, code)
    if report is None:
        abort(404)
    return report


def _now():
    return db.session.scalar(select(utcnow()))


@blp.get("/requests/<code>")
@signed_in
def ticket(code):
    """Everything about one ticket, and the forms to change it."""
    report = _ticket(code)
    if report.tracking_code != code:
        return redirect(url_for("console.ticket", code=report.tracking_code))
    return _ticket_page(report)


def _ticket_page(report: ServiceRequest, status: int = 200, **extra):
    lang, now = current_language(), _now()
    replies = replies_for(db.session, report)
    chosen = request.args.get("template", type=int)
    reply = next((r for r in replies if r.id == chosen), None)
    form = extra.pop("form", None) or {}
    if reply is not None and not form:
        # The resident reads it in their own language; the clerk edits it before sending.
        form = {"status": reply.status, "public_note": reply.text(report.lang)}
    nearby = [
        (other, distance)
        for other, distance in nearby_for_ticket(db.session, report)
        if in_scope(g.clerk, other)
    ]
    events = report.events
    return page(
        "console/ticket.html",
        status,
        report=report,
        service=report.service_type.name(lang),
        area=report.area.name(lang),
        department=report.department.name(lang),
        status_label=label(STATUS, report.status),
        priority_label=label(PRIORITY, effective_priority(report)),
        overdue=is_overdue(report, now),
        routing=routing_words(
            report.routing_reason, report.area.name(lang), report.department.name(lang)
        ),
        events=[_event_item(e) for e in events],
        last_event=events[-1].id if events else 0,
        messages=[
            {
                **m,
                "state_label": label(MESSAGE_STATE, m["state"]),
                "kind_label": label(MESSAGE_KIND, m["kind"]),
                "channel_label": label(CHANNEL, m["channel"]),
            }
            for m in messages_for_report(db.session, report.id)
        ],
        phone=mask(report.contact.phone_e164) if report.contact else None,
        photos=[_photo_item(report, p) for p in report.photos],
        reasons=[(r, label(REASON, r)) for r in REASONS],
        may_restore=g.clerk.role in RESTORERS,
        nearby=nearby,
        transitions=[(s, label(STATUS, s)) for s in allowed_transitions(report, now)],
        priorities=[(p, label(PRIORITY, p)) for p in PRIORITIES],
        members=department_members(db.session, report),
        departments=(
            db.session.scalars(select(Department).order_by(Department.code)).all()
            if g.clerk.role in ("supervisor", "admin")
            else []
        ),
        replies=replies,
        reply=reply,
        form=form,
        max_note=MAX_NOTE,
        status_labels=STATUS,
        event_labels=EVENT,
        **extra,
    )


def _event_item(e: RequestEvent) -> dict:
    words, note = event_words(e)
    return {
        "event": e,
        "what": label(EVENT, e.kind),
        "to": label(STATUS, e.to_status) if e.from_status else "",
        "actor": _("resident") if e.actor == "resident" else e.actor,
        "words": words,
        "note": note,
    }


def _photo_item(report: ServiceRequest, photo: Photo) -> dict:
    """A photo on the ticket page: a hidden one's files come through the console (the
    public addresses answer 404 for it)."""
    if photo.hidden:
        full = url_for("console.ticket_photo", code=report.tracking_code, photo_id=photo.id)
        thumb = url_for(
            "console.ticket_photo", code=report.tracking_code, photo_id=photo.id, thumbnail=1
        )
    else:
        full, thumb = media_path(photo.key), media_path(photo.thumb_key)
    return {"id": photo.id, "full": full, "thumb": thumb, "hidden": photo.hidden}


def _text(name: str) -> str | None:
    value = (request.form.get(name) or "").strip()
    return value[:MAX_NOTE] or None


def _changes_since(report: ServiceRequest) -> list[RequestEvent]:
    seen = request.form.get("seen", type=int) or 0
    return [e for e in report.events if e.id > seen]


def _act(code: str, changes: dict, done: str):
    """Apply `changes` if the form was for the ticket's current version; then redirect
    (post/redirect/get), or show the page again saying what was wrong."""
    report = _ticket(code)
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    if request.form.get("version", type=int) != report.version:
        return _stale(report, form)
    try:
        apply_changes(db.session, report, g.clerk, changes, _now())
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return _stale(_ticket(code), form)
    except (IllegalTransition, InvalidChange, NotPermitted) as exc:
        db.session.rollback()
        report = _ticket(code)
        status = {IllegalTransition: 409, InvalidChange: 422, NotPermitted: 403}[type(exc)]
        return _ticket_page(report, status, form=form, problems=explain(exc))
    flash(done, "success")
    if not in_scope(g.clerk, report):  # sent to another department: out of sight now
        return redirect(url_for("console.queue"))
    return redirect(url_for("console.ticket", code=report.tracking_code))


def _stale(report: ServiceRequest, form: dict):
    return _ticket_page(report, 409, form=form, stale=_changes_since(report))


@blp.post("/requests/<code>/status")
@signed_in
def change_status(code):
    """Change the status, with a public note (sent to the resident) and/or an internal one."""
    changes = {}
    status = request.form.get("status") or None
    if status:
        changes["status"] = status
    for name in ("public_note", "internal_note", "duplicate_of"):
        if _text(name):
            changes[name] = _text(name)
    if status != "duplicate":
        changes.pop("duplicate_of", None)
    if not changes:
        return _ticket_page(
            _ticket(code), 422, problems=[_("Choose a status or write a note.")], form={}
        )
    return _act(code, changes, _("The ticket was updated."))


@blp.post("/requests/<code>/moderation")
@signed_in
def moderation(code):
    """Hide the description or one photo from the public (with a reason), or show it
    again (supervisors and admins), guarded by the ticket's version like every action."""
    report = _ticket(code)
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    if request.form.get("version", type=int) != report.version:
        return _stale(report, form)
    hide = request.form.get("hidden") == "1"
    target = request.form.get("target", "")
    photo_id = request.form.get("photo", type=int) if target == "photo" else None
    try:
        moderate(
            db.session,
            report,
            g.clerk,
            target=target,
            hide=hide,
            now=_now(),
            photo_id=photo_id,
            reason=request.form.get("reason") or None,
            note=_text("note"),
        )
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return _stale(_ticket(code), form)
    except (InvalidChange, NotPermitted) as exc:
        db.session.rollback()
        status = 403 if isinstance(exc, NotPermitted) else 422
        return _ticket_page(_ticket(code), status, problems=explain(exc))
    if hide:
        flash(_("Hidden from the public. A supervisor can show it again."), "success")
    else:
        flash(_("Shown to the public again."), "success")
    return redirect(url_for("console.ticket", code=report.tracking_code))


@blp.get("/requests/<code>/photos/<int:photo_id>")
@signed_in
def ticket_photo(code, photo_id):
    """A photo of a ticket in the clerk's scope, hidden or not (never cached)."""
    report = _ticket(code)
    photo = next((p for p in report.photos if p.id == photo_id), None)
    thumbnail = request.args.get("thumbnail", "0")
    if photo is None or thumbnail not in ("0", "1"):
        abort(404)
    return send_photo(photo.thumb_key if thumbnail == "1" else photo.key, private=True)


@blp.post("/requests/<code>/assign")
@signed_in
def assign(code):
    """Assign the ticket to a member of its department (a clerk: take it or release it)."""
    username = (request.form.get("assignee") or "").strip() or None
    return _act(code, {"assignee": username}, _("The assignment was changed."))


@blp.post("/requests/<code>/priority")
@signed_in
def set_priority(code):
    """Set the ticket's priority."""
    priority = request.form.get("priority", "")
    if priority not in PRIORITIES:
        return _ticket_page(_ticket(code), 422, problems=[_("Pick a priority from the list.")])
    return _act(code, {"priority": priority}, _("Priority set."))


@blp.post("/requests/<code>/department")
@signed_in
def reroute(code):
    """Send the ticket to another department (supervisors and admins)."""
    return _act(
        code,
        {"department": request.form.get("department", "")},
        _("The ticket was sent to another department."),
    )
