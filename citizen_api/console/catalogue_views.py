"""Editing the catalogue from the console (/console/catalogue, supervisors and admins):
a service's names, descriptions and SLA, and its routing rules with a preview of the
areas that change hands. The rules are in citizen_api.domain.catalogue_edits."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from citizen_api.console.admin_labels import refusal
from citizen_api.console.blueprint import blp, page
from citizen_api.console.dashboard_views import supervisors
from citizen_api.console.errors import OTHER_DEPARTMENT
from citizen_api.console.i18n import current_language
from citizen_api.domain import catalogue_edits as edits
from citizen_api.domain.staff import Refused
from citizen_api.extensions import db
from models import Area, Department, RoutingRule, ServiceType


@blp.get("/catalogue")
@supervisors
def catalogue_list():
    """Every service with its SLA."""
    services = edits.services_for(db.session, g.clerk)
    return page("console/catalogue.html", services=services, lang=current_language())


def _service(code: str) -> ServiceType:
    service = db.session.scalar(select(ServiceType).where(ServiceType.code == code))
    if service is None:
        abort(404)
    if not edits.may_open(db.session, g.clerk, service):
        abort(403, OTHER_DEPARTMENT)  # nothing shown, nothing changed
    return service


def _names(lang):
    areas = db.session.scalars(select(Area).order_by(Area.code)).all()
    departments = db.session.scalars(select(Department).order_by(Department.code)).all()
    return (
        {a.code: a.name(lang) for a in areas},
        {d.code: d.name(lang) for d in departments},
        sorted({(a.prefecture_code, a.prefecture_name) for a in areas if a.prefecture_code}),
    )


def _service_page(service, status=200, problem=None, changes=None, proposal=None):
    lang = current_language()
    area_names, department_names, prefectures = _names(lang)
    rules = db.session.scalars(
        select(RoutingRule).where(RoutingRule.service_type_id == service.id)
        .order_by(RoutingRule.scope, RoutingRule.scope_code)
    ).all()  # fmt: skip
    handled = edits.handlers(
        {(r.scope, r.scope_code): r.department.code for r in rules},
        [(a, p) for a, p in db.session.execute(select(Area.code, Area.prefecture_code))],
    )
    return page(
        "console/service.html",
        status,
        service=service,
        rules=rules,
        handled=sorted(handled.items(), key=lambda i: area_names[i[0]]),
        area_names=area_names,
        department_names=department_names,
        prefectures=prefectures,
        problem=problem,
        changes=changes,
        proposal=proposal or {},
        texts_editable=edits.may_edit_texts(db.session, g.clerk, service),
        limits=(edits.SLA_MIN, edits.SLA_MAX),
        lang=lang,
    )


def _refused(service, exc: Refused, proposal=None):
    db.session.rollback()
    if isinstance(exc, edits.NotYours):
        abort(403, OTHER_DEPARTMENT)
    if isinstance(exc, edits.Unhandled):
        area_names, _d, _p = _names(current_language())
        message = _("Refused: nobody would handle this service in %(areas)s.",
                    areas=", ".join(area_names.get(a, a) for a in exc.areas))  # fmt: skip
    else:
        message = refusal(exc)
    return _service_page(service, 422, problem=message, proposal=proposal)


@blp.get("/catalogue/<code>")
@supervisors
def service_edit(code):
    """One service: its texts and SLA, who handles it in each area, its rules."""
    return _service_page(_service(code))


@blp.post("/catalogue/<code>")
@supervisors
def service_save(code):
    """Save the names, descriptions and SLA."""
    service = _service(code)
    try:
        changed = edits.update_service(db.session, g.clerk, service, request.form)
    except Refused as exc:
        return _refused(service, exc)
    db.session.commit()
    flash(_("Saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("console.service_edit", code=code))


@blp.post("/catalogue/<code>/rules")
@supervisors
def rule_save(code):
    """Preview (action=preview) or save a routing rule change; department empty removes
    the rule."""
    service = _service(code)
    form = {k: request.form.get(k, "").strip() for k in ("scope", "scope_code", "department")}
    scope = form["scope"] if form["scope"] in ("area", "prefecture", "city") else "area"
    department = form["department"] or None
    try:
        if request.form.get("action") == "save":
            changes = edits.save_rule(db.session, g.clerk, service, scope, form["scope_code"],
                                      department)  # fmt: skip
        else:
            changes = edits.preview(db.session, service, scope, form["scope_code"], department,
                                    g.clerk)  # fmt: skip
            db.session.rollback()
            return _service_page(service, changes=changes, proposal=form)
    except Refused as exc:
        return _refused(service, exc, form)
    db.session.commit()
    flash(_("Routing saved; reports already filed keep their department."), "success")
    return redirect(url_for("console.service_edit", code=code))
