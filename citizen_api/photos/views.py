"""Photo endpoints: adding a photo to a report later, serving the files."""

from __future__ import annotations

from flask import Blueprint as FlaskBlueprint
from flask import Flask, Response, current_app, request
from flask_smorest import Blueprint
from sqlalchemy import func, select

from citizen_api.domain.moderation import photo_is_hidden
from citizen_api.extensions import db
from citizen_api.photos.album import discard, store
from citizen_api.photos.openapi import PHOTO_FORM_BODY
from citizen_api.photos.serving import send_photo
from citizen_api.photos.storage import StorageUnavailable, storage_from_config
from citizen_api.photos.upload import read_photos, storage
from citizen_api.reports.present import public_view
from citizen_api.reports.queries import REPORT_TOKEN_SECURITY, get_report
from citizen_api.reports.schemas import ServiceRequestOut
from citizen_api.web.docs import RETRY_AFTER, problem_response
from citizen_api.web.errors import Problem, handle_http_exception, validation_problem
from citizen_api.web.lang import localize, negotiate
from citizen_api.web.responses import json_response
from models import Photo

CREATE_ENDPOINT = "requests.create_request"
ADD_ENDPOINT = "photos.add_photo"
# The endpoints that take multipart/form-data (api.require_json_body lets them through).
MULTIPART_ENDPOINTS = frozenset({CREATE_ENDPOINT, ADD_ENDPOINT})

blp = Blueprint("photos", __name__, url_prefix="/api/v1/requests", description="Photos of reports")
media = FlaskBlueprint("media", __name__, url_prefix="/media")


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
@blp.doc(requestBody=PHOTO_FORM_BODY, security=REPORT_TOKEN_SECURITY)
def add_photo(code):
    """Add one photo (multipart part `photo`) to a report, with the report token
    (`Authorization: Bearer <token>`, `X-Report-Token` or a `report_token` field)."""
    if request.mimetype != "multipart/form-data":
        raise Problem(415, "Send the photo as multipart/form-data.", type="unsupported-media-type")
    report = get_report(code, check_token=True)
    unexpected = sorted(set(request.form) - {"report_token"})
    if unexpected:
        raise validation_problem(
            {
                name: ["Unexpected field; send a 'photo' part and the report token."]
                for name in unexpected
            }
        )
    limit = current_app.config["PHOTO_MAX_PER_REPORT"]
    have = db.session.scalar(select(func.count(Photo.id)).where(Photo.request_id == report.id))
    if have >= limit:
        raise Problem(
            409, f"This report already has {have} photos (at most {limit}).", type="too-many-photos"
        )
    photos = read_photos(1)
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
    the bucket has a public address (S3_PUBLIC_URL), the client is redirected there.
    A photo hidden by moderation is not found here (clerks read it through the console
    and the triage API, `send_photo(key, private=True)`)."""
    if photo_is_hidden(db.session, key):
        raise Problem(404, "No photo at this address.", type="not-found")
    return send_photo(key)


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
    """Photo storage and the photo endpoints (filing a report with photos is
    citizen_api.reports.views.create_request)."""
    app.extensions["casa311.photos"] = storage_from_config(app.config)
    app.register_error_handler(StorageUnavailable, storage_unavailable)
    api.register_blueprint(blp)
    app.register_blueprint(media)
