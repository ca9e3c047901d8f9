"""CSV exports: the filtered queue (/console/export.csv, any signed-in user, their scope,
the same filters as the queue) and the dashboard's tables (/console/dashboard/<table>.csv,
supervisors and admins). Streamed: the queue is read from the database in batches
(yield_per; a server-side cursor on PostgreSQL) and written as it comes. No phone number
is ever written: reporters' contacts are not read, and numbers typed into descriptions
or addresses are masked."""

from __future__ import annotations

from flask import Response, abort, g, request, stream_with_context
from flask_babel import gettext as _
from sqlalchemy import select

from citizen_api.console.blueprint import blp
from citizen_api.console.csv_stream import csv_chunks
from citizen_api.console.dashboard_views import dashboard_tables, supervisors
from citizen_api.console.i18n import CASABLANCA, current_language
from citizen_api.console.queries import SORTS, parse_filters
from citizen_api.console.session import signed_in
from citizen_api.domain.catalogue_cache import catalogue
from citizen_api.extensions import db
from citizen_api.triage.queries import order_by, sort_keys
from citizen_api.triage.summary import overdue_condition
from models import Clerk, ServiceRequest

BATCH = 1000


def _csv_response(filename: str, chunks) -> Response:
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _local(value) -> str:
    return value.astimezone(CASABLANCA).strftime("%Y-%m-%d %H:%M") if value else ""


@blp.get("/export.csv")
@signed_in
def export_queue():
    """The queue's filtered tickets, every page of them, as CSV (refused filters: 422)."""
    filters = parse_filters(db.session, g.clerk, request.args)
    if filters.errors:
        abort(422)
    sr = ServiceRequest
    query = (
        select(
            sr.tracking_code,
            sr.status,
            sr.priority,
            sr.service_type_id,
            sr.area_id,
            sr.department_id,
            sr.requested_at,
            sr.expected_at,
            sr.resolved_at,
            overdue_condition(),
            Clerk.username,
            sr.address,
            sr.description,
        )
        .outerjoin(Clerk, Clerk.id == sr.assignee_id)
        .where(*filters.conditions)
        .order_by(*order_by(sort_keys(SORTS[filters.sort])))
        .execution_options(yield_per=BATCH)
    )
    if filters.status_condition is not None:
        query = query.where(filters.status_condition)
    lang = current_language()
    cat = catalogue(db.session)
    header = [
        _("Tracking code"), _("Status"), _("Priority"), _("Service"), _("Area"),
        _("Department"), _("Filed"), _("Due"), _("Resolved"), _("Overdue"), _("Assigned to"),
        _("Address"), _("Description"),
    ]  # fmt: skip

    def rows():
        for r in db.session.execute(query):
            yield (
                r[0], r[1], r[2], cat.services[r[3]].name(lang), cat.areas[r[4]].name(lang),
                cat.departments[r[5]].name(lang), _local(r[6]), _local(r[7]), _local(r[8]),
                bool(r[9]), r[10] or "", r[11] or "", r[12] or "",
            )  # fmt: skip

    return _csv_response("casa311-queue.csv", csv_chunks(header, rows()))


def _share(n) -> str:
    return "" if n is None or n.within_sla_share is None else f"{n.within_sla_share:.4f}"


def _hours(n) -> str:
    return (
        "" if n is None or n.median_hours_to_resolve is None else f"{n.median_hours_to_resolve:.1f}"
    )


@blp.get("/dashboard/<table>.csv")
@supervisors
def export_dashboard(table):
    """One of the dashboard's tables as CSV: departments, areas or weeks."""
    lang = current_language()
    data, departments, areas = dashboard_tables(lang)
    figures = [_("Open"), _("Overdue"), _("Resolved this week"), _("Median hours to resolve"),
               _("Share within SLA")]  # fmt: skip

    def numbers(n):
        if n is None:
            return [0, 0, 0, "", ""]
        return [n.open, n.overdue, n.resolved_this_week, _hours(n), _share(n)]

    if table == "departments":
        header = [_("Code"), _("Department"), *figures]
        rows = [[d.code, d.name(lang), *numbers(n)] for d, n in departments]
    elif table == "areas":
        header = [_("Code"), _("Area"), _("Area in km²"), _("Open per km²"), *figures]
        rows = [
            [a["code"], a["name"], f"{a['km2']:.2f}", f"{a['density']:.2f}", *numbers(a["numbers"])]
            for a in areas
        ]
    elif table == "weeks":
        header = [_("Week beginning"), _("Filed"), _("Resolved")]
        rows = [
            [w.start.astimezone(CASABLANCA).date().isoformat(), w.filed, w.resolved]
            for w in data.weeks
        ]
    else:
        abort(404)
    return _csv_response(f"casa311-dashboard-{table}.csv", csv_chunks(header, rows))
