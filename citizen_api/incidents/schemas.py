"""Schemas of the incident endpoints, named by role."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from citizen_api.domain.incidents import MAX_CODES, REPORT_STATUS

MAX_NOTE = 4000


class AttachIn(Schema):
    """Which reports to link: `codes`, or `open_reports: true` for every open report of
    the incident's services inside its areas or polygon."""

    codes = fields.List(
        fields.String(validate=validate.Length(1, 20)), validate=validate.Length(1, MAX_CODES)
    )
    open_reports = fields.Boolean()

    @validates_schema
    def one_way(self, data, **kwargs):
        if ("codes" in data) == bool(data.get("open_reports")):
            raise ValidationError("Send either codes or open_reports: true.")


class IncidentIn(Schema):
    title = fields.String(required=True, validate=validate.Length(1, 200))
    areas = fields.List(
        fields.String(validate=validate.Length(1, 64)), validate=validate.Length(max=20)
    )
    polygon = fields.Dict(allow_none=True)
    services = fields.List(
        fields.String(validate=validate.Length(1, 64)), validate=validate.Length(max=20)
    )
    department = fields.String(
        validate=validate.Length(1, 64), metadata={"description": "Admins only"}
    )
    attach = fields.Nested(AttachIn)


class IncidentUpdateIn(Schema):
    status = fields.String(required=True, validate=validate.OneOf(tuple(REPORT_STATUS)))
    public_note = fields.String(validate=validate.Length(1, MAX_NOTE))


class IncidentOut(Schema):
    id = fields.Integer()
    title = fields.String()
    status = fields.String()
    department = fields.String()
    areas = fields.List(fields.String())
    services = fields.List(fields.String())
    public_note = fields.String(allow_none=True)
    alert_id = fields.Integer(allow_none=True)
    expected_at = fields.DateTime(allow_none=True)
    reports = fields.Integer(metadata={"description": "How many reports are linked"})
    tracking_codes = fields.List(fields.String())
    moved = fields.Integer(metadata={"description": "Reports this call moved or linked"})


class IncidentListArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    cursor = fields.String(
        validate=validate.Length(1, 200),
        metadata={"description": "The next_cursor of the previous page"},
    )


class IncidentList(Schema):
    items = fields.List(fields.Nested(IncidentOut))
    next_cursor = fields.String(allow_none=True)
