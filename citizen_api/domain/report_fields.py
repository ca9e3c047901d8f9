"""The one rule set for a report's fields, whichever way the report comes in.

The native JSON body, the multipart form (with photos) and Open311's form-encoded create
all load a report's fields through `ReportFields`, so a limit, the refusal of HTML or of
NUL characters, or the range of a coordinate is written once. What the catalogue decides
(the service, its attributes) and the phone number's country rules are checked when the
report is filed (citizen_api.domain.reporting), which every way in also goes through.

A value that arrived as the text of a form field is wrapped in `FormText`: the typed
fields (the coordinates, the attribute answers) then parse it, while a JSON body must
send them typed (a number, an object). Free of Flask: marshmallow only.
"""

from __future__ import annotations

import math
import re

import orjson
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from citizen_api.domain.text_safety import unusable_text

MAX_SERVICE_CODE = 64
MAX_DESCRIPTION = 4000
MAX_ADDRESS = 300
MAX_PHONE = 40
MAX_ATTRIBUTES = 50
HTML = re.compile(r"</?[a-zA-Z!][^>]*>")


class FormText(str):
    """A value sent as the text of a form field (multipart, form-encoded)."""


def at_most(limit: int) -> validate.Length:
    return validate.Length(max=limit, error=f"Must be at most {limit:,} characters.")


def plain_text(value: str | None) -> None:
    """Refuse markup: a report's text is shown to clerks and on public pages."""
    if value and HTML.search(value):
        raise ValidationError("Must be plain text, without HTML.")


class Coordinate(fields.Float):
    """A JSON number (no string, boolean, NaN or infinity), or a form field's decimal
    text such as ``33.5925``."""

    def __init__(self, low: float, high: float, **kwargs):
        error = f"Must be a number between {low:g} and {high:g}."
        super().__init__(allow_nan=False, validate=validate.Range(low, high, error=error), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, FormText):
            try:
                number = float(value)
            except ValueError:
                raise ValidationError("Must be a decimal number, e.g. 33.5925.") from None
            if not math.isfinite(number):
                raise ValidationError("Must be a decimal number, e.g. 33.5925.")
            return number
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError("Must be a number (not a string or a boolean).")
        return super()._deserialize(value, attr, data, **kwargs)


class AttributeAnswers(fields.Dict):
    """Answers to the service's attributes by attribute code: a JSON object, or (in a
    form) one field holding that object as JSON text."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, FormText):
            try:
                value = orjson.loads(str(value))
            except orjson.JSONDecodeError:
                raise ValidationError('Must be a JSON object, e.g. {"taille": "grand"}.') from None
        return super()._deserialize(value, attr, data, **kwargs)


class ReportFields(Schema):
    """A new report's fields. Server-set fields (status, area, department...) are refused."""

    service_code = fields.String(
        required=True,
        validate=validate.Length(
            1, MAX_SERVICE_CODE, error=f"Must be 1 to {MAX_SERVICE_CODE} characters."
        ),
    )
    lat = Coordinate(-90, 90, required=True)
    long = Coordinate(-180, 180, required=True)
    description = fields.String(allow_none=True, validate=[at_most(MAX_DESCRIPTION), plain_text])
    address = fields.String(allow_none=True, validate=at_most(MAX_ADDRESS))
    attributes = AttributeAnswers(
        keys=fields.String(validate=validate.Length(1, 64)),
        values=fields.Raw(allow_none=True),
        validate=validate.Length(max=MAX_ATTRIBUTES, error="At most {max} answers."),
        metadata={"description": "Answers to the service's attributes, by attribute code."},
    )
    phone = fields.String(
        allow_none=True,
        load_only=True,
        validate=at_most(MAX_PHONE),
        metadata={"description": "A mobile number for SMS updates; never shown publicly."},
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _only_usable_text(self, data, original, **kwargs):
        """No NUL, lone surrogate or runaway nesting, wherever it is (in what was sent,
        or in what a form field's JSON text decodes to), naming the field."""
        bad = {**unusable_text(original), **unusable_text(data)}
        if bad:
            raise ValidationError({path: [message] for path, message in bad.items()})
