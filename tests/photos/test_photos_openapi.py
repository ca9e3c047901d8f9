"""The OpenAPI document describes the multipart bodies of the photo endpoints as the app
reads them: the report's fields, up to 3 binary `photo` parts, problem+json errors."""

from __future__ import annotations

import pytest

from citizen_api.photos.openapi import PHOTOS_AT_CREATION
from citizen_api.reports.schemas import ServiceRequestIn

ERRORS = {"413", "415", "422", "503"}


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get("/api/v1/openapi.json").json


def operation(document, path):
    return document["paths"][path]["post"]


def test_report_creation_takes_json_or_a_form_with_up_to_three_photos(document):
    op = operation(document, "/api/v1/requests")
    content = op["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    form = content["multipart/form-data"]["schema"]
    loadable = {name for name, field in ServiceRequestIn().fields.items() if not field.dump_only}
    assert set(form["properties"]) == loadable | {"photo"}
    assert set(form["required"]) == {"service_code", "lat", "long"}
    assert form["additionalProperties"] is False
    photo = form["properties"]["photo"]
    assert photo["maxItems"] == PHOTOS_AT_CREATION == 3
    assert photo["items"] == {**photo["items"], "type": "string", "format": "binary"}


def test_adding_a_photo_takes_one_binary_part_and_the_report_token(document):
    op = operation(document, "/api/v1/requests/{code}/photos")
    form = op["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["required"] == ["photo"]
    assert form["properties"]["photo"]["format"] == "binary"
    assert {"reportToken", "reportTokenHeader"} == {k for s in op["security"] for k in s}


@pytest.mark.parametrize(
    ("path", "statuses"),
    [
        ("/api/v1/requests", ERRORS),
        ("/api/v1/requests/{code}/photos", ERRORS | {"401", "403", "404", "409"}),
    ],
)
def test_photo_errors_are_documented_as_problem_json(document, path, statuses):
    responses = operation(document, path)["responses"]
    assert statuses <= set(responses)
    for status in statuses:
        response = responses[status]
        if "$ref" in response:  # a shared response (e.g. the 400/415 every body may get)
            response = document["components"]["responses"][response["$ref"].split("/")[-1]]
        assert set(response["content"]) == {"application/problem+json"}, status
