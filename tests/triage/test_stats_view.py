"""Open statistics follow what clerks do: resolving counts once, with its time."""

from __future__ import annotations

from tests.triage.helpers import move, new_ticket, patch


def total(client):
    response = client.get("/api/v1/stats?service_code=nid-de-poule")
    assert response.status_code == 200
    return response.json["total"]


def test_resolving_then_closing_counts_one_resolution(client, as_):
    headers = as_("amina")
    code = new_ticket(client)["tracking_code"]
    new_ticket(client)  # a second pothole, left open
    assert total(client)["open"] == 2
    move(client, headers, code, "acknowledged", "in_progress", "resolved")
    after_resolve = total(client)
    assert (after_resolve["open"], after_resolve["resolved"]) == (1, 1)
    assert after_resolve["median_hours_to_resolve"] == 0
    assert after_resolve["resolved_within_sla_share"] == 1
    move(client, headers, code, "closed")
    assert total(client) == after_resolve  # closing does not count it again


def test_reopening_takes_the_resolution_back(client, as_):
    headers = as_("amina")
    code = new_ticket(client)["tracking_code"]
    move(client, headers, code, "acknowledged", "in_progress", "resolved")
    assert patch(client, headers, code, status="in_progress").status_code == 200
    stats = total(client)
    assert (stats["open"], stats["resolved"]) == (1, 0)
    assert stats["median_hours_to_resolve"] is None
