"""/api/v1/requests: file a report, read one, list them."""

from __future__ import annotations

import base64
import datetime as dt

import orjson
from flask import current_app, request, url_for
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import select, tuple_

from citizen_api.domain.catalogue_cache import catalogue, catalogue_covering, ids_for
from citizen_api.domain.reporting import InvalidReport, submit_report
from citizen_api.domain.tracking import normalize
from citizen_api.extensions import db
from citizen_api.photos.openapi import report_form_body
from citizen_api.reports import grid, reading
from citizen_api.reports.history import public_history_rows
from citizen_api.reports.present import feature_of, public_row
from citizen_api.reports.schemas import (
    MAX_DESCRIPTION,
    RequestQueryArgs,
    ServiceRequestCreatedOut,
    ServiceRequestDetailOut,
    ServiceRequestIn,
    ServiceRequestPage,
)
from citizen_api.web.docs import RETRY_AFTER, problem_response
from citizen_api.web.errors import Problem, validation_problem
from citizen_api.web.idempotency import idempotent, save
from citizen_api.web.lang import localize, negotiate
from citizen_api.web.responses import json_response
from models import ServiceRequest
from models.spatial import in_envelope, within_radius

blp = Blueprint(
    "requests", __name__, url_prefix="/api/v1/requests", description="Residents' reports"
)
GEOJSON = "application/geo+json"
# The list's arguments that select its grid path on PostGIS (citizen_api.reports.grid).
GRID_FILTERS = {"status", "bbox"}
GRID_IGNORED = {"limit", "lang", "cursor"}
IDEMPOTENCY_KEY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": "A unique value per report (e.g. a UUID) that makes retrying safe.",
}


@blp.post("")
@blp.arguments(ServiceRequestIn)
@blp.response(201, ServiceRequestCreatedOut, headers={"Location": {"schema": {"type": "string"}}})
@problem_response(
    blp,
    422,
    "Invalid fields, an unknown service, a point outside the city, an "
    "Idempotency-Key already used for a different request, more than 3 photos, or a "
    "damaged, truncated or oversized image",
)
@problem_response(
    blp,
    415,
    "The body is neither application/json nor multipart/form-data, or a file is not "
    "a JPEG, PNG, WebP or HEIC photo",
)
@problem_response(blp, 413, "A photo is larger than 10 MB, or the body is too large")
@problem_response(blp, 503, "Photos cannot be stored right now; nothing was filed", RETRY_AFTER)
@problem_response(blp, 400, "A malformed Idempotency-Key header, or a body that is not JSON")
@problem_response(
    blp, 409, "A request with the same Idempotency-Key is still being processed", RETRY_AFTER
)
@problem_response(blp, 429, "Too many reports from this client", RETRY_AFTER)
@blp.doc(parameters=[IDEMPOTENCY_KEY_PARAMETER], requestBody=report_form_body(MAX_DESCRIPTION))
@idempotent("requests:create")
def create_request(data):
    """File a report; the answer carries its tracking code and, once, its report token.

    Send an `Idempotency-Key` (e.g. a UUID per report) to make retries safe: a retry with
    the same key and body replays the first answer (`Idempotent-Replayed: true`) and
    files nothing new.

    Also takes multipart/form-data: the same fields as form fields (`attributes` as one
    JSON object) and up to 3 `photo` parts (JPEG, PNG, WebP or HEIC, 10 MB each)."""
    return file_and_answer(data)


def file_and_answer(data: dict, on_filed=None):
    """File a validated report (every way in over HTTP) and answer 201 with it.

    `on_filed(report)` adds what belongs in the same transaction (photos). The answer is
    built inside the transaction too, so an Idempotency-Key record commits with it."""
    lang = data.pop("lang", None) or negotiate()
    answer = {}

    def before_commit(report):
        if on_filed is not None:
            on_filed(report)
        location = url_for(".get_request", code=report.tracking_code)
        cat = catalogue(db.session)
        photos = report.__dict__.get("photos", ())  # only those attached just now
        body = {
            **public_row(report, lang, cat, photos),
            **public_history_rows(report.events, report.department_id, None, lang, cat),
            "report_token": report.report_token,
        }
        headers = {"Location": location, "Cache-Control": "no-store"}
        answer["response"] = localize(json_response(body, 201, headers), lang)
        save(db.session, answer["response"])

    try:
        submit_report(
            db.session,
            lang=lang,
            snap_m=current_app.config["AREA_SNAP_METERS"],
            before_commit=before_commit,
            **data,
        )
    except InvalidReport as exc:
        raise Problem(
            422, exc.detail, type=exc.kind, title="Report not accepted", errors=exc.errors
        ) from None
    return answer["response"]


@blp.get("/<code>")
@blp.response(200, ServiceRequestDetailOut)
@problem_response(blp, 404, "No report has this tracking code")
def get_request(code):
    """Follow one report by its tracking code, with its public history."""
    lang = negotiate()
    canonical = normalize(code)
    row = canonical and reading.report_by_code(db.session, canonical)
    if not row:
        raise Problem(404, f"No report has the tracking code {code!r}.", type="not-found")
    events = reading.events_of(db.session, row.id)
    photos = reading.photos_of(db.session, [row.id])
    departments = [e.department_id for e in events if e.department_id]
    cat = catalogue_covering(db.session, [row], departments)
    body = {
        **public_row(row, lang, cat, photos[row.id]),
        **public_history_rows(events, row.department_id, row.duplicate_of, lang, cat),
    }
    return localize(json_response(body), lang)


def find_report(code: str) -> ServiceRequest:
    canonical = normalize(code)
    report = canonical and db.session.scalar(
        select(ServiceRequest).where(ServiceRequest.tracking_code == canonical)
    )
    if not report:
        raise Problem(404, f"No report has the tracking code {code!r}.", type="not-found")
    return report


@blp.get("")
@blp.arguments(RequestQueryArgs, location="query", unknown=RAISE)
@blp.response(200, ServiceRequestPage)
def list_requests(args):
    """Browse reports, newest first, a page at a time (keyset pagination).

    Send `Accept: application/geo+json` for a GeoJSON FeatureCollection."""
    lang = args.get("lang") or negotiate()
    limit = args["limit"]
    conditions = list(_filters(args))
    cursor = _decode_cursor(args["cursor"]) if "cursor" in args else None
    fast = None
    if db.engine.dialect.name == "postgresql" and set(args) - GRID_IGNORED == GRID_FILTERS:
        fast = grid.page_query(args["status"], args["bbox"], cursor, limit + 1)
    if fast is not None:
        rows = db.session.execute(*fast).all()
    else:
        query = select(*reading.PUBLIC_COLUMNS).order_by(
            ServiceRequest.requested_at.desc(), ServiceRequest.id.desc()
        )
        for condition in conditions:
            query = query.where(condition)
        if cursor:
            query = query.where(
                tuple_(ServiceRequest.requested_at, ServiceRequest.id) < tuple_(*cursor)
            )
        rows = db.session.execute(query.limit(limit + 1)).all()
    page, more = rows[:limit], len(rows) > limit
    photos = reading.photos_of(db.session, [r.id for r in page])
    cat = catalogue_covering(db.session, page)
    next_cursor = _encode_cursor(page[-1]) if more else None
    headers = {}
    if next_cursor:
        headers["Link"] = f'<{_url_with(cursor=next_cursor)}>; rel="next"'
    if request.accept_mimetypes.best_match(["application/json", GEOJSON]) == GEOJSON:
        body = {
            "type": "FeatureCollection",
            "features": [feature_of(r, public_row(r, lang, cat, photos[r.id])) for r in page],
            "next_cursor": next_cursor,
        }
        return localize(json_response(body, headers=headers, mimetype=GEOJSON), lang)
    items = [public_row(r, lang, cat, photos[r.id]) for r in page]
    body = {"items": items, "next_cursor": next_cursor}
    response = json_response(body, headers=headers)
    response.vary.add("Accept")
    return localize(response, lang)


def _ids_for(field: str, codes: list[str]) -> list[int]:
    """The ids of the catalogue entries with these codes (422 naming any unknown one)."""
    ids, unknown = ids_for(db.session, field, codes)
    if unknown:
        raise validation_problem({field: [f"Unknown {field}: {', '.join(unknown)}."]})
    return ids


def _filters(args):
    sr = ServiceRequest
    if "status" in args:
        yield sr.status.in_(args["status"])
    for field, column in (
        ("service_code", sr.service_type_id),
        ("area", sr.area_id),
        ("department", sr.department_id),
    ):
        if field in args:
            yield column.in_(_ids_for(field, args[field]))
    dialect = db.engine.dialect.name
    if "bbox" in args:
        yield in_envelope(dialect, sr.geom, sr.id, args["bbox"])
    if "radius" in args:
        lon, lat, radius = args["long"], args["lat"], args["radius"]
        yield within_radius(dialect, sr.geom, sr.id, lon, lat, radius)
    if "created_after" in args:
        yield sr.requested_at >= args["created_after"]
    if "created_before" in args:
        yield sr.requested_at < args["created_before"]
    if "updated_after" in args:
        yield sr.updated_at > args["updated_after"]


def _encode_cursor(report: ServiceRequest) -> str:
    raw = orjson.dumps([report.requested_at.isoformat(), report.id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        at, last_id = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        when = dt.datetime.fromisoformat(at)
        if when.tzinfo is None or not isinstance(last_id, int) or isinstance(last_id, bool):
            raise ValueError
        return when, last_id
    except (ValueError, TypeError, orjson.JSONDecodeError):
        raise validation_problem(
            {"cursor": ["Not a cursor this API issued; use next_cursor from a previous page."]}
        ) from None


def _url_with(**params) -> str:
    args = request.args.to_dict()
    args.update(params)
    return url_for(".list_requests", _external=False, **args)
