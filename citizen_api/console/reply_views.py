"""Response templates (/console/replies): the canned public replies supervisors keep for
their department, per status and optionally per service type, in fr/ar/en."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from citizen_api.console.blueprint import blp, page
from citizen_api.console.i18n import current_language
from citizen_api.console.labels import STATUS, label
from citizen_api.console.session import signed_in
from citizen_api.extensions import db
from citizen_api.triage.schemas import MAX_NOTE
from models import STATUSES, Department, ResponseTemplate, ServiceType

EDITORS = ("supervisor", "admin")


def _editor() -> None:
    if g.clerk.role not in EDITORS:
        abort(404)


def _visible():
    rt = ResponseTemplate
    query = select(rt).order_by(rt.department_id, rt.status, rt.title)
    if g.clerk.role != "admin":
        query = query.where(rt.department_id == g.clerk.department_id)
    return query


def _page(status: int = 200, problems=(), form=None):
    return page(
        "console/replies.html",
        status,
        replies=db.session.scalars(_visible()).all(),
        status_labels=STATUS,
        problems=list(problems),
        form=form or {},
        **_choices(),
    )


def _choices() -> dict:
    """What a template's form offers: services, statuses, departments (admins)."""
    lang = current_language()
    services = db.session.scalars(select(ServiceType).order_by(ServiceType.code)).all()
    return {
        "services": [(s.code, s.name(lang)) for s in services],
        "statuses": [(s, label(STATUS, s)) for s in STATUSES],
        "departments": (
            db.session.scalars(select(Department).order_by(Department.code)).all()
            if g.clerk.role == "admin"
            else []
        ),
        "lang": lang,
        "max_note": MAX_NOTE,
    }


@blp.get("/replies")
@signed_in
def replies():
    """The department's reply templates, and the form to add one."""
    _editor()
    return _page()


def _checked(form: dict) -> tuple[list[str], ServiceType | None, int | None]:
    """The form's problems, its service type (None: every type) and its department."""
    problems = []
    if form.get("status") not in STATUSES:
        problems.append(_("Pick a status from the list."))
    if not form.get("title") or len(form["title"]) > 80:
        problems.append(_("Give a short title (at most 80 characters)."))
    if not form.get("text_fr"):
        problems.append(_("The French text is required."))
    if any(len(form.get(f"text_{lang}", "")) > MAX_NOTE for lang in ("fr", "ar", "en")):
        problems.append(_("At most %(n)d characters.", n=MAX_NOTE))
    service = None
    if form.get("service"):
        service = db.session.scalar(select(ServiceType).where(ServiceType.code == form["service"]))
        if service is None:
            problems.append(_("Unknown service; pick one from the list."))
    department_id = g.clerk.department_id
    if g.clerk.role == "admin":
        department_id = db.session.scalar(
            select(Department.id).where(Department.code == form.get("department", ""))
        )
        if department_id is None:
            problems.append(_("Pick a department from the list."))
    return problems, service, department_id


def _form() -> dict:
    return {k: (v or "").strip() for k, v in request.form.items() if k != "csrf_token"}


def _fill(reply: ResponseTemplate, form: dict, service, department_id: int) -> None:
    reply.department_id = department_id
    reply.service_type_id = service.id if service else None
    reply.status = form["status"]
    reply.title = form["title"]
    reply.text_fr = form["text_fr"]
    reply.text_ar = form.get("text_ar") or None
    reply.text_en = form.get("text_en") or None


@blp.post("/replies")
@signed_in
def add_reply():
    """Add a reply template."""
    _editor()
    form = _form()
    problems, service, department_id = _checked(form)
    if problems:
        return _page(422, problems, form)
    reply = ResponseTemplate(created_by=g.clerk.username)
    _fill(reply, form, service, department_id)
    db.session.add(reply)
    db.session.commit()
    flash(_("The reply template was saved."), "success")
    return redirect(url_for("console.replies"))


def _reply(reply_id: int) -> ResponseTemplate:
    reply = db.session.scalar(_visible().where(ResponseTemplate.id == reply_id))
    if reply is None:
        abort(404)
    return reply


def _values(reply: ResponseTemplate) -> dict:
    return {
        "title": reply.title,
        "status": reply.status,
        "service": reply.service_type.code if reply.service_type else "",
        "department": reply.department.code,
        "text_fr": reply.text_fr,
        "text_ar": reply.text_ar or "",
        "text_en": reply.text_en or "",
    }


def _edit_page(reply: ResponseTemplate, status: int = 200, problems=(), form=None, stale=False):
    return page(
        "console/reply_edit.html",
        status,
        reply=reply,
        problems=list(problems),
        form=form or _values(reply),
        current=_values(reply),
        stale=stale,
        **_choices(),
    )


@blp.get("/replies/<int:reply_id>")
@signed_in
def edit_reply_form(reply_id):
    """The form to edit one reply template."""
    _editor()
    return _edit_page(_reply(reply_id))


@blp.post("/replies/<int:reply_id>")
@signed_in
def edit_reply(reply_id):
    """Save an edited reply template, if nobody changed it since the form was shown
    (else nothing is changed, and the page says who changed it)."""
    _editor()
    reply = _reply(reply_id)
    form = _form()
    if request.form.get("version", type=int) != reply.version:
        return _edit_page(reply, 409, form=form, stale=True)
    problems, service, department_id = _checked(form)
    if problems:
        return _edit_page(reply, 422, problems, form)
    _fill(reply, form, service, department_id)
    reply.updated_by = g.clerk.username
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return _edit_page(_reply(reply_id), 409, form=form, stale=True)
    flash(_("The reply template was saved."), "success")
    return redirect(url_for("console.replies"))


@blp.post("/replies/<int:reply_id>/delete")
@signed_in
def delete_reply(reply_id):
    """Delete a reply template of the department."""
    _editor()
    reply = _reply(reply_id)
    db.session.delete(reply)
    db.session.commit()
    flash(_("The reply template was deleted."), "success")
    return redirect(url_for("console.replies"))
