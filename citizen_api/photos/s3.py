"""Photos in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, Scaleway, OVH...): the
``PHOTO_STORAGE=s3`` backend of ``citizen_api.photos.storage``. Free of Flask.

Every call has a connect and a read timeout and a bounded number of attempts (botocore's
"standard" retry mode: throttling, 5xx and connection errors, with backoff), so a slow or
dead store costs a request seconds, not a worker. Whatever still fails is raised as
``StorageUnavailable``. Objects are written with their content type and an immutable
cache lifetime; only keys the app makes are ever read, so other objects in the bucket
cannot be reached through ``/media``.

Credentials come from boto3's usual chain: ``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` (and ``AWS_SESSION_TOKEN``), a profile, or an instance role.
"""

from __future__ import annotations

import logging

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from citizen_api.photos.storage import StorageUnavailable, StoredObject, is_key

CACHE_CONTROL = "public, max-age=31536000, immutable"
CHUNK = 64 * 1024
MISSING = {"NoSuchKey", "404", "NotFound"}
log = logging.getLogger(__name__)


def s3_client(
    *,
    endpoint_url: str | None,
    region: str,
    connect_timeout: float,
    read_timeout: float,
    max_attempts: int,
    addressing_style: str = "auto",
):
    """A boto3 S3 client with timeouts and bounded retries on every call."""
    config = Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        s3={"addressing_style": addressing_style},
        # Checksums only where S3 requires them: many S3-compatible stores refuse the
        # CRC trailers botocore >= 1.36 sends by default.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    session = boto3.session.Session()
    return session.client("s3", endpoint_url=endpoint_url, region_name=region, config=config)


class S3Storage:
    """Photos as objects `<prefix><key>` in one bucket."""

    def __init__(self, client, bucket: str, prefix: str = "", public_url: str = ""):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.public_base = public_url.rstrip("/")

    def _object(self, key: str) -> str:
        if not is_key(key):
            raise ValueError(f"not a photo key: {key!r}")
        return self.prefix + key

    def _failed(self, action: str, key: str, exc: Exception) -> StorageUnavailable:
        log.warning("photo store: %s %s failed: %s", action, key, exc)
        return StorageUnavailable(f"the photo store could not {action} {key}")

    def put(self, key: str, data: bytes, content_type: str) -> None:
        name = self._object(key)
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=name,
                Body=data,
                ContentType=content_type,
                CacheControl=CACHE_CONTROL,
            )
        except (BotoCoreError, ClientError) as exc:
            raise self._failed("store", key, exc) from exc

    def open(self, key: str) -> StoredObject | None:
        if not is_key(key):
            return None
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._object(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING:
                return None
            raise self._failed("read", key, exc) from exc
        except BotoCoreError as exc:
            raise self._failed("read", key, exc) from exc
        body = answer["Body"]
        return StoredObject(
            chunks=body.iter_chunks(CHUNK),
            size=answer["ContentLength"],
            etag=(answer.get("ETag") or "").strip('"') or None,
            last_modified=answer.get("LastModified"),
            close=body.close,
        )

    def get(self, key: str) -> bytes | None:
        stored = self.open(key)
        if stored is None:
            return None
        try:
            return b"".join(stored.chunks)
        except BotoCoreError as exc:
            raise self._failed("read", key, exc) from exc
        finally:
            stored.close()

    def delete(self, key: str) -> None:
        if not is_key(key):
            return
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._object(key))
        except (BotoCoreError, ClientError) as exc:
            raise self._failed("delete", key, exc) from exc

    def path(self, key: str) -> None:
        return None  # objects are never local files

    def public_url(self, key: str) -> str | None:
        if not self.public_base or not is_key(key):
            return None
        return f"{self.public_base}/{self.prefix}{key}"


def s3_storage_from_config(config) -> S3Storage:
    """The S3 backend from the app's S3_* settings; refuses to start without a bucket."""
    bucket = config.get("S3_BUCKET", "")
    if not bucket:
        raise RuntimeError("PHOTO_STORAGE=s3 needs S3_BUCKET (the bucket that keeps photos).")
    style = config.get("S3_ADDRESSING_STYLE", "auto")
    if style not in ("auto", "path", "virtual"):
        raise RuntimeError(f"S3_ADDRESSING_STYLE={style!r}: use auto, path or virtual.")
    client = s3_client(
        endpoint_url=config.get("S3_ENDPOINT_URL") or None,
        region=config.get("S3_REGION") or "us-east-1",
        connect_timeout=config.get("S3_CONNECT_TIMEOUT", 3.0),
        read_timeout=config.get("S3_READ_TIMEOUT", 10.0),
        max_attempts=config.get("S3_MAX_ATTEMPTS", 3),
        addressing_style=style,
    )
    return S3Storage(
        client,
        bucket,
        prefix=config.get("S3_PREFIX", ""),
        public_url=config.get("S3_PUBLIC_URL", ""),
    )
