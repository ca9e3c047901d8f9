"""Validate the answers a report gives to its service type's attributes.

One implementation for every way in (the native JSON API, Open311's form fields): each
answer is checked against its attribute's datatype and list of values.
"""

from __future__ import annotations

import datetime as dt
import math

from models import ServiceAttribute

MAX_TEXT = {"string": 200, "text": 2000}


def _number(value):
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("Must be a number.")
    try:
        number = float(value)
    except ValueError:
        raise ValueError("Must be a number.") from None
    if not math.isfinite(number):
        raise ValueError("Must be a finite number.")
    return int(number) if number.is_integer() else number


def _datetime(value):
    if not isinstance(value, str):
        raise ValueError("Must be an ISO 8601 date-time string.")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("Must be an ISO 8601 date-time, e.g. 2026-06-09T10:15:00+01:00.") from None
    if parsed.tzinfo is None:
        raise ValueError("Must carry a timezone, e.g. 2026-06-09T10:15:00+01:00.")
    return parsed.isoformat()


def _text(limit):
    def check(value):
        if not isinstance(value, str):
            raise ValueError("Must be a string.")
        value = value.strip()
        if len(value) > limit:
            raise ValueError(f"Must be at most {limit} characters.")
        return value

    return check


def _choice(attribute: ServiceAttribute):
    keys = [v["key"] for v in attribute.values or ()]

    def single(value):
        if value not in keys:
            raise ValueError(f"Must be one of: {', '.join(keys)}.")
        return value

    def multiple(value):
        values = value if isinstance(value, list) else [value]
        if not values or any(not isinstance(v, str) for v in values):
            raise ValueError(f"Must be a list of values among: {', '.join(keys)}.")
        unknown = [v for v in values if v not in keys]
        if unknown:
            raise ValueError(
                f"Unknown values {', '.join(unknown)}; choose among: {', '.join(keys)}."
            )
        return list(dict.fromkeys(values))

    return single if attribute.datatype == "singlevaluelist" else multiple


def _checker(attribute: ServiceAttribute):
    if attribute.datatype == "number":
        return _number
    if attribute.datatype == "datetime":
        return _datetime
    if attribute.datatype in MAX_TEXT:
        return _text(MAX_TEXT[attribute.datatype])
    return _choice(attribute)


def validate_attributes(
    definitions: list[ServiceAttribute], answers: dict | None
) -> tuple[dict, dict[str, list[str]]]:
    """Return (clean answers, errors by attribute code). Empty answers count as absent."""
    answers = dict(answers or {})
    by_code = {a.code: a for a in definitions}
    clean, errors = {}, {}
    for code in answers:
        if code not in by_code:
            known = ", ".join(by_code) or "none"
            errors[code] = [f"Unknown attribute for this service (known: {known})."]
    for attribute in definitions:
        value = answers.get(attribute.code)
        if value is None or value == "" or value == []:
            if attribute.required:
                errors[attribute.code] = ["This attribute is required for this service."]
            continue
        try:
            clean[attribute.code] = _checker(attribute)(value)
        except ValueError as exc:
            errors[attribute.code] = [str(exc)]
    return clean, errors
