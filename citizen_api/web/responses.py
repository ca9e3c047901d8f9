"""Fast JSON responses (orjson) for views that build their payload themselves."""

from __future__ import annotations

import orjson
from flask import Response


def json_response(
    payload, status: int = 200, headers: dict | None = None, mimetype: str = "application/json"
) -> Response:
    response = Response(orjson.dumps(payload), status=status, mimetype=mimetype)
    if headers:
        response.headers.update(headers)
    return response
