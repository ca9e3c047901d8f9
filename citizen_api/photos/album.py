"""A report's photos: store cleaned photos, attach them to a report, list their URLs."""

from __future__ import annotations

import logging

from citizen_api.domain.moderation import public_photos
from citizen_api.photos.imaging import CleanPhoto
from citizen_api.photos.storage import PhotoStorage, new_key, thumb_key
from models import Photo, ServiceRequest

MEDIA_PREFIX = "/media"
log = logging.getLogger(__name__)


def store(storage: PhotoStorage, photos: list[CleanPhoto]) -> list[Photo]:
    """Write each photo and its thumbnail; return the (unsaved) rows describing them.

    Files are written before any row is committed: a failure leaves at worst an orphan
    file, never a row whose file is missing."""
    rows = []
    try:
        for photo in photos:
            key = new_key()
            # Listed before its files are written: a failure between the photo and its
            # thumbnail must remove the photo too (deleting a missing file is a no-op).
            rows.append(
                Photo(
                    key=key,
                    thumb_key=thumb_key(key),
                    content_type=photo.content_type,
                    width=photo.width,
                    height=photo.height,
                    size_bytes=len(photo.data),
                )
            )
            storage.put(key, photo.data, photo.content_type)
            storage.put(thumb_key(key), photo.thumbnail, photo.content_type)
    except BaseException:
        discard(storage, rows)
        raise
    return rows


def discard(storage: PhotoStorage, rows: list[Photo]) -> None:
    """Remove the files of photos whose rows were never committed.

    Called while another error is on its way out: a file that cannot be removed (the
    store is down too) is logged as an orphan, never allowed to hide that error."""
    discard_keys(storage, [key for row in rows for key in (row.key, row.thumb_key)])


def discard_keys(storage: PhotoStorage, keys: list[str]) -> None:
    """Remove these photo files (photos no row refers to), logging what cannot be."""
    for key in keys:
        try:
            storage.delete(key)
        except Exception:
            log.warning("photo %s could not be removed; it is an orphan", key, exc_info=True)


def media_path(key: str) -> str:
    return f"{MEDIA_PREFIX}/{key}"


def photo_view(photo: Photo, base_url: str = "") -> dict:
    """A photo as the public sees it: stable URLs of the photo and its thumbnail."""
    return {
        "url": base_url + media_path(photo.key),
        "thumbnail_url": base_url + media_path(photo.thumb_key),
        "width": photo.width,
        "height": photo.height,
    }


def photo_urls(report: ServiceRequest, base_url: str) -> list[str]:
    """The absolute URLs of a report's photos, oldest first (Open311 ``media_url`` takes
    the first; ``extended_attributes.photos`` all of them). Photos hidden by
    moderation are left out."""
    return [base_url + media_path(p.key) for p in public_photos(report.photos)]
