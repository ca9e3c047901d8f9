"""Helpers of the triage tests."""

from __future__ import annotations

from tests.helpers import report

LIGHT = {"service_code": "eclairage-panne"}  # routed to the eclairage department


def new_ticket(client, **fields) -> dict:
    """File a report (a pothole -> voirie, unless fields say otherwise); its 201 body."""
    response = report(client, **fields)
    assert response.status_code == 201, response.json
    return response.json


def read(client, headers, code):
    return client.get(f"/api/v1/triage/requests/{code}", headers=headers)


def patch(client, headers, code, etag=None, **body):
    """PATCH a ticket with the ETag just read (or the one given)."""
    if etag is None:
        etag = read(client, headers, code).headers["ETag"]
    return client.patch(
        f"/api/v1/triage/requests/{code}", json=body, headers={**headers, "If-Match": etag}
    )


def move(client, headers, code, *statuses, **extra):
    """Walk a ticket through statuses, asserting each step succeeds."""
    for status in statuses:
        response = patch(client, headers, code, status=status, **extra)
        assert response.status_code == 200, response.json
    return response
