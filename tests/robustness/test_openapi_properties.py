"""Schemathesis against the app's own OpenAPI document: every /api/v1 operation, on both
databases, with generated valid and invalid input. No answer may be a 5xx, and every
answer must match the document (status code, content type, headers, body schema);
input the document forbids must be refused with a 4xx.

The operations are read from the document at collection time (building it needs no
database), so a new /api/v1 operation is tested without touching this file.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from citizen_api import create_app
from tests.conftest import clear_reports

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
EXAMPLES = int(os.environ.get("CASA311_API_EXAMPLES", "40"))


def _operations() -> list[tuple[str, str]]:
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "RATELIMIT_ENABLED": False})
    spec = app.test_client().get("/api/v1/openapi.json").json
    return [
        (method.upper(), path)
        for path, item in sorted(spec["paths"].items())
        if path.startswith("/api/v1/")
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


OPERATIONS = _operations()


@pytest.fixture(scope="module")
def api_schema(app):
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    clear_reports(app)


def test_the_document_has_operations_to_test():
    assert ("POST", "/api/v1/requests") in OPERATIONS
    assert ("GET", "/api/v1/requests") in OPERATIONS


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_keeps_to_its_document(api_schema, method, path):
    fuzz(api_schema[path][method])


def fuzz(operation, headers: dict | None = None) -> None:
    """Generated requests to one operation; every answer must keep to the document."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def exchange(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    exchange()


@pytest.fixture(scope="module")
def admin_token(app):
    """An admin's access token: the triage operations fuzzed past their sign-in check."""
    from citizen_api.domain.accounts import create_clerk
    from citizen_api.extensions import db
    from citizen_api.web.auth import issue_token

    with app.app_context():
        clerk = create_clerk(db.session, "fuzz-admin", "fuzz " * 4, "admin", None)
        db.session.commit()
        token = issue_token(clerk)[0]
        db.session.remove()
    return token


# Staff operations: triage (and incidents), and publishing alerts.
TRIAGE = [(m, p) for m, p in OPERATIONS if p.startswith(("/api/v1/triage/", "/api/v1/alerts"))]


@pytest.mark.parametrize(("method", "path"), TRIAGE, ids=[f"{m} {p}" for m, p in TRIAGE])
def test_triage_operations_keep_to_their_document_when_signed_in(
    api_schema, admin_token, method, path
):
    fuzz(api_schema[path][method], {"Authorization": f"Bearer {admin_token}"})
