"""Served photos and thumbnails carry pixels and nothing else of the upload's metadata:
no JPEG comment, no PNG text chunk (issue 14, class 3), on both ways a photo comes in."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from citizen_api.photos.imaging import clean_photo
from tests.photos import images
from tests.photos.test_photos_api import FORM, fetch, multipart

UPLOADS = [("note.jpg", images.jpeg_with_comment), ("plan.png", images.png_with_text)]


def assert_pixels_only(data: bytes) -> None:
    assert images.HIDDEN_TEXT.encode() not in data
    assert b"0661234567" not in data and b"Fatima" not in data
    # SOI is not listed; only the frame's own segments: quantisation, Huffman, frame, scan
    # (JFIF's APP0 is Pillow's own, and says nothing but the format).
    assert set(images.jpeg_segments(data)) <= {0xE0, 0xDB, 0xC4, 0xC0, 0xC2, 0xDA}
    assert Image.open(io.BytesIO(data)).info.keys() <= {
        "jfif",
        "jfif_version",
        "jfif_unit",
        "jfif_density",
        "progressive",
        "progression",
    }


@pytest.mark.parametrize(("name", "make"), UPLOADS)
def test_cleaning_keeps_no_comment_or_text_chunk(name, make):
    upload = make()
    assert images.HIDDEN_TEXT.encode() in upload or name.endswith(".png")
    cleaned = clean_photo(upload, name)
    assert_pixels_only(cleaned.data)
    assert_pixels_only(cleaned.thumbnail)


@pytest.mark.usefixtures("photo_store")
@pytest.mark.parametrize(("name", "make"), UPLOADS)
def test_served_photos_and_thumbnails_carry_pixels_only(client, name, make):
    created = client.post("/api/v1/requests", **multipart(FORM, [(name, make())]))
    assert created.status_code == 201, created.json
    code, token = created.json["tracking_code"], created.json["report_token"]
    later = client.post(
        f"/api/v1/requests/{code}/photos",
        headers={"X-Report-Token": token},
        **multipart({}, [(name, make())]),
    )
    assert later.status_code == 201, later.json
    photos = client.get(f"/api/v1/requests/{code}").json["photos"]
    assert len(photos) == 2
    for photo in photos:
        assert_pixels_only(fetch(client, photo["url"]))
        assert_pixels_only(fetch(client, photo["thumbnail_url"]))
