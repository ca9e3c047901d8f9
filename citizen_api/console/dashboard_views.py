"""The dashboard (/console/dashboard) for supervisors (their department) and admins (the
city): open, overdue and resolved-this-week per department and per area, time to
resolve, the share resolved within the SLA, a 12-week trend and the areas shaded by open
tickets per km². Every figure is in a plain table too; the SVG only draws them."""

from __future__ import annotations

import datetime as dt
import functools

from flask import abort, g, request
from flask_babel import format_date
from sqlalchemy import select

from citizen_api.console.blueprint import blp, page
from citizen_api.console.charts import SHADES, area_shapes, trend_bars
from citizen_api.console.dashboard_data import dashboard
from citizen_api.console.i18n import CASABLANCA, current_language, direction
from citizen_api.console.session import signed_in
from citizen_api.domain.catalogue_cache import catalogue
from citizen_api.domain.workflow import scope
from citizen_api.extensions import db
from models import ServiceRequest, utcnow

VIEWERS = ("supervisor", "admin")


@blp.app_template_filter("local_date")
def local_date(value: dt.datetime) -> str:
    """The day a moment falls on in Casablanca, in the console's language."""
    return format_date(value.astimezone(CASABLANCA).date(), "medium")


def supervisors(view):
    """Signed in as a supervisor or admin; a clerk gets the 403 page."""

    @functools.wraps(view)
    @signed_in
    def wrapper(*args, **kwargs):
        if g.clerk.role not in VIEWERS:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def chosen_department(cat) -> tuple[int | None, bool]:
    """The department an admin narrowed the dashboard to (?department=code): its id, and
    whether the code was refused (unknown). Supervisors always see their own."""
    code = (request.args.get("department") or "").strip()
    if g.clerk.role != "admin" or not code:
        return None, False
    department_id = cat.ids_by_code["department"].get(code)
    return department_id, department_id is None


def dashboard_tables(lang: str):
    """The dashboard's figures for the signed-in viewer, as named rows (also what the
    CSV exports write)."""
    now = db.session.scalar(select(utcnow()))
    cat = catalogue(db.session)
    department_id, _refused = chosen_department(cat)
    where = scope(g.clerk)
    if department_id is not None:
        where = where & (ServiceRequest.department_id == department_id)
    data = dashboard(db.session, where, now)
    departments = sorted(
        ((cat.departments[i], n) for i, n in data.departments.items()),
        key=lambda item: item[0].code,
    )
    index = cat.area_index
    km2 = {code: size / 1e6 for code, size in zip(index.codes, index.sizes, strict=True)}
    areas = []
    for area_id, area in sorted(cat.areas.items(), key=lambda item: item[1].name(lang)):
        numbers = data.areas.get(area_id)
        if numbers is None and (g.clerk.role != "admin" or department_id is not None):
            continue  # a department sees the areas it has tickets in
        open_count = numbers.open if numbers else 0
        areas.append(
            {
                "code": area.code,
                "name": area.name(lang),
                "numbers": numbers,
                "km2": km2[area.code],
                "density": open_count / km2[area.code],
            }
        )
    return data, departments, areas


@blp.get("/dashboard")
@supervisors
def dashboard_page():
    """Where the city (or the department) is falling behind, at a glance."""
    lang = current_language()
    data, departments, areas = dashboard_tables(lang)
    cat = catalogue(db.session)
    department_id, refused = chosen_department(cat)
    index = cat.area_index
    densities = {a["code"]: a["density"] for a in areas}
    shapes, viewbox = area_shapes(index.codes, index.shapes, densities)
    names = {a["code"]: a for a in areas}
    choices = sorted(((d.code, d.name(lang)) for d in cat.departments.values()),
                     key=lambda c: c[1])  # fmt: skip
    chosen = cat.departments[department_id].code if department_id is not None else ""
    scope_name = (
        cat.departments[department_id].name(lang)
        if department_id is not None
        else g.clerk.department.name(lang)
        if g.clerk.role != "admin"
        else None
    )
    return page(
        "console/dashboard.html",
        422 if refused else 200,
        refused=refused,
        department_choices=choices if g.clerk.role == "admin" else [],
        chosen=chosen,
        scope_name=scope_name,
        export_args={"department": chosen} if chosen else {},
        data=data,
        departments=departments,
        areas=areas,
        shapes=[(s, names.get(s.code)) for s in shapes],
        viewbox=viewbox,
        shades=SHADES,
        top_density=max(densities.values(), default=0),
        trend=trend_bars(data.weeks, direction() == "rtl"),
        lang=lang,
    )
