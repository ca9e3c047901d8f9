"""Status changes made in triage reach the reporter, and clerks see each message's state."""

from __future__ import annotations

from tests.triage.helpers import move, new_ticket, patch, read


def test_a_public_status_change_queues_a_message_clerks_can_follow(client, as_):
    headers = as_("amina")
    code = new_ticket(client, phone="0612345678", lang="ar")["tracking_code"]
    assert patch(client, headers, code, status="acknowledged").status_code == 200
    move(client, headers, code, "in_progress")
    assert patch(client, headers, code, internal_note="appeler l'équipe B").status_code == 200

    ticket = read(client, headers, code).json
    kinds = [m["kind"] for m in ticket["messages"]]
    assert kinds == ["receipt", "status", "status"]  # the internal note sends nothing
    for message in ticket["messages"]:
        assert message["to"] == "+212 6•• ••• •78"
        assert message["state"] in ("pending", "sent", "delivered")
        assert message["attempts"] >= 0
    assert "612345678" not in read(client, headers, code).get_data(as_text=True)


def test_a_report_without_a_phone_has_no_messages(client, as_):
    headers = as_("amina")
    code = new_ticket(client)["tracking_code"]
    assert patch(client, headers, code, status="acknowledged").status_code == 200
    assert read(client, headers, code).json["messages"] == []
