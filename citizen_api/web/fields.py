"""marshmallow fields and helpers shared by the API's schemas."""

from __future__ import annotations

import datetime as dt

from marshmallow import ValidationError, fields

# Dates a client may name: wide enough for any real question, narrow enough that a
# window of days around one never leaves Python's calendar (years 1 to 9999).
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
DATE_RANGE_MESSAGE = "Must be a date between 1900-01-01 and 2999-12-31."


class AwareDateTime(fields.AwareDateTime):
    """An ISO 8601 date-time that must carry its timezone (Z or +01:00)."""

    default_error_messages = {
        "invalid": "Not a valid ISO 8601 date-time, e.g. 2026-06-09T10:15:00+01:00.",
        "invalid_awareness": "Add a timezone, e.g. 2026-06-09T10:15:00Z or +01:00.",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.replace(" ", "+")  # a '+' left unescaped in a query string
        when = super()._deserialize(value, attr, data, **kwargs)
        try:
            when = when.astimezone(dt.UTC)
        except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
            raise ValidationError(DATE_RANGE_MESSAGE) from None
        if not EARLIEST <= when <= LATEST:
            raise ValidationError(DATE_RANGE_MESSAGE)
        return when


class CommaList(fields.Field):
    """A comma-separated list in a query string: ``status=submitted,acknowledged``."""

    def __init__(self, choices=None, max_items=50, max_length=64, **kwargs):
        super().__init__(**kwargs)
        self.choices, self.max_items, self.max_length = choices, max_items, max_length

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("Must be a comma-separated list.")
        items = [v.strip() for v in value.split(",") if v.strip()]
        if not items:
            raise ValidationError("Must list at least one value.")
        if len(items) > self.max_items:
            raise ValidationError(f"At most {self.max_items} values.")
        if any(len(v) > self.max_length for v in items):
            raise ValidationError(f"Each value has at most {self.max_length} characters.")
        if self.choices:
            unknown = [v for v in items if v not in self.choices]
            if unknown:
                raise ValidationError(
                    f"Unknown {', '.join(unknown)}; choose among {', '.join(self.choices)}."
                )
        return items
