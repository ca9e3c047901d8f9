"""One arguments parser for JSON and multipart bodies, on a flask-smorest Blueprint.

`@blp.arguments(Schema)` on a `Blueprint` from this module loads the body through the
schema whether it came as application/json or as multipart/form-data: a form's fields
become the body's members (an empty field is an absent one; a value is `FormText`, which
the typed fields of the schema parse), its files are left to the view. So one view, with
every decorator on it (rate limits, Idempotency-Key), serves both kinds of body
(flask-smorest's "arguments" docs: ARGUMENTS_PARSER on a Blueprint subclass).
"""

from __future__ import annotations

import flask_smorest
from marshmallow import ValidationError
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import MultiDict

from citizen_api.domain.report_fields import FormText

MULTIPART = "multipart/form-data"


def form_fields(form: MultiDict) -> tuple[dict, list[str]]:
    """A form's fields as a body, and the names of the fields that were sent twice."""
    data, repeated = {}, []
    for name in form:
        values = form.getlist(name)
        if len(values) > 1:
            repeated.append(name)
            continue
        value = values[0].strip()
        if value:  # an empty field is an absent one
            data[name] = FormText(value)
    return data, repeated


class JsonOrFormParser(FlaskParser):
    """Reads the `json` location from a multipart form too."""

    def load_json(self, req, schema):
        if req.mimetype != MULTIPART:
            return super().load_json(req, schema)
        data, repeated = form_fields(req.form)
        if repeated:  # refuse them with whatever else is wrong, in one answer
            errors = {name: ["Send this field once."] for name in repeated}
            try:
                schema.load(data)
            except ValidationError as exc:
                errors = {**exc.normalized_messages(), **errors}
            raise ValidationError(errors)
        return data


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest Blueprint whose JSON bodies may also come as multipart forms."""

    ARGUMENTS_PARSER = JsonOrFormParser()
