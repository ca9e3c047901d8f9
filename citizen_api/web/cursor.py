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
from citizen_api.web.fields import EARLIEST, LATEST

# What a key of a cursor may be: a row id or a rank (an integer a BIGINT column holds),
# or a timezone-aware date-time in the range the API accepts; None where the key may be
# NULL. A cursor holding anything else (a boolean, a string, a huge number, a naive date)
# is refused before it reaches SQL.
MAX_BIGINT = 2**63 - 1


def key_fits(value, kind: type, nullable: bool = False) -> bool:
    """Whether a decoded cursor value is a valid key of this kind (int or datetime)."""
    if value is None:
        return nullable
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_BIGINT
    return (
        isinstance(value, dt.datetime) and value.tzinfo is not None and EARLIEST <= value <= LATEST
    )


def keys_fit(values: list, kinds: list[tuple[type, bool]]) -> bool:
    """Whether `values` are, one for one, keys of `kinds` ((type, nullable) pairs)."""
    return len(values) == len(kinds) and all(
        key_fits(v, kind, nullable) for v, (kind, nullable) in zip(values, kinds, strict=True)
    )


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
    except (ValueError, TypeError, IndexError, OverflowError, orjson.JSONDecodeError):
        raise validation_problem({"cursor": [message]}) from None


def _date_or_value(value):
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value
