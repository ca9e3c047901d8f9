"""Residents' "me too" raises a ticket in the queue; clerks see possible duplicates."""

from __future__ import annotations

from tests.helpers import DOWNTOWN
from tests.triage.helpers import LIGHT, new_ticket, patch, read


def support(client, code, devices):
    for device in devices:
        response = client.post(
            f"/api/v1/requests/{code}/supporters", json={"device_id": f"device-{device:04d}"}
        )
        assert response.status_code == 201, response.json


def test_supporters_raise_the_effective_priority_and_the_queue_order(client, as_):
    headers = as_("amina")
    quiet = new_ticket(client)["tracking_code"]
    popular = new_ticket(client, lat=DOWNTOWN["lat"] + 0.01)["tracking_code"]
    support(client, popular, range(3))  # three residents: two steps up

    ticket = read(client, headers, popular).json
    assert (ticket["priority"], ticket["effective_priority"]) == ("normal", "urgent")
    assert ticket["supporters"] == 3
    queue = client.get("/api/v1/triage/requests?sort=priority", headers=headers).json["items"]
    codes = [item["tracking_code"] for item in queue]
    assert codes.index(popular) < codes.index(quiet)


def test_a_ticket_lists_nearby_open_reports_of_its_type(client, as_):
    headers = as_("amina")
    first = new_ticket(client)["tracking_code"]
    close = new_ticket(client, lat=DOWNTOWN["lat"] + 0.0005)["tracking_code"]  # ~55 m
    new_ticket(client, lat=DOWNTOWN["lat"] + 0.01)  # ~1.1 km: too far
    new_ticket(client, **LIGHT)  # same place, another type (and department)

    nearby = read(client, headers, first).json["nearby"]
    assert [n["tracking_code"] for n in nearby] == [close]
    assert 40 < nearby[0]["distance_m"] < 70


def test_nearby_never_shows_another_departments_tickets(client, as_):
    one = new_ticket(client)["tracking_code"]
    two = new_ticket(client)["tracking_code"]
    assert [n["tracking_code"] for n in read(client, as_("amina"), one).json["nearby"]] == [two]
    # A supervisor sends the second pothole to another department: it stays a possible
    # duplicate, but the voirie clerk may no longer learn that it exists.
    assert patch(client, as_("sara"), two, department="eclairage").status_code == 200
    assert read(client, as_("amina"), one).json["nearby"] == []
    assert read(client, as_("karim"), two).json["nearby"] == []
