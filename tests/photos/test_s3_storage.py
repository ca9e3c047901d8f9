"""Photos in an S3-compatible bucket (moto's S3 server on 127.0.0.1): where they land, how
/media serves them, and what a failing or hanging store does to a report: a 503 in
bounded time, no report, no object left behind."""

from __future__ import annotations

import time

import pytest

from citizen_api import create_app
from tests.helpers import count_reports, report
from tests.photos import images
from tests.photos.conftest import s3_storage
from tests.photos.test_photos_api import add_photo, fetch, file_with_photos


def media_key(url: str) -> str:
    return url.rsplit("/media/", 1)[1]


def test_a_photo_and_its_thumbnail_land_in_the_bucket_as_immutable_jpegs(client, s3_store):
    response = file_with_photos(client, ("a.jpg", images.camera_jpeg((800, 600))))
    assert response.status_code == 201, response.json
    [photo] = response.json["photos"]
    key, thumb = media_key(photo["url"]), media_key(photo["thumbnail_url"])
    assert s3_store.objects() == sorted([key, thumb])
    head = s3_store.head(key)
    assert head["ContentType"] == "image/jpeg"
    assert "immutable" in head["CacheControl"]
    assert images.exif_of(fetch(client, photo["url"]))["gps"] == {}


def test_media_streams_the_object_with_validators_and_answers_304(client, s3_store):
    response = file_with_photos(client, ("a.jpg", images.camera_jpeg((800, 600))))
    url = response.json["photos"][0]["url"].removeprefix("http://127.0.0.1:5000")
    with client.get(url) as first:
        assert first.status_code == 200
        assert first.headers["X-Content-Type-Options"] == "nosniff"
        assert first.cache_control.immutable and first.cache_control.max_age == 365 * 86400
        assert first.content_length == len(first.data) > 0
        etag = first.headers["ETag"]
    with client.get(url, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert again.data == b""


def test_a_store_failing_mid_upload_leaves_no_report_and_no_object(app, client, s3_store, s3_proxy):
    # The photo itself is stored, then every attempt at its thumbnail fails.
    s3_proxy.script("PUT", "-thumb.jpg", "fail")
    response = file_with_photos(client, ("a.jpg", images.camera_jpeg((800, 600))))

    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["type"] == "urn:casa311:problem:photo-storage-unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert s3_proxy.seen[("PUT", "-thumb.jpg")] == 2  # S3_MAX_ATTEMPTS: retried, bounded
    assert count_reports(app) == 0
    assert s3_store.objects() == []


def test_a_photo_added_while_the_store_fails_adds_nothing(client, s3_store, s3_proxy):
    created = report(client).json
    s3_proxy.script("PUT", "-thumb.jpg", "fail")
    response = add_photo(client, created["tracking_code"], created["report_token"])
    assert response.status_code == 503
    assert client.get(f"/api/v1/requests/{created['tracking_code']}").json["photos"] == []
    assert s3_store.objects() == []


def test_a_hanging_store_answers_503_within_the_timeouts(client, s3_store, s3_proxy):
    response = file_with_photos(client, ("a.jpg", images.camera_jpeg((300, 200))))
    url = response.json["photos"][0]["url"].removeprefix("http://127.0.0.1:5000")
    s3_proxy.script("GET", ".jpg", "hang")

    started = time.monotonic()
    answer = client.get(url)
    elapsed = time.monotonic() - started

    assert answer.status_code == 503
    assert answer.json["type"] == "urn:casa311:problem:photo-storage-unavailable"
    # Two attempts of a 0.5 s read timeout and one backoff; never the store's 3 s hang.
    assert elapsed < 2.9
    assert s3_proxy.seen[("GET", ".jpg")] == 2


def test_with_a_public_bucket_url_media_redirects_and_the_api_keeps_its_urls(
    app, client, bucket, s3_proxy, use_storage
):
    public = "https://photos.casa311.example/bucket"
    use_storage(s3_storage(app, bucket, s3_proxy.url, S3_PUBLIC_URL=public + "/"))
    response = file_with_photos(client, ("a.jpg", images.camera_jpeg((300, 200))))
    [photo] = response.json["photos"]
    assert photo["url"].startswith("http://127.0.0.1:5000/media/")

    answer = client.get(photo["url"].removeprefix("http://127.0.0.1:5000"))
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"{public}/{media_key(photo['url'])}"
    assert answer.cache_control.max_age == 86400


def test_only_the_apps_photo_keys_are_reachable_under_its_prefix(
    app, client, bucket, s3_proxy, use_storage
):
    use_storage(s3_storage(app, bucket, s3_proxy.url, S3_PREFIX="photos/"))
    bucket.client.put_object(Bucket=bucket.name, Key="private/notes.txt", Body=b"secret")
    response = file_with_photos(client, ("a.jpg", images.camera_jpeg((300, 200))))
    key = media_key(response.json["photos"][0]["url"])

    assert f"photos/{key}" in bucket.objects()
    assert fetch(client, f"/media/{key}")[:2] == b"\xff\xd8"
    assert client.get("/media/private%2Fnotes.txt").status_code == 404
    assert client.get("/media/..%2Fprivate%2Fnotes.txt").status_code == 404


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"PHOTO_STORAGE": "s3"}, "S3_BUCKET"),
        ({"PHOTO_STORAGE": "s3", "S3_BUCKET": "b", "S3_ADDRESSING_STYLE": "dns"}, "path"),
        ({"PHOTO_STORAGE": "ftp"}, "'local' or 's3'"),
    ],
)
def test_a_storage_misconfiguration_stops_the_app_at_startup(settings, message):
    with pytest.raises(RuntimeError, match=message):
        create_app({"TESTING": True, "DATABASE_URL": "sqlite://", **settings})
