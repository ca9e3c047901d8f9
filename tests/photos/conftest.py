"""Photo storage fixtures: the local folder, and an S3 bucket on a real S3 protocol server
(moto's, as a subprocess on 127.0.0.1) reached through a fault proxy.

`photo_store` runs a test once per storage backend (and, through `app`, once per
database): the behaviour a resident sees must not depend on where photos are kept.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from citizen_api.photos.storage import storage_from_config
from tests.photos.s3server import FaultProxy, MotoServer

# Tests fail fast: a dead or hanging store costs a second or two, not the default minutes.
S3_TEST_SETTINGS = {"S3_CONNECT_TIMEOUT": 1.0, "S3_READ_TIMEOUT": 0.5, "S3_MAX_ATTEMPTS": 2}


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """moto's S3 server, with fake credentials in the environment (boto3's usual chain)
    and no shared AWS configuration read from the machine."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "casa311-test")
        env.setenv("AWS_SECRET_ACCESS_KEY", "casa311-test-secret")
        env.delenv("AWS_SESSION_TOKEN", raising=False)
        env.delenv("AWS_PROFILE", raising=False)
        env.setenv("AWS_CONFIG_FILE", "/nonexistent")
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        env.setenv("AWS_EC2_METADATA_DISABLED", "true")
        server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="session")
def s3_proxy(s3_server):
    proxy = FaultProxy(s3_server.port)
    yield proxy
    proxy.stop()


@dataclass
class Bucket:
    """A fresh bucket on the test server and a client that talks to it directly."""

    name: str
    client: object

    def objects(self) -> list[str]:
        answer = self.client.list_objects_v2(Bucket=self.name)
        return sorted(o["Key"] for o in answer.get("Contents", []))

    def head(self, key: str) -> dict:
        return self.client.head_object(Bucket=self.name, Key=key)


@pytest.fixture
def bucket(s3_server, s3_proxy):
    client = boto3.session.Session().client(
        "s3", endpoint_url=s3_server.url, region_name="us-east-1"
    )
    name = f"casa311-photos-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    yield Bucket(name, client)
    s3_proxy.reset()
    client.close()


def s3_storage(app, bucket: Bucket, endpoint: str, **settings):
    """The S3 backend as the app builds it from its settings."""
    config = {
        **app.config,
        "PHOTO_STORAGE": "s3",
        "S3_BUCKET": bucket.name,
        "S3_ENDPOINT_URL": endpoint,
        "S3_ADDRESSING_STYLE": "path",
        **S3_TEST_SETTINGS,
        **settings,
    }
    return storage_from_config(config)


@pytest.fixture
def use_storage(app):
    """Swap the app's photo storage for this test only."""
    original = app.extensions["casa311.photos"]

    def use(storage):
        app.extensions["casa311.photos"] = storage
        return storage

    yield use
    app.extensions["casa311.photos"] = original


class PhotoStore:
    """What a test needs to know of the storage in use: how many files it holds."""

    def __init__(self, kind: str, count):
        self.kind, self.count = kind, count


@pytest.fixture(params=["local", "s3"])
def photo_store(request, app, use_storage):
    """The app's photos kept in a local folder, then in an S3 bucket."""
    if request.param == "local":
        root = Path(app.config["PHOTO_DIR"])
        yield PhotoStore("local", lambda: sum(1 for p in root.rglob("*") if p.is_file()))
        return
    bucket = request.getfixturevalue("bucket")
    proxy = request.getfixturevalue("s3_proxy")
    use_storage(s3_storage(app, bucket, proxy.url))
    yield PhotoStore("s3", lambda: len(bucket.objects()))


@pytest.fixture
def s3_store(app, bucket, s3_proxy, use_storage):
    """The app's photos in a fresh bucket, through the fault proxy; yields the bucket."""
    use_storage(s3_storage(app, bucket, s3_proxy.url))
    return bucket
