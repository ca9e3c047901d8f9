"""Schemas of the duplicate-finding and support endpoints."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from citizen_api.reports.schemas import ServiceRequestOut
from models.i18n import LANGUAGES


class NearbyArgs(Schema):
    """Where the resident is about to report, and what."""

    lat = fields.Float(required=True, allow_nan=False, validate=validate.Range(-90, 90))
    long = fields.Float(required=True, allow_nan=False, validate=validate.Range(-180, 180))
    service_code = fields.String(required=True, validate=validate.Length(1, 64))
    lang = fields.String(validate=validate.OneOf(LANGUAGES))


class NearbyReportOut(ServiceRequestOut):
    distance_m = fields.Float(metadata={"description": "From the point asked about, metres"})


class NearbyOut(Schema):
    radius_m = fields.Integer(metadata={"description": "The service type's duplicate radius"})
    days = fields.Integer()
    items = fields.List(fields.Nested(NearbyReportOut))


class SupporterIn(Schema):
    device_id = fields.String(
        required=True,
        validate=validate.Length(8, 200),
        metadata={"description": "A stable id of the resident's device (kept only hashed)"},
    )
    my_report = fields.String(
        validate=validate.Length(1, 20),
        metadata={
            "description": "The tracking code of a report the supporter filed with their "
            "phone; when that phone has texted casa311 (a confirmed number), this support "
            "raises the report's priority. Send my_report_token with it."
        },
    )
    my_report_token = fields.String(
        load_only=True,
        validate=validate.Length(1, 200),
        metadata={"description": "The report_token of my_report"},
    )

    @validates_schema
    def _both_or_neither(self, data, **kwargs):
        if ("my_report" in data) != ("my_report_token" in data):
            raise ValidationError("Send my_report and my_report_token together.", "my_report")


class SupportOut(Schema):
    tracking_code = fields.String()
    supporters = fields.Integer()
    counted = fields.Boolean(metadata={"description": "False when this device had already"})
    raises_priority = fields.Boolean(
        metadata={"description": "True when a confirmed phone vouched for this support"}
    )
