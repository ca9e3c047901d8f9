"""The report token, read one way for every endpoint that needs it (feedback, adding a
photo): a code that names no report is 404 before any token is asked for; then one answer
for a missing token and one for a wrong one, in one realm."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.helpers import report
from tests.photos import images

PROBLEM = "urn:casa311:problem:"


def send_feedback(client, code, headers):
    return client.post(
        f"/api/v1/requests/{code}/feedback", json={"comment": "Merci"}, headers=headers
    )


def send_photo(client, code, headers):
    values = MultiDict([("photo", FileStorage(io.BytesIO(images.png()), filename="p.png"))])
    boundary, body = encode_multipart(values)
    return client.post(
        f"/api/v1/requests/{code}/photos",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=headers,
    )


ENDPOINTS = {"feedback": send_feedback, "photos": send_photo}


@pytest.fixture
def filed(client):
    created = report(client).json
    return created["tracking_code"], created["report_token"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_unknown_code_is_404_before_any_token(client, filed, endpoint):
    _, token = filed
    for headers in ({}, {"Authorization": f"Bearer {token}"}):
        response = ENDPOINTS[endpoint](client, "ZZZZ-ZZZZ", headers)
        assert response.status_code == 404
        assert response.json["type"] == PROBLEM + "not-found"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_missing_token_is_401_report_token_required(client, filed, endpoint):
    code, _ = filed
    response = ENDPOINTS[endpoint](client, code, {})
    assert response.status_code == 401
    assert response.json["type"] == PROBLEM + "report-token-required"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="casa311 report"'


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("header", ["Authorization", "X-Report-Token"])
def test_a_wrong_token_is_403_report_token_invalid(client, filed, endpoint, header):
    code, _ = filed
    other = report(client).json["report_token"]
    value = f"Bearer {other}" if header == "Authorization" else other
    response = ENDPOINTS[endpoint](client, code, {header: value})
    assert response.status_code == 403
    assert response.json["type"] == PROBLEM + "report-token-invalid"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_the_reports_own_token_is_accepted(client, filed, endpoint):
    code, token = filed
    response = ENDPOINTS[endpoint](client, code, {"X-Report-Token": token})
    assert response.status_code in (200, 201), response.get_data(as_text=True)
