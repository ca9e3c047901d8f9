"""GET /api/v1/stats (JSON) and /api/v1/stats.csv: open statistics, cheap to serve."""

from __future__ import annotations

import csv
import io

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from citizen_api.domain.catalogue_cache import ids_for
from citizen_api.extensions import db
from citizen_api.stats.queries import GROUPS, statistics
from citizen_api.web.errors import validation_problem
from citizen_api.web.fields import CommaList
from citizen_api.web.lang import localize, negotiate
from citizen_api.web.responses import json_response
from models.i18n import LANGUAGES

MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="Must be a month: YYYY-MM.")
CSV_COLUMNS = (
    "month",
    "area_code",
    "area_name",
    "service_code",
    "service_name",
    "reports",
    "open",
    "resolved",
    "median_hours_to_resolve",
    "resolved_within_sla_share",
)

blp = Blueprint("stats", __name__, url_prefix="/api/v1", description="Open statistics")


class StatsArgs(Schema):
    """Which period, which places and services, grouped how."""

    from_ = fields.String(data_key="from", validate=MONTH, metadata={"example": "2026-01"})
    to = fields.String(validate=MONTH, metadata={"example": "2026-06"})
    group_by = CommaList(
        choices=GROUPS, metadata={"description": "Any of month, area, service (default: all)"}
    )
    area = CommaList()
    service_code = CommaList()
    lang = fields.String(validate=validate.OneOf(LANGUAGES))

    @validates_schema
    def _period(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError({"to": ["Must not come before `from`."]})


class StatsRow(Schema):
    month = fields.String()
    area_code = fields.String()
    area_name = fields.String()
    service_code = fields.String()
    service_name = fields.String()
    reports = fields.Integer(metadata={"description": "Filed in the month"})
    open = fields.Integer(metadata={"description": "Of those, still open"})
    resolved = fields.Integer(metadata={"description": "Of those, resolved or closed"})
    median_hours_to_resolve = fields.Float(
        allow_none=True, metadata={"description": "Whole-hour resolution"}
    )
    resolved_within_sla_share = fields.Float(
        allow_none=True, metadata={"description": "Resolved within the SLA / resolved"}
    )


class StatsOut(Schema):
    group_by = fields.List(fields.String())
    rows = fields.List(fields.Nested(StatsRow))
    total = fields.Nested(StatsRow, allow_none=True)


def _ids(codes, field):
    if codes is None:
        return None
    ids, unknown = ids_for(db.session, field, codes)
    if unknown:
        raise validation_problem({field: [f"Unknown {field}: {', '.join(unknown)}."]})
    return ids


def _compute(args):
    lang = args.get("lang") or negotiate()
    group_by = tuple(g for g in GROUPS if g in args.get("group_by", GROUPS))
    common = {
        "since": args.get("from_"),
        "until": args.get("to"),
        "area_ids": _ids(args.get("area"), "area"),
        "service_type_ids": _ids(args.get("service_code"), "service_code"),
        "lang": lang,
    }
    rows = statistics(db.session, group_by=group_by, **common)
    total = statistics(db.session, group_by=(), **common)
    return lang, group_by, rows, (total[0] if total else None)


def _cached(response):
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


def _csv(lang, rows) -> Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="casa311-stats.csv"'
    return _cached(localize(response, lang))


@blp.get("/stats")
@blp.arguments(StatsArgs, location="query", unknown=RAISE)
@blp.response(200, StatsOut)
def get_stats(args):
    """Reports, open, resolved, median time to resolve and share within SLA, per month,
    area and service type. `Accept: text/csv` (or /stats.csv) for CSV."""
    lang, group_by, rows, total = _compute(args)
    if request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv":
        return _csv(lang, rows)
    body = {"group_by": list(group_by), "rows": rows, "total": total}
    response = json_response(body)
    response.vary.add("Accept")
    return _cached(localize(response, lang))


@blp.get("/stats.csv")
@blp.arguments(StatsArgs, location="query", unknown=RAISE)
@blp.response(200, description="The same rows as CSV")
def get_stats_csv(args):
    """The statistics as CSV (one row per group, a header line first)."""
    lang, _, rows, _ = _compute(args)
    return _csv(lang, rows)


def register_stats(api) -> None:
    api.register_blueprint(blp)
