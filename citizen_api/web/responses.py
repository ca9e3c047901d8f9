"""Fast JSON responses (orjson) for views that build their payload themselves."""

from __future__ import annotations

import orjson
from flask import Response


def json_response(
    payload,
    status: int = 200,
    headers: dict | None = None,
    mimetype: str = "application/json",
    encoded: bool = False,
) -> Response:
    """`payload` as JSON (`encoded`: it is JSON already, as bytes)."""
    body = payload if encoded else orjson.dumps(payload)
    response = Response(body, status=status, mimetype=mimetype)
    if headers:
        response.headers.update(headers)
    return response
