"""Where photo files live, behind one small interface chosen by configuration.

``LocalStorage`` (the default) keeps them in a folder (``PHOTO_DIR``, default
``instance/photos``); ``S3Storage`` (``PHOTO_STORAGE=s3``, in ``photos/s3.py``) in an
S3-compatible bucket. Either way the app serves them at the same ``/media/<key>`` URLs:
a local file is sent as it is, an object is streamed from the bucket (or, with
``S3_PUBLIC_URL``, the client is redirected to its public copy).

A backend that cannot be reached raises ``StorageUnavailable``; the API answers 503.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

KEY = re.compile(r"^[0-9a-f]{32}(?:-thumb)?\.jpg$")


def new_key() -> str:
    """A random, unguessable photo key; its thumbnail is ``thumb_key(key)``."""
    return f"{secrets.token_hex(16)}.jpg"


def thumb_key(key: str) -> str:
    return key.replace(".jpg", "-thumb.jpg")


def is_key(key: str) -> bool:
    """Whether `key` is one the app could have made (nothing else is ever looked up)."""
    return bool(KEY.match(key))


class StorageUnavailable(Exception):
    """The photo store could not be reached or refused the call (after bounded retries)."""


@dataclass
class StoredObject:
    """A photo read from a backend without a local file, to be streamed to the client."""

    chunks: Iterable[bytes]
    size: int
    etag: str | None
    last_modified: datetime | None
    close: Callable[[], None]


class PhotoStorage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def delete(self, key: str) -> None: ...

    def path(self, key: str) -> Path | None:
        """A local file to serve, when the backend has one."""

    def open(self, key: str) -> StoredObject | None:
        """The photo as a stream, for backends without local files (None: no such photo)."""

    def public_url(self, key: str) -> str | None:
        """Where clients may fetch the photo directly instead (None: the app serves it)."""


class LocalStorage:
    """Photos as files in one folder; each written whole (temporary file, then rename)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _file(self, key: str) -> Path:
        if not KEY.match(key):
            raise ValueError(f"not a photo key: {key!r}")
        return self.root / key[:2] / key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        target = self._file(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes | None:
        file = self.path(key)
        return file.read_bytes() if file else None

    def delete(self, key: str) -> None:
        with contextlib.suppress(ValueError):
            self._file(key).unlink(missing_ok=True)

    def path(self, key: str) -> Path | None:
        try:
            file = self._file(key)
        except ValueError:
            return None
        return file if file.is_file() else None

    def open(self, key: str) -> StoredObject | None:
        return None  # every photo here has a path()

    def public_url(self, key: str) -> str | None:
        return None


def storage_from_config(config) -> PhotoStorage:
    backend = config.get("PHOTO_STORAGE", "local")
    if backend == "local":
        return LocalStorage(config["PHOTO_DIR"])
    if backend == "s3":
        from citizen_api.photos.s3 import s3_storage_from_config

        return s3_storage_from_config(config)
    raise RuntimeError(f"PHOTO_STORAGE={backend!r} is unknown; use 'local' or 's3'.")
