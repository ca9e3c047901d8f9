"""Department scoping: each role sees and changes only what it may; others' tickets are
404, exactly like codes that do not exist."""

from __future__ import annotations

import pytest

from tests.triage.helpers import LIGHT, new_ticket, patch, read

QUEUE = "/api/v1/triage/requests"


def codes(response) -> set[str]:
    assert response.status_code == 200, response.json
    return {item["tracking_code"] for item in response.json["items"]}


@pytest.mark.parametrize("username", ["karim", "hind"])
def test_another_departments_ticket_is_404_for_reading(client, as_, username):
    pothole = new_ticket(client)["tracking_code"]
    response = read(client, as_(username), pothole)
    missing = read(client, as_(username), "ZZZZ-ZZZZ")
    assert response.status_code == missing.status_code == 404
    assert response.json["type"] == missing.json["type"]


@pytest.mark.parametrize("username", ["karim", "hind"])
def test_another_departments_ticket_is_404_for_changing(client, as_, username):
    pothole = new_ticket(client)["tracking_code"]
    etag = read(client, as_("amina"), pothole).headers["ETag"]
    response = patch(client, as_(username), pothole, etag=etag, status="acknowledged")
    assert response.status_code == 404
    assert read(client, as_("amina"), pothole).json["status"] == "submitted"


@pytest.mark.parametrize(
    ("username", "sees_pothole", "sees_light"),
    [
        ("amina", True, False),
        ("sara", True, False),
        ("karim", False, True),
        ("hind", False, True),
        ("root", True, True),
    ],
)
def test_the_queue_lists_only_the_callers_scope(client, as_, username, sees_pothole, sees_light):
    pothole = new_ticket(client)["tracking_code"]
    light = new_ticket(client, **LIGHT)["tracking_code"]
    listed = codes(client.get(QUEUE, headers=as_(username)))
    assert (pothole in listed) is sees_pothole
    assert (light in listed) is sees_light


def test_filtering_on_another_department_finds_nothing(client, as_):
    new_ticket(client, **LIGHT)
    assert codes(client.get(f"{QUEUE}?department=eclairage", headers=as_("amina"))) == set()
    assert len(codes(client.get(f"{QUEUE}?department=eclairage", headers=as_("root")))) == 1


def test_an_admin_reads_and_changes_any_department(client, as_):
    light = new_ticket(client, **LIGHT)["tracking_code"]
    response = patch(client, as_("root"), light, status="acknowledged")
    assert response.status_code == 200
    assert response.json["status"] == "acknowledged"


def test_the_summary_counts_only_the_callers_scope(client, as_):
    new_ticket(client)
    new_ticket(client, **LIGHT)
    departments = client.get("/api/v1/triage/summary", headers=as_("amina")).json["departments"]
    assert [d["code"] for d in departments] == ["voirie"]
    everything = client.get("/api/v1/triage/summary", headers=as_("root")).json["departments"]
    assert {d["code"] for d in everything} == {"voirie", "eclairage"}


def test_a_duplicate_cannot_point_into_another_department(client, as_):
    pothole = new_ticket(client)["tracking_code"]
    light = new_ticket(client, **LIGHT)["tracking_code"]
    response = patch(client, as_("amina"), pothole, status="duplicate", duplicate_of=light)
    assert response.status_code == 422
    assert "duplicate_of" in response.json["errors"]
