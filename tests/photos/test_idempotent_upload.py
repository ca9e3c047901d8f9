"""A phone retrying a timed-out report with photos files it once."""

from __future__ import annotations

from tests.helpers import count_reports
from tests.photos import images
from tests.photos.test_photos_api import FORM, multipart, stored_files


def post(client, key, photos, **fields):
    # Each call builds the body afresh, with a new multipart boundary, as a retrying
    # client that rebuilds its request does.
    body = multipart({**FORM, **fields}, photos)
    return client.post("/api/v1/requests", headers={"Idempotency-Key": key}, **body)


def test_a_retry_with_the_same_key_and_photos_replays_the_first_answer(client, app):
    photos = [("a.jpg", images.camera_jpeg((800, 600)))]
    first = post(client, "upload-retry-1", photos)
    assert first.status_code == 201, first.json
    files = stored_files(app)
    again = post(client, "upload-retry-1", photos)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["tracking_code"] == first.json["tracking_code"]
    assert count_reports(app) == 1
    assert stored_files(app) == files  # the retry's photos were not kept


def test_the_same_key_with_another_photo_is_refused(client, app):
    first = post(client, "upload-retry-2", [("a.jpg", images.camera_jpeg((800, 600)))])
    assert first.status_code == 201
    other = post(client, "upload-retry-2", [("a.jpg", images.camera_jpeg((640, 480)))])
    assert other.status_code == 422
    assert other.json["type"].endswith("idempotency-key-reused")
    assert count_reports(app) == 1
