"""/api/v1/requests: file a report, read one, list them."""

from __future__ import annotations

import base64
import datetime as dt

import orjson
from flask import current_app, request, url_for
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import select, tuple_

from citizen_api.docs import RETRY_AFTER, problem_response
from citizen_api.errors import Problem, validation_problem
from citizen_api.extensions import db
from citizen_api.idempotency import idempotent, save
from citizen_api.lang import localize, negotiate
from citizen_api.photos.openapi import report_form_body
from citizen_api.reporting import InvalidReport, submit_report
from citizen_api.reports.history import public_history
from citizen_api.reports.present import feature, public_view
from citizen_api.reports.schemas import (
    MAX_DESCRIPTION,
    RequestQueryArgs,
    ServiceRequestCreatedOut,
    ServiceRequestDetailOut,
    ServiceRequestIn,
    ServiceRequestPage,
)
from citizen_api.responses import json_response
from citizen_api.tracking import normalize
from models import Area, Department, ServiceRequest, ServiceType
from models.spatial import in_envelope, within_radius

blp = Blueprint(
    "requests", __name__, url_prefix="/api/v1/requests", description="Residents' reports"
)
GEOJSON = "application/geo+json"
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
        body = {
            **public_view(report, lang),
            **public_history(report, lang),
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
    report = find_report(code)
    body = {**public_view(report, lang), **public_history(report, lang)}
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
    query = select(ServiceRequest).order_by(
        ServiceRequest.requested_at.desc(), ServiceRequest.id.desc()
    )
    for condition in _filters(args):
        query = query.where(condition)
    if "cursor" in args:
        at, last_id = _decode_cursor(args["cursor"])
        query = query.where(
            tuple_(ServiceRequest.requested_at, ServiceRequest.id) < tuple_(at, last_id)
        )
    rows = db.session.scalars(query.limit(limit + 1)).all()
    page, more = rows[:limit], len(rows) > limit
    next_cursor = _encode_cursor(page[-1]) if more else None
    headers = {}
    if next_cursor:
        headers["Link"] = f'<{_url_with(cursor=next_cursor)}>; rel="next"'
    if request.accept_mimetypes.best_match(["application/json", GEOJSON]) == GEOJSON:
        body = {
            "type": "FeatureCollection",
            "features": [feature(r, lang) for r in page],
            "next_cursor": next_cursor,
        }
        return localize(json_response(body, headers=headers, mimetype=GEOJSON), lang)
    body = {"items": [public_view(r, lang) for r in page], "next_cursor": next_cursor}
    response = json_response(body, headers=headers)
    response.vary.add("Accept")
    return localize(response, lang)


def _ids_for(model, codes: list[str], field: str) -> list[int]:
    rows = db.session.execute(select(model.code, model.id).where(model.code.in_(codes))).all()
    unknown = sorted(set(codes) - {r.code for r in rows})
    if unknown:
        raise validation_problem({field: [f"Unknown {field}: {', '.join(unknown)}."]})
    return [r.id for r in rows]


def _filters(args):
    sr = ServiceRequest
    if "status" in args:
        yield sr.status.in_(args["status"])
    for field, model, column in (
        ("service_code", ServiceType, sr.service_type_id),
        ("area", Area, sr.area_id),
        ("department", Department, sr.department_id),
    ):
        if field in args:
            yield column.in_(_ids_for(model, args[field], field))
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
