"""Schemas of the alert endpoints, named by role. Unknown fields are refused."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from citizen_api.web.fields import AwareDateTime
from models.alerts import ALERT_KINDS, ALERT_STATUSES, SEVERITIES
from models.i18n import LANGUAGES

MAX_HEADLINE = 140
MAX_TEXT = 2000


def localized(name: str, max_length: int, french_required: bool) -> type[Schema]:
    """{"fr": ..., "ar": ..., "en": ...} as a schema of its own, so the document says
    what is checked: these three keys only, French required on creation."""
    text = {"validate": validate.Length(1, max_length)}
    return Schema.from_dict(
        {
            lang: fields.String(
                required=french_required and lang == "fr",
                error_messages={"required": "Give at least the French (fr) version."},
                **text,
            )
            for lang in LANGUAGES
        },
        name=name,
    )


HeadlineIn = localized("HeadlineIn", MAX_HEADLINE, True)
TextIn = localized("TextIn", MAX_TEXT, True)
HeadlineChange = localized("HeadlineChange", MAX_HEADLINE, False)
TextChange = localized("TextChange", MAX_TEXT, False)


class AlertIn(Schema):
    """A new alert. `areas` (arrondissement codes) and/or `polygon` (GeoJSON) say where."""

    kind = fields.String(required=True, validate=validate.OneOf(ALERT_KINDS))
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    areas = fields.List(
        fields.String(validate=validate.Length(1, 64)), validate=validate.Length(max=20)
    )
    polygon = fields.Dict(
        allow_none=True,
        metadata={"description": "A GeoJSON Polygon (lon, lat), inside the city, ≤ 500 vertices"},
    )
    services = fields.List(
        fields.String(validate=validate.Length(1, 64)),
        validate=validate.Length(max=20),
        metadata={"description": "Service codes this alert explains (e.g. fuite-eau)"},
    )
    starts_at = AwareDateTime(required=True)
    ends_at = AwareDateTime(required=True, metadata={"description": "Expected end"})
    headline = fields.Nested(HeadlineIn, required=True)
    text = fields.Nested(TextIn, required=True)


class AlertUpdateIn(AlertIn):
    """Changes to an alert (any field), or `"status": "cancelled"` to withdraw it."""

    status = fields.String(validate=validate.OneOf(ALERT_STATUSES[1:]))
    headline = fields.Nested(HeadlineChange)
    text = fields.Nested(TextChange)
    OPENAPI = {"minProperties": 1}  # documented: what `something` checks

    @validates_schema
    def something(self, data, **kwargs):
        if not data:
            raise ValidationError("Send at least one field to change.")


class LocalizedOut(Schema):
    fr = fields.String()
    ar = fields.String()
    en = fields.String()


class AlertOut(Schema):
    """An alert as the public sees it."""

    id = fields.Integer()
    kind = fields.String()
    severity = fields.String()
    status = fields.String(metadata={"description": "published or cancelled"})
    msg_type = fields.String(metadata={"description": "CAP msgType: Alert, Update, Cancel"})
    live = fields.Boolean(metadata={"description": "Started and not ended"})
    version = fields.Integer()
    areas = fields.List(fields.String())
    covered_areas = fields.List(fields.String())
    polygon = fields.Dict(allow_none=True)
    services = fields.List(fields.String())
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    headline = fields.Nested(LocalizedOut)
    text = fields.Nested(LocalizedOut)
    cap_url = fields.String()
    updated_at = fields.DateTime()


class AlertList(Schema):
    items = fields.List(fields.Nested(AlertOut))


class AlertQueryArgs(Schema):
    lat = fields.Float(allow_nan=False, validate=validate.Range(-90, 90))
    long = fields.Float(allow_nan=False, validate=validate.Range(-180, 180))

    @validates_schema
    def both(self, data, **kwargs):
        if ("lat" in data) != ("long" in data):
            raise ValidationError("Send lat and long together.", "lat")


class SubscriptionIn(Schema):
    """Ask for a number's subscription to areas; a code is sent to it by SMS."""

    phone = fields.String(required=True, load_only=True, validate=validate.Length(1, 40))
    areas = fields.List(
        fields.String(validate=validate.Length(1, 64)),
        required=True,
        validate=validate.Length(1, 17),
    )
    lang = fields.String(validate=validate.OneOf(LANGUAGES), load_default="fr")


class ConfirmIn(Schema):
    phone = fields.String(required=True, load_only=True, validate=validate.Length(1, 40))
    code = fields.String(required=True, load_only=True, validate=validate.Regexp(r"^\d{6}$"))


class SubscriptionOut(Schema):
    """What the API says back: never the number."""

    status = fields.String(metadata={"description": "pending (a code was sent) or active"})
    areas = fields.List(fields.String())
    expires_in = fields.Integer(
        allow_none=True, metadata={"description": "Seconds the code stays valid"}
    )
