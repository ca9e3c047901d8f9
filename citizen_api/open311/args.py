"""Reading GeoReport v2 arguments: query strings and form-encoded bodies.

An empty (or blank) parameter behaves exactly as an absent one. Every problem raises a
Problem that the Open311 error renderer turns into the spec's 400 array.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from werkzeug.datastructures import MultiDict

from citizen_api.web.errors import Problem
from citizen_api.web.fields import DATE_RANGE_MESSAGE, EARLIEST, LATEST

_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no")


def bad(field: str, message: str) -> Problem:
    return Problem(400, f"{field}: {message}", errors={field: [message]})


def present(source: MultiDict) -> MultiDict:
    """The parameters that carry a value; blank ones are dropped as if never sent.
    A NUL character (which no text column can store) is refused outright."""
    kept = MultiDict([(k, v) for k, v in source.items(multi=True) if v.strip()])
    for key, value in kept.items(multi=True):
        if "\x00" in key or "\x00" in value:
            raise bad(key.replace("\x00", ""), "Must not contain a NUL character.")
    return kept


def text(args: MultiDict, field: str, max_length: int | None = None) -> str | None:
    value = args.get(field)
    if value is None:
        return None
    value = value.strip()
    if max_length and len(value) > max_length:
        raise bad(field, f"Must be at most {max_length:,} characters.")
    return value


def number(args: MultiDict, field: str, low: float, high: float) -> float | None:
    raw = args.get(field)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise bad(field, "Must be a number.") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise bad(field, f"Must be a number between {low:g} and {high:g}.")
    return value


def integer(args: MultiDict, field: str, low: int, high: int, default: int | None = None):
    raw = args.get(field)
    if raw is None:
        return default
    if not re.fullmatch(r"\s*\d{1,9}\s*", raw) or not low <= int(raw) <= high:
        raise bad(field, f"Must be a whole number between {low} and {high}.")
    return int(raw)


def flag(args: MultiDict, field: str) -> bool:
    raw = (args.get(field) or "false").strip().lower()
    if raw not in TRUE + FALSE:
        raise bad(field, "Must be true or false.")
    return raw in TRUE


def comma_list(args: MultiDict, field: str, max_items: int = 100) -> list[str] | None:
    """`a,b` or a repeated parameter; None when absent."""
    items = [v.strip() for raw in args.getlist(field) for v in raw.split(",") if v.strip()]
    if not items:
        return None
    if len(items) > max_items:
        raise bad(field, f"At most {max_items} values.")
    return list(dict.fromkeys(items))


def when(args: MultiDict, field: str) -> dt.datetime | None:
    """A W3C date-time with its timezone (`2026-06-09T10:15:00+01:00` or `...Z`); a bare
    date (`2026-06-09`) means its midnight UTC."""
    raw = args.get(field)
    if raw is None:
        return None
    raw = raw.strip()
    for candidate in (raw, re.sub(r" (\d\d:?\d\d)$", r"+\1", raw)):  # a '+' left unescaped
        try:
            value = dt.datetime.fromisoformat(candidate)
            break
        except ValueError:
            continue
    else:
        raise bad(field, "Must be a date-time such as 2026-06-09T10:15:00+01:00.")
    if value.tzinfo is None:
        if not re.fullmatch(r"\d{4}-\d\d-\d\d", raw):
            raise bad(field, "Add a timezone, e.g. 2026-06-09T10:15:00Z or +01:00.")
        value = value.replace(tzinfo=dt.UTC)
    try:
        value = value.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        value = None
    if value is None or not EARLIEST <= value <= LATEST:
        raise bad(field, DATE_RANGE_MESSAGE)
    return value


def attributes(form: MultiDict) -> dict:
    """`attribute[CODE]=v` and `attribute[CODE][]=v1&attribute[CODE][]=v2` as
    {CODE: v} and {CODE: [v1, v2]}, the shape the native API's validation takes."""
    answers: dict = {}
    for key, value in form.items(multi=True):
        match = _ATTRIBUTE.match(key)
        if not match:
            continue
        code, as_list = match.group(1), bool(match.group(2))
        if code in answers:
            previous = answers[code]
            answers[code] = [*(previous if isinstance(previous, list) else [previous]), value]
        else:
            answers[code] = [value] if as_list else value
    return answers
