"""A WhatsApp photo: fetched from the message's MediaUrl0 with the account's credentials,
then through the same cleaning as a photo posted to the API (photos.imaging: decoded in
full, EXIF dropped, resized, re-encoded). Free of Flask.

Only URLs on Twilio's hosts are fetched (the webhook is signed, but a URL is still never
followed blindly); with TWILIO_MEDIA_BASE_URL set (tests: a server on 127.0.0.1) the
scheme and host are replaced by it, as TWILIO_API_BASE_URL does for the SDK. Every
failure is a `MediaProblem` with a kind the resident is told about, never an exception
that would fail the webhook: the report goes on without the photo.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests

from citizen_api.photos.imaging import BadImage, CleanPhoto, clean_photo

log = logging.getLogger(__name__)
TWILIO_HOSTS = ("twilio.com",)
CHUNK = 64 * 1024


@dataclass(frozen=True)
class MediaProblem:
    kind: str  # not-found, timeout, not-image, too-large, unreachable


@dataclass(frozen=True)
class MediaSource:
    account_sid: str
    auth_token: str
    base_url: str  # "" = fetch the URL as Twilio gave it
    timeout_seconds: float
    max_bytes: int


def _target(url: str, base_url: str) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not any(
        host == h or host.endswith("." + h) for h in TWILIO_HOSTS
    ):
        return None
    if not base_url:
        return url
    base = urlsplit(base_url)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))


def fetch_photo(source: MediaSource, url: str) -> CleanPhoto | MediaProblem:
    """Download and clean one photo, or say why not."""
    target = _target(url, source.base_url)
    if target is None:
        log.warning("refused to fetch media from a host that is not Twilio's")
        return MediaProblem("unreachable")
    try:
        with requests.get(
            target,
            auth=(source.account_sid, source.auth_token),
            timeout=(min(3.0, source.timeout_seconds), source.timeout_seconds),
            stream=True,
        ) as response:
            if response.status_code == 404:
                return MediaProblem("not-found")
            if response.status_code != 200:
                log.warning("media fetch answered %s", response.status_code)
                return MediaProblem("unreachable")
            kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if kind and not kind.startswith("image/"):
                return MediaProblem("not-image")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > source.max_bytes:
                return MediaProblem("too-large")
            data = bytearray()
            # The read timeout bounds each wait; this bounds the whole download (a
            # server that trickles bytes would otherwise hold the webhook for ever).
            deadline = time.monotonic() + 2 * source.timeout_seconds
            for chunk in response.iter_content(CHUNK):
                data.extend(chunk)
                if len(data) > source.max_bytes:
                    return MediaProblem("too-large")
                if time.monotonic() > deadline:
                    return MediaProblem("timeout")
    except requests.Timeout:
        return MediaProblem("timeout")
    except requests.RequestException:
        log.warning("media fetch failed", exc_info=True)
        return MediaProblem("unreachable")
    if not data:
        return MediaProblem("not-image")
    try:
        return clean_photo(bytes(data))
    except BadImage as exc:
        return MediaProblem("too-large" if exc.kind == "photo-too-many-pixels" else "not-image")
