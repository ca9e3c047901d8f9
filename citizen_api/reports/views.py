"""/api/v1/requests: file a report, read one, list them."""

from __future__ import annotations

import datetime as dt

from flask import request, url_for
from marshmallow import RAISE
from sqlalchemy import select, tuple_

from citizen_api.domain.catalogue_cache import catalogue, catalogue_covering
from citizen_api.domain.report_fields import MAX_DESCRIPTION
from citizen_api.domain.tracking import normalize
from citizen_api.extensions import db
from citizen_api.photos.album import discard, store
from citizen_api.photos.openapi import PHOTOS_AT_CREATION, report_form_body
from citizen_api.photos.upload import read_photos, storage
from citizen_api.reports import grid, reading
from citizen_api.reports.history import public_history_rows
from citizen_api.reports.present import feature_of, public_row
from citizen_api.reports.queries import not_found, report_filters
from citizen_api.reports.schemas import (
    RequestQueryArgs,
    ServiceRequestCreatedOut,
    ServiceRequestDetailOut,
    ServiceRequestIn,
    ServiceRequestPage,
)
from citizen_api.web.cursor import decode_cursor, encode_cursor, keys_fit
from citizen_api.web.docs import RETRY_AFTER, problem_response
from citizen_api.web.filing import file_and_answer
from citizen_api.web.idempotency import idempotent
from citizen_api.web.lang import localize, negotiate
from citizen_api.web.parsing import MULTIPART, Blueprint
from citizen_api.web.responses import json_response
from models import ServiceRequest

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
    lang = data.pop("lang", None) or negotiate()
    photos = read_photos(PHOTOS_AT_CREATION) if request.mimetype == MULTIPART else []
    rows = store(storage(), photos) if photos else []  # StorageUnavailable: 503, nothing kept

    def attach(report):
        report.photos.extend(rows)

    def answer(report):
        cat = catalogue(db.session)
        body = {
            **public_row(report, lang, cat, rows),
            **public_history_rows(report.events, report.department_id, None, lang, cat),
            "report_token": report.report_token,
        }
        alert = getattr(report, "known_alert", None)
        body["alert"] = (  # a live alert explains it: say so, and until when
            {
                "id": alert.id,
                "headline": alert.headline.get(lang) or alert.headline.get("fr"),
                "expected_end": alert.ends_at,
            }
            if alert is not None
            else None
        )
        location = url_for(".get_request", code=report.tracking_code)
        headers = {"Location": location, "Cache-Control": "no-store"}
        return localize(json_response(body, 201, headers), lang)

    try:
        return file_and_answer(data, answer, on_filed=attach, lang=lang)
    except BaseException:
        discard(storage(), rows)
        raise


@blp.get("/<code>")
@blp.response(200, ServiceRequestDetailOut)
@problem_response(blp, 404, "No report has this tracking code")
def get_request(code):
    """Follow one report by its tracking code, with its public history."""
    lang = negotiate()
    canonical = normalize(code)
    row = canonical and reading.report_by_code(db.session, canonical)
    if not row:
        raise not_found(code)
    photos, events = reading.photos_and_events(db.session, row)
    departments = [e.department_id for e in events if e.department_id]
    cat = catalogue_covering(db.session, [row], departments)
    body = {
        **public_row(row, lang, cat, photos),
        **public_history_rows(events, row.department_id, row.duplicate_of, lang, cat),
    }
    return localize(json_response(body), lang)


@blp.get("")
@blp.arguments(RequestQueryArgs, location="query", unknown=RAISE)
@blp.response(200, ServiceRequestPage)
def list_requests(args):
    """Browse reports, newest first, a page at a time (keyset pagination).

    Send `Accept: application/geo+json` for a GeoJSON FeatureCollection."""
    lang = args.get("lang") or negotiate()
    limit = args["limit"]
    conditions = list(report_filters(args))
    cursor = _cursor_keys(args["cursor"]) if "cursor" in args else None
    fast = None
    if db.engine.dialect.name == "postgresql" and set(args) - GRID_IGNORED == GRID_FILTERS:
        fast = grid.page_query(args["status"], args["bbox"], cursor, limit + 1)
    if fast is not None:
        rows = db.session.execute(*fast).all()
    else:
        query = select(*reading.list_columns(db.engine.dialect.name)).order_by(
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
    photos = reading.page_photos(db.session, page)
    cat = catalogue_covering(db.session, page)
    next_cursor = encode_cursor([page[-1].requested_at, page[-1].id]) if more else None
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


def _cursor_keys(cursor: str) -> tuple:
    """(requested_at, id) of the last row of the previous page."""

    def valid(values):
        return keys_fit(values, [(dt.datetime, False), (int, False)])

    message = "Not a cursor this API issued; use next_cursor from a previous page."
    return tuple(decode_cursor(cursor, valid, message))


def _url_with(**params) -> str:
    args = request.args.to_dict()
    args.update(params)
    return url_for(".list_requests", _external=False, **args)
