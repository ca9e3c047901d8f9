"""Open311 fixtures: an API key issued through the CLI, and helpers to speak GeoReport v2."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from citizen_api.extensions import db
from models import RequestEvent, ServiceRequest
from tests.helpers import DOWNTOWN

V2 = "/open311/v2"
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def issue(app, name: str | None = None) -> str:
    name = name or f"partner-{uuid.uuid4().hex[:8]}"
    result = app.test_cli_runner().invoke(args=["apikeys", "create", name])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


@pytest.fixture
def api_key(app) -> str:
    return issue(app)


def create(client, key, fmt="json", **fields):
    """POST a valid form-encoded pothole request, overridden by `fields` (None drops one)."""
    form = {
        "api_key": key,
        "service_code": "nid-de-poule",
        "lat": str(DOWNTOWN["lat"]),
        "long": str(DOWNTOWN["long"]),
        **fields,
    }
    form = {k: v for k, v in form.items() if v is not None}
    return client.post(f"{V2}/requests.{fmt}", data=form)


def created_id(client, key, **fields) -> str:
    response = create(client, key, **fields)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json[0]["service_request_id"]


def parse_xml(response) -> ET.Element:
    """The XML body, checked for the spec's declaration and content type."""
    assert response.content_type == "text/xml; charset=utf-8"
    body = response.get_data()
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(body)
    assert "}" not in root.tag  # no namespace
    return root


def errors_of(response, fmt) -> list[dict]:
    """The spec's error array, in either format."""
    if fmt == "json":
        assert response.content_type == "application/json; charset=utf-8"
        assert isinstance(response.json, list) and response.json
        return response.json
    root = parse_xml(response)
    assert root.tag == "errors" and len(root)
    assert all(e.tag == "error" and [c.tag for c in e] == ["code", "description"] for e in root)
    return [
        {"code": int(e.findtext("code")), "description": e.findtext("description")} for e in root
    ]


def change_status(app, code, status, note=None, public=True, **columns):
    """What a clerk's triage does: a new status, an event in the history (and columns)."""
    with app.app_context():
        report = db.session.scalar(
            select(ServiceRequest).where(ServiceRequest.tracking_code == code)
        )
        report.events.append(
            RequestEvent(
                kind="status_changed",
                from_status=report.status,
                to_status=status,
                public=public,
                note=note,
                actor="clerk:test",
            )
        )
        report.status = status
        for name, value in columns.items():
            setattr(report, name, value)
        db.session.commit()
        db.session.remove()
