"""The one cursor codec of keyset-paginated lists (the resident list, the clerks' queue).

A cursor is the last row's sort keys as a JSON array, base64url without padding; dates
travel as ISO 8601 text. The client treats it as opaque and passes back `next_cursor`.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable

import orjson

from citizen_api.web.errors import validation_problem


def encode_cursor(values) -> str:
    plain = [v.isoformat() if isinstance(v, dt.datetime) else v for v in values]
    return base64.urlsafe_b64encode(orjson.dumps(plain)).decode().rstrip("=")


def decode_cursor(cursor: str, valid: Callable[[list], bool], message: str) -> list:
    """The values a cursor holds (ISO text read back as dates), or a 422 on `cursor` with
    `message` when it is not one this API issued or `valid(values)` refuses it."""
    try:
        raw = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list):
            raise ValueError
        values = [_date_or_value(v) for v in raw]
        if not valid(values):
            raise ValueError
        return values
    except (ValueError, TypeError, IndexError, orjson.JSONDecodeError):
        raise validation_problem({"cursor": [message]}) from None


def _date_or_value(value):
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value
