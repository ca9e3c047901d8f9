"""Photo endpoints: multipart report creation, adding a photo later, serving the files."""

from __future__ import annotations

import math

import orjson
from flask import Blueprint as FlaskBlueprint
from flask import Flask, Response, current_app, redirect, request, send_file
from flask_smorest import Blueprint
from marshmallow import ValidationError
from sqlalchemy import func, select

from citizen_api.domain.reporting import check_report_token
from citizen_api.extensions import db
from citizen_api.photos.album import discard, store
from citizen_api.photos.imaging import BadImage, CleanPhoto, clean_photo
from citizen_api.photos.openapi import PHOTO_FORM_BODY, PHOTOS_AT_CREATION
from citizen_api.photos.storage import (
    PhotoStorage,
    StorageUnavailable,
    StoredObject,
    storage_from_config,
)
from citizen_api.reports.feedback import REPORT_TOKEN_HEADER_SCHEME, REPORT_TOKEN_SCHEME
from citizen_api.reports.present import public_view
from citizen_api.reports.schemas import ServiceRequestIn, ServiceRequestOut
from citizen_api.reports.views import file_and_answer, find_report
from citizen_api.web.docs import RETRY_AFTER, problem_response
from citizen_api.web.edge import nul_paths
from citizen_api.web.errors import Problem, handle_http_exception, validation_problem
from citizen_api.web.idempotency import idempotent
from citizen_api.web.lang import localize, negotiate
from citizen_api.web.responses import json_response
from models import Photo

CREATE_ENDPOINT = "requests.create_request"
ADD_ENDPOINT = "photos.add_photo"
# The endpoints that take multipart/form-data (api.require_json_body lets them through).
MULTIPART_ENDPOINTS = frozenset({CREATE_ENDPOINT, ADD_ENDPOINT})

blp = Blueprint("photos", __name__, url_prefix="/api/v1/requests", description="Photos of reports")
media = FlaskBlueprint("media", __name__, url_prefix="/media")


def storage() -> PhotoStorage:
    return current_app.extensions["casa311.photos"]


def allow_upload() -> None:
    """Let a multipart photo upload be as large as its photos may be (the app's default
    body limit is small)."""
    per_photo = current_app.config["PHOTO_MAX_BYTES"]
    request.max_content_length = PHOTOS_AT_CREATION * per_photo + 256 * 1024


def _read_photos(limit: int) -> list[CleanPhoto]:
    """Decode every `photo` part; refuse the whole request if one is not acceptable."""
    unexpected = sorted(set(request.files) - {"photo"})
    if unexpected:
        raise validation_problem(
            {name: ["Unexpected file; send photos as parts named 'photo'."] for name in unexpected}
        )
    parts = request.files.getlist("photo")
    if len(parts) > limit:
        raise validation_problem({"photo": [f"At most {limit} photo(s) here; got {len(parts)}."]})
    max_bytes = current_app.config["PHOTO_MAX_BYTES"]
    photos = []
    for index, part in enumerate(parts, start=1):
        data = part.stream.read(max_bytes + 1)
        where = f"photo {index} ({part.filename or 'no name'})"
        if len(data) > max_bytes:
            raise Problem(
                413,
                f"{where} is larger than {max_bytes // (1024 * 1024)} MB.",
                type="photo-too-large",
            )
        if not data:
            raise validation_problem({"photo": [f"{where} is empty."]})
        try:
            photos.append(clean_photo(data, part.filename))
        except BadImage as exc:
            raise Problem(
                exc.status,
                f"{where}: {exc.detail}",
                type=exc.kind,
                title="Photo not accepted",
                errors={"photo": [f"{where}: {exc.detail}"]},
            ) from None
    return photos


def _form_fields() -> dict:
    """The report's fields from a form: text fields as in the JSON body; `attributes` as
    a JSON object in one field; `lat`/`long` as decimal numbers."""
    data, errors = {}, {}
    for name in request.form:
        values = request.form.getlist(name)
        if len(values) > 1:
            errors[name] = ["Send this field once."]
            continue
        value = values[0].strip()
        if value == "":
            continue  # an empty field is an absent one
        if name in ("lat", "long"):
            try:
                number = float(value)
                if not math.isfinite(number):
                    raise ValueError
                data[name] = number
            except ValueError:
                errors[name] = ["Must be a decimal number, e.g. 33.5925."]
        elif name == "attributes":
            try:
                data[name] = orjson.loads(value)
            except orjson.JSONDecodeError:
                errors[name] = ['Must be a JSON object, e.g. {"taille": "grand"}.']
        else:
            data[name] = value
    # PostgreSQL cannot store NUL in text: refused as in a JSON body (citizen_api.web.edge).
    for path in nul_paths(data, ""):
        errors[path.replace("\x00", "\\u0000")] = ["Must not contain NUL (\\u0000) characters."]
    try:
        loaded = ServiceRequestIn().load(data)
    except ValidationError as exc:
        errors = {**exc.normalized_messages(), **errors}
    if errors:
        raise validation_problem(errors)
    return loaded


def create_with_photos():
    """before_request: a multipart POST /api/v1/requests files the report with its photos.

    The JSON path (the view itself) stays untouched; both file through `file_and_answer`."""
    if request.endpoint != CREATE_ENDPOINT or request.mimetype != "multipart/form-data":
        return None
    return _file_multipart()


@idempotent("requests:create")
def _file_multipart():
    """File a multipart report; an Idempotency-Key makes its retry safe, as for JSON."""
    data = _form_fields()
    photos = _read_photos(PHOTOS_AT_CREATION)
    rows = store(storage(), photos)  # StorageUnavailable: 503, nothing filed, nothing kept

    def attach(report):
        report.photos.extend(rows)

    try:
        return file_and_answer(data, on_filed=attach)
    except BaseException:
        discard(storage(), rows)
        raise


def _token() -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("X-Report-Token") or request.form.get("report_token")


@blp.post("/<code>/photos")
@blp.response(201, ServiceRequestOut)
@problem_response(blp, 401, "No report token was sent")
@problem_response(blp, 403, "The report token is not this report's")
@problem_response(blp, 404, "No report has this tracking code")
@problem_response(blp, 409, "The report has as many photos as it may have")
@problem_response(blp, 413, "The photo is larger than 10 MB")
@problem_response(blp, 415, "The body is not multipart/form-data, or the file is not a photo")
@problem_response(blp, 422, "No photo, an unexpected field, or a damaged or oversized image")
@problem_response(blp, 503, "Photos cannot be stored right now; nothing was kept", RETRY_AFTER)
@blp.doc(
    requestBody=PHOTO_FORM_BODY,
    security=[{REPORT_TOKEN_SCHEME: []}, {REPORT_TOKEN_HEADER_SCHEME: []}],
)
def add_photo(code):
    """Add one photo (multipart part `photo`) to a report, with the report token
    (`Authorization: Bearer <token>`, `X-Report-Token` or a `report_token` field)."""
    if request.mimetype != "multipart/form-data":
        raise Problem(415, "Send the photo as multipart/form-data.", type="unsupported-media-type")
    report = find_report(code)
    unexpected = sorted(set(request.form) - {"report_token"})
    if unexpected:
        raise validation_problem(
            {
                name: ["Unexpected field; send a 'photo' part and the report token."]
                for name in unexpected
            }
        )
    token = _token()
    if not token:
        raise Problem(
            401,
            "Send the report token given when the report was filed.",
            type="report-token-required",
            headers={"WWW-Authenticate": 'Bearer realm="casa311 report"'},
        )
    if not check_report_token(report, token):
        raise Problem(403, "This token is not the report's token.", type="report-token-invalid")
    limit = current_app.config["PHOTO_MAX_PER_REPORT"]
    have = db.session.scalar(select(func.count(Photo.id)).where(Photo.request_id == report.id))
    if have >= limit:
        raise Problem(
            409, f"This report already has {have} photos (at most {limit}).", type="too-many-photos"
        )
    photos = _read_photos(1)
    if not photos:
        raise validation_problem({"photo": ["Send one photo in a part named 'photo'."]})
    rows = store(storage(), photos)
    try:
        report.photos.extend(rows)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        discard(storage(), rows)
        raise
    lang = negotiate()
    return localize(json_response(public_view(report, lang), 201), lang)


@media.get("/<key>")
def photo_file(key):
    """A stored photo or thumbnail; its URL never changes, so caches may keep it forever.

    A local file is sent as it is; an object in a bucket is streamed from it, or, when
    the bucket has a public address (S3_PUBLIC_URL), the client is redirected there."""
    store = storage()
    elsewhere = store.public_url(key)
    if elsewhere:
        response = redirect(elsewhere, 302)
        response.cache_control.public = True
        response.cache_control.max_age = 86400  # a day: S3_PUBLIC_URL may change one day
        return response
    file = store.path(key)
    if file is not None:
        response = send_file(file, mimetype="image/jpeg", max_age=365 * 86400, conditional=True)
    else:
        stored = store.open(key)
        if stored is None:
            raise Problem(404, "No photo at this address.", type="not-found")
        response = _streamed(stored)
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _streamed(stored: StoredObject) -> Response:
    """A photo read from a bucket, passed on in chunks (never held whole in memory)."""
    response = Response(stored.chunks, mimetype="image/jpeg", direct_passthrough=True)
    response.call_on_close(stored.close)
    response.content_length = stored.size
    response.cache_control.max_age = 365 * 86400
    if stored.etag:
        response.set_etag(stored.etag)
    response.last_modified = stored.last_modified
    return response.make_conditional(request)


def storage_unavailable(error: StorageUnavailable) -> Response:
    """The photo store is down or refused: 503; whatever was uploaded is not kept."""
    return handle_http_exception(
        Problem(
            503,
            "Photos cannot be stored or read right now; nothing was saved. Try again in a minute.",
            type="photo-storage-unavailable",
            headers={"Retry-After": "30"},
        )
    )


def register_photos(app: Flask, api) -> None:
    """Photo storage, the endpoints, and the multipart path of report creation."""
    app.extensions["casa311.photos"] = storage_from_config(app.config)
    app.register_error_handler(StorageUnavailable, storage_unavailable)
    api.register_blueprint(blp)
    app.register_blueprint(media)
    app.before_request(create_with_photos)
