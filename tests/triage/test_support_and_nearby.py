"""Residents' "me too" raises a ticket in the queue; clerks see possible duplicates."""

from __future__ import annotations

from tests.duplicates.test_verified_support import texts_us
from tests.helpers import DOWNTOWN
from tests.triage.helpers import LIGHT, new_ticket, patch, read


def support(client, app, code, devices, confirmed=True):
    """One "me too" per device, each vouched for by its own report with a phone that has
    (confirmed) or has not texted casa311."""
    for device in devices:
        mine = new_ticket(client, phone=f"06620000{device:02d}", lat=DOWNTOWN["lat"] - 0.01)
        if confirmed:
            texts_us(app, f"+2126620000{device:02d}")
        body = {
            "device_id": f"device-{device:04d}",
            "my_report": mine["tracking_code"],
            "my_report_token": mine["report_token"],
        }
        response = client.post(f"/api/v1/requests/{code}/supporters", json=body)
        assert response.status_code == 201, response.json


def test_confirmed_supporters_raise_the_effective_priority_and_the_queue_order(app, client, as_):
    headers = as_("amina")
    quiet = new_ticket(client)["tracking_code"]
    popular = new_ticket(client, lat=DOWNTOWN["lat"] + 0.01)["tracking_code"]
    support(client, app, popular, range(3))  # three residents with confirmed phones

    ticket = read(client, headers, popular).json
    assert (ticket["priority"], ticket["effective_priority"]) == ("normal", "urgent")
    assert ticket["supporters"] == 3
    queue = client.get("/api/v1/triage/requests?sort=priority", headers=headers).json["items"]
    codes = [item["tracking_code"] for item in queue]
    assert codes.index(popular) < codes.index(quiet)


def test_unconfirmed_supporters_leave_the_priority_alone(app, client, as_):
    code = new_ticket(client)["tracking_code"]
    support(client, app, code, range(10, 17), confirmed=False)  # seven: used to be urgent
    ticket = read(client, as_("amina"), code).json
    assert (ticket["supporters"], ticket["effective_priority"]) == (7, "normal")


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
