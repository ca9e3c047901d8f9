"""Reading a request's photo parts: shared by filing a report with photos
(citizen_api.reports.views) and adding one later (citizen_api.photos.views)."""

from __future__ import annotations

from flask import current_app, request

from citizen_api.photos.imaging import BadImage, CleanPhoto, clean_photo
from citizen_api.photos.openapi import PHOTOS_AT_CREATION
from citizen_api.photos.storage import PhotoStorage
from citizen_api.web.errors import Problem, validation_problem


def storage() -> PhotoStorage:
    """This app's photo store (set up by citizen_api.photos.views.register_photos)."""
    return current_app.extensions["casa311.photos"]


def allow_upload() -> None:
    """Let a multipart photo upload be as large as its photos may be (the app's default
    body limit is small)."""
    per_photo = current_app.config["PHOTO_MAX_BYTES"]
    request.max_content_length = PHOTOS_AT_CREATION * per_photo + 256 * 1024


def read_photos(limit: int) -> list[CleanPhoto]:
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
