"""What clerks do shows through Open311 too: status, notes, duplicates."""

from __future__ import annotations

from tests.triage.helpers import move, new_ticket, patch


def test_a_duplicate_and_its_notes_show_through_open311(client, as_):
    headers = as_("amina")
    original = new_ticket(client)["tracking_code"]
    copy = new_ticket(client)["tracking_code"]
    response = patch(client, headers, copy, status="duplicate", duplicate_of=original)
    assert response.status_code == 200

    (record,) = client.get(f"/open311/v2/requests/{copy}.json?extensions=true").json
    assert record["status"] == "closed"
    assert record["extended_attributes"]["duplicate"] == original
    assert record["extended_attributes"]["detailed_status"] == "duplicate"
    (first,) = client.get(f"/open311/v2/requests/{original}.json?extensions=true").json
    assert first["extended_attributes"]["duplicate"] is None


def test_a_public_note_reaches_open311_status_notes(client, as_):
    headers = as_("amina")
    code = new_ticket(client)["tracking_code"]
    move(client, headers, code, "acknowledged")
    note = "Équipe prévue jeudi matin"
    assert patch(client, headers, code, status="in_progress", public_note=note).status_code == 200
    (record,) = client.get(f"/open311/v2/requests/{code}.json?extensions=true").json
    assert record["status"] == "open"
    assert note in record["status_notes"]
    assert any(n["description"] == note for n in record["notes"])
