"""Where photo files live, behind one small interface chosen by configuration.

``LocalStorage`` (the default) keeps them in a folder (``PHOTO_DIR``, default
``instance/photos``) and the app serves them at ``/media/<key>``. Another backend (an
S3-compatible bucket) implements the same four methods.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Protocol

KEY = re.compile(r"^[0-9a-f]{32}(?:-thumb)?\.jpg$")


def new_key() -> str:
    """A random, unguessable photo key; its thumbnail is ``thumb_key(key)``."""
    return f"{secrets.token_hex(16)}.jpg"


def thumb_key(key: str) -> str:
    return key.replace(".jpg", "-thumb.jpg")


class PhotoStorage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def delete(self, key: str) -> None: ...

    def path(self, key: str) -> Path | None:
        """A local file to serve, when the backend has one."""


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


def storage_from_config(config) -> PhotoStorage:
    backend = config.get("PHOTO_STORAGE", "local")
    if backend == "local":
        return LocalStorage(config["PHOTO_DIR"])
    raise RuntimeError(
        f"PHOTO_STORAGE={backend!r} is not available; only 'local' is implemented so far."
    )
