"""Photos: filed with a report or added later, cleaned (EXIF and GPS gone, orientation
applied, resized), served at stable URLs; anything else refused with nothing stored."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from citizen_api.photos import photo_urls
from tests.helpers import DOWNTOWN, count_reports, report, stored_report
from tests.photos import images

FORM = {"service_code": "nid-de-poule", "lat": str(DOWNTOWN["lat"]), "long": str(DOWNTOWN["long"])}


def multipart(fields: dict, photos=()) -> dict:
    """client.post() arguments for a multipart body built in memory (the test client
    would spool a large body to a temporary file it never closes)."""
    values = MultiDict(fields)
    for name, content in photos:
        values.add("photo", FileStorage(io.BytesIO(content), filename=name))
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def file_with_photos(client, *photos, **fields):
    return client.post("/api/v1/requests", **multipart({**FORM, **fields}, photos))


def stored_files(app) -> int:
    return sum(1 for p in Path(app.config["PHOTO_DIR"]).rglob("*") if p.is_file())


def fetch(client, url: str) -> bytes:
    with client.get(url.removeprefix("http://127.0.0.1:5000")) as response:
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        return response.data


@pytest.mark.usefixtures("photo_store")
def test_a_camera_photo_reaches_the_report_without_its_gps(client):
    original = images.camera_jpeg()
    assert images.exif_of(original)["gps"], "the test photo must carry GPS to begin with"

    response = file_with_photos(client, ("IMG_0042.JPG", original), description="Grand trou")

    assert response.status_code == 201, response.json
    [photo] = response.json["photos"]
    assert photo["url"].startswith("http://127.0.0.1:5000/media/")
    served = fetch(client, photo["url"])
    assert images.exif_of(served) == {"base": {}, "gps": {}}
    assert images.CAMERA_MARK.encode() not in served
    image = Image.open(io.BytesIO(served))
    assert image.size == (2048, 1536) == (photo["width"], photo["height"])


def test_the_camera_orientation_is_applied(client):
    # Orientation 6: the camera held upright; the stored pixels must be turned to match.
    response = file_with_photos(client, ("portrait.jpg", images.camera_jpeg((1600, 1200), 6)))
    assert response.status_code == 201, response.json
    image = Image.open(io.BytesIO(fetch(client, response.json["photos"][0]["url"])))
    assert image.size == (1200, 1600)
    red, blue = image.getpixel((600, 200)), image.getpixel((600, 1400))
    assert red[0] > 150 > red[2] and blue[2] > 150 > blue[0]  # red on top, blue below


@pytest.mark.usefixtures("photo_store")
def test_a_thumbnail_is_served_beside_each_photo(client):
    response = file_with_photos(client, ("a.jpg", images.camera_jpeg((1000, 500))))
    thumb = Image.open(io.BytesIO(fetch(client, response.json["photos"][0]["thumbnail_url"])))
    assert max(thumb.size) == 320


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("plan.png", lambda: images.png(alpha=True)),
        ("photo.webp", images.webp),
        ("IMG_1001.HEIC", images.heic),
    ],
)
def test_png_webp_and_heic_are_accepted_and_cleaned(client, name, make):
    response = file_with_photos(client, (name, make()))
    assert response.status_code == 201, response.json
    served = fetch(client, response.json["photos"][0]["url"])
    assert images.exif_of(served) == {"base": {}, "gps": {}}


@pytest.mark.usefixtures("photo_store")
def test_up_to_three_photos_come_with_a_report_and_stay_in_order(client):
    sizes = [(900, 600), (600, 900), (700, 700)]
    response = file_with_photos(
        client, *((f"{i}.jpg", images.camera_jpeg(s)) for i, s in enumerate(sizes))
    )
    assert response.status_code == 201
    assert [(p["width"], p["height"]) for p in response.json["photos"]] == sizes
    again = client.get(f"/api/v1/requests/{response.json['tracking_code']}")
    assert again.json["photos"] == response.json["photos"]


def test_open311_gets_the_photo_urls(app, client):
    response = file_with_photos(client, ("a.jpg", images.camera_jpeg((800, 600))))
    with app.app_context():
        urls = photo_urls(stored_report(response.json["tracking_code"]), "https://casa311.ma")
    assert urls == [
        p["url"].replace("http://127.0.0.1:5000", "https://casa311.ma")
        for p in response.json["photos"]
    ]


@pytest.mark.parametrize(
    ("name", "make", "status", "kind"),
    [
        ("cut.jpg", images.truncated_jpeg, 422, "photo-damaged"),
        ("bomb.png", images.png_bomb, 422, "photo-too-many-pixels"),
        ("notes.jpg", lambda: b"Rue Tata, pres du marche\n" * 50, 415, "unsupported-photo-type"),
        (
            "scan.pdf",
            lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\n",
            415,
            "unsupported-photo-type",
        ),
        ("photo.jpg", images.png, 422, "photo-extension-mismatch"),
    ],
)
def test_a_bad_photo_is_refused_and_nothing_is_stored(
    app, client, photo_store, name, make, status, kind
):
    files_before = photo_store.count()
    good = ("good.jpg", images.camera_jpeg((600, 400)))
    response = file_with_photos(client, good, (name, make()))

    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["type"] == f"urn:casa311:problem:{kind}"
    assert name in response.json["detail"]
    assert count_reports(app) == 0
    assert photo_store.count() == files_before


def test_a_photo_over_10_mb_is_refused(app, client):
    files_before = stored_files(app)
    big = images.camera_jpeg((600, 400)) + b"\0" * (10 * 1024 * 1024)
    response = file_with_photos(client, ("huge.jpg", big))
    assert response.status_code == 413
    assert response.json["type"] == "urn:casa311:problem:photo-too-large"
    assert count_reports(app) == 0 and stored_files(app) == files_before


def test_four_photos_are_one_too_many(app, client):
    photo = images.camera_jpeg((300, 200))
    response = file_with_photos(client, *((f"{i}.jpg", photo) for i in range(4)))
    assert response.status_code == 422
    assert "photo" in response.json["errors"]
    assert count_reports(app) == 0


def test_form_fields_are_validated_like_json(app, client):
    response = file_with_photos(
        client, ("a.jpg", images.camera_jpeg((300, 200))), lat="north", status="resolved"
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"lat", "status"}
    assert count_reports(app) == 0


def test_a_report_outside_the_city_stores_no_photo(client, photo_store):
    files_before = photo_store.count()
    response = file_with_photos(client, ("a.jpg", images.camera_jpeg((300, 200))), lat="34.02")
    assert response.status_code == 422
    assert response.json["type"] == "urn:casa311:problem:outside-city"
    assert photo_store.count() == files_before


def test_a_multipart_report_without_photos_is_filed(client):
    response = client.post("/api/v1/requests", data=FORM, content_type="multipart/form-data")
    assert response.status_code == 201
    assert response.json["photos"] == []


def test_other_multipart_writes_are_still_refused(client):
    response = client.post(
        "/api/v1/requests/ABCD-EFGH/supporters",
        data={"device_id": "x" * 20},
        content_type="multipart/form-data",
    )
    assert response.status_code == 415


@pytest.fixture
def filed(app, client):
    """A report filed by JSON and the report token its reporter got back."""
    created = report(client).json
    return created["tracking_code"], created["report_token"]


def add_photo(client, code, token=None, name="later.jpg", content=None):
    headers = {"X-Report-Token": token} if token else {}
    content = content or images.camera_jpeg((1200, 800))
    return client.post(
        f"/api/v1/requests/{code}/photos", headers=headers, **multipart({}, [(name, content)])
    )


@pytest.mark.usefixtures("photo_store")
def test_the_reporter_adds_a_photo_later_with_the_report_token(client, filed):
    code, token = filed
    response = add_photo(client, code, token)
    assert response.status_code == 201, response.json
    [photo] = client.get(f"/api/v1/requests/{code}").json["photos"]
    assert images.exif_of(fetch(client, photo["url"]))["gps"] == {}


def test_the_token_may_come_as_a_bearer_token(client, filed):
    code, token = filed
    response = client.post(
        f"/api/v1/requests/{code}/photos",
        headers={"Authorization": f"Bearer {token}"},
        **multipart({}, [("a.webp", images.webp())]),
    )
    assert response.status_code == 201


def test_without_the_right_token_no_photo_is_added(client, filed, photo_store):
    code, token = filed
    files_before = photo_store.count()
    missing = add_photo(client, code)
    assert missing.status_code == 401 and "Bearer" in missing.headers["WWW-Authenticate"]
    assert add_photo(client, code, token + "x").status_code == 403
    assert client.get(f"/api/v1/requests/{code}").json["photos"] == []
    assert photo_store.count() == files_before


def test_a_report_holds_at_most_six_photos(client, filed):
    code, token = filed
    small = images.camera_jpeg((200, 100))
    for _ in range(6):
        assert add_photo(client, code, token, content=small).status_code == 201
    response = add_photo(client, code, token, content=small)
    assert response.status_code == 409
    assert len(client.get(f"/api/v1/requests/{code}").json["photos"]) == 6


def test_a_damaged_photo_added_later_is_refused(client, filed):
    code, token = filed
    response = add_photo(client, code, token, content=images.truncated_jpeg())
    assert response.status_code == 422
    assert client.get(f"/api/v1/requests/{code}").json["photos"] == []


@pytest.mark.usefixtures("photo_store")
def test_an_unknown_photo_address_is_a_404(client):
    assert client.get("/media/0123456789abcdef0123456789abcdef.jpg").status_code == 404
    assert client.get("/media/..%2F..%2Fcasa311.sqlite").status_code == 404


def test_a_nul_character_in_a_form_field_is_refused_on_both_databases(app, client):
    response = file_with_photos(client, service_code="\x00", attributes='{"taille": "\\u0000"}')
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"service_code", "attributes.taille"}
    assert count_reports(app) == 0


def test_a_photo_added_later_refuses_unexpected_fields(client, filed):
    code, token = filed
    response = client.post(
        f"/api/v1/requests/{code}/photos",
        headers={"X-Report-Token": token},
        **multipart({"status": "resolved"}, [("a.jpg", images.camera_jpeg((300, 200)))]),
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"status"}
    assert client.get(f"/api/v1/requests/{code}").json["photos"] == []
