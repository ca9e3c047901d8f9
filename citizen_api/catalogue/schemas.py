"""Schemas of the catalogue endpoints."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from citizen_api.domain.suggest import MAX_QUERY_CHARS
from citizen_api.domain.text import normalise
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


class SuggestArgs(Schema):
    q = fields.String(
        required=True,
        validate=validate.Length(
            1, MAX_QUERY_CHARS, error="Describe the problem in 1 to {max} characters."
        ),
        metadata={
            "description": "What the resident wrote, in any language or script: French, "
            "Arabic, Darija in Arabic or Latin letters (Arabizi), English.",
            "example": "kayn wa7ed l7ofra kbira f zen9a",
        },
    )
    lang = fields.String(validate=validate.OneOf(LANGUAGES))

    @validates("q")
    def _has_words(self, value, **kwargs):
        if not normalise(value):
            raise ValidationError("Write a few words about the problem (letters or digits).")


class SuggestionOut(Schema):
    code = fields.String(metadata={"example": "nid-de-poule"})
    name = fields.String(metadata={"example": "Nid-de-poule"})
    score = fields.Float(
        metadata={"description": "The model's probability that this is the service, 0 to 1."}
    )


class SuggestionListOut(Schema):
    written_in = fields.String(
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": "The language q seems written in (Darija counts as ar)."},
    )
    items = fields.List(
        fields.Nested(SuggestionOut),
        metadata={"description": "The three likeliest services, best first."},
    )


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
