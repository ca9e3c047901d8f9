"""Pieces of the OpenAPI document shared by the resource blueprints: how errors look."""

from __future__ import annotations

from marshmallow import Schema, fields

from citizen_api.web.errors import PROBLEM_MIMETYPE


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "For invalid input: field -> what is wrong with it"},
    )


def problem_response(blp, status: int, description: str, headers: dict | None = None):
    """Document an error answer of a view: problem+json with this meaning."""
    return blp.alt_response(
        status,
        schema=ProblemSchema,
        content_type=PROBLEM_MIMETYPE,
        description=description,
        headers=headers,
    )


RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}
