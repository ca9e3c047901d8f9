"""Schemas of the catalogue endpoints."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from models.catalogue import ATTRIBUTE_DATATYPES
from models.i18n import LANGUAGES


class ServiceQueryArgs(Schema):
    lang = fields.String(validate=validate.OneOf(LANGUAGES))
    lat = fields.Float(allow_nan=False, validate=validate.Range(-90, 90))
    long = fields.Float(allow_nan=False, validate=validate.Range(-180, 180))

    @validates_schema
    def _both_or_neither(self, data, **kwargs):
        if ("lat" in data) != ("long" in data):
            raise ValidationError("lat and long go together.", "lat" if "long" in data else "long")


class LangArgs(Schema):
    lang = fields.String(validate=validate.OneOf(LANGUAGES))


class AttributeValueOut(Schema):
    key = fields.String()
    name = fields.String()


class AttributeOut(Schema):
    code = fields.String()
    datatype = fields.String(validate=validate.OneOf(ATTRIBUTE_DATATYPES))
    required = fields.Boolean()
    order = fields.Integer()
    description = fields.String()
    values = fields.List(fields.Nested(AttributeValueOut))


class ServiceOut(Schema):
    code = fields.String(metadata={"example": "nid-de-poule"})
    name = fields.String()
    description = fields.String(allow_none=True)
    group = fields.String()
    keywords = fields.List(fields.String())
    sla_hours = fields.Integer()
    has_attributes = fields.Boolean()


class ServiceDetailOut(ServiceOut):
    attributes = fields.List(fields.Nested(AttributeOut))


class ServiceListOut(Schema):
    items = fields.List(fields.Nested(ServiceOut))
