"""Schemas of the duplicate-finding and support endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

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


class SupportOut(Schema):
    tracking_code = fields.String()
    supporters = fields.Integer()
    counted = fields.Boolean(metadata={"description": "False when this device had already"})
