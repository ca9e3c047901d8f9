"""Sending a stored photo file: to the public (cached for good, or redirected to the
bucket's public address) or to staff (`private`: never cached, never redirected, so a
photo hidden by moderation stays readable to clerks and to nobody else)."""

from __future__ import annotations

from flask import Response, redirect, request, send_file

from citizen_api.photos.storage import StoredObject
from citizen_api.photos.upload import storage
from citizen_api.web.errors import Problem


def send_photo(key: str, private: bool = False) -> Response:
    """The stored file `key` as a response; `private`: for staff only, never cached."""
    store = storage()
    elsewhere = None if private else store.public_url(key)
    if elsewhere:
        response = redirect(elsewhere, 302)
        response.cache_control.public = True
        response.cache_control.max_age = 86400  # a day: S3_PUBLIC_URL may change one day
        return response
    file = store.path(key)
    if file is not None:
        response = send_file(file, mimetype="image/jpeg", max_age=365 * 86400, conditional=True)
    else:
        stored = store.open(key)
        if stored is None:
            raise Problem(404, "No photo at this address.", type="not-found")
        response = _streamed(stored)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if private:
        response.cache_control.public = False
        response.cache_control.private = True
        response.cache_control.no_store = True
        response.cache_control.max_age = None
        return response
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


def _streamed(stored: StoredObject) -> Response:
    """A photo read from a bucket, passed on in chunks (never held whole in memory)."""
    response = Response(stored.chunks, mimetype="image/jpeg", direct_passthrough=True)
    response.call_on_close(stored.close)
    response.content_length = stored.size
    response.cache_control.max_age = 365 * 86400
    if stored.etag:
        response.set_etag(stored.etag)
    response.last_modified = stored.last_modified
    return response.make_conditional(request)
