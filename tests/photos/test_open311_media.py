"""Photos reach Open311 clients: media_url and extended_attributes.photos."""

from __future__ import annotations

import pytest

from tests.helpers import DOWNTOWN
from tests.photos import images
from tests.photos.test_photos_api import fetch, multipart


@pytest.mark.usefixtures("photo_store")
def test_a_reports_photos_are_its_open311_media(client, app):
    fields = {"service_code": "nid-de-poule", "lat": DOWNTOWN["lat"], "long": DOWNTOWN["long"]}
    photos = [("a.jpg", images.camera_jpeg((800, 600))), ("b.jpg", images.camera_jpeg((640, 480)))]
    created = client.post("/api/v1/requests", **multipart(fields, photos))
    assert created.status_code == 201, created.json
    code = created.json["tracking_code"]

    (record,) = client.get(f"/open311/v2/requests/{code}.json?extensions=true").json
    base = app.config["PUBLIC_BASE_URL"]
    assert record["media_url"].startswith(base + "/media/")
    assert record["extended_attributes"]["photos"][0] == record["media_url"]
    assert len(record["extended_attributes"]["photos"]) == 2
    assert fetch(client, record["media_url"][len(base) :])[:2] == b"\xff\xd8"  # a JPEG


def test_a_report_without_photos_has_no_media_url(client):
    code = client.post("/api/v1/requests", json={"service_code": "nid-de-poule", **DOWNTOWN})
    (record,) = client.get(f"/open311/v2/requests/{code.json['tracking_code']}.json").json
    assert record["media_url"] is None
