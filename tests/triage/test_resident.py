"""What residents see of triage: public history only, and their feedback with the
report token."""

from __future__ import annotations

import orjson

from tests.triage.helpers import move, new_ticket, patch, read

SECRET_NOTE = "Le chef de chantier est en congé."


def feedback(client, code, token=None, header="Authorization", **body):
    headers = {}
    if token is not None:
        headers = (
            {"Authorization": f"Bearer {token}"}
            if header == "Authorization"
            else {"X-Report-Token": token}
        )
    return client.post(f"/api/v1/requests/{code}/feedback", json=body, headers=headers)


def resolved_ticket(client, as_) -> tuple[str, str]:
    ticket = new_ticket(client)
    move(client, as_("amina"), ticket["tracking_code"], "acknowledged", "in_progress", "resolved")
    return ticket["tracking_code"], ticket["report_token"]


def test_the_report_token_is_given_once_at_creation(client):
    ticket = new_ticket(client)
    assert len(ticket["report_token"]) >= 40
    again = client.get(f"/api/v1/requests/{ticket['tracking_code']}")
    assert "report_token" not in again.json
    assert ticket["report_token"] not in again.get_data(as_text=True)


def test_the_public_history_shows_public_events_signed_by_the_department(client, as_):
    code = new_ticket(client)["tracking_code"]
    patch(client, as_("sara"), code, assignee="amina", internal_note=SECRET_NOTE, priority="high")
    patch(client, as_("amina"), code, status="acknowledged", public_note="Nous arrivons.")
    response = client.get(f"/api/v1/requests/{code}", headers={"Accept-Language": "en"})
    history = response.json["history"]
    assert [(h["event"], h["status"], h["note"]) for h in history] == [
        ("submitted", "submitted", None),
        ("status", "acknowledged", "Nous arrivons."),
    ]
    assert history[1]["department"] == {
        "code": "voirie",
        "name": "Roads directorate (main roads)",
    }
    raw = response.get_data(as_text=True)
    for secret in (SECRET_NOTE, "amina", "sara", "high", "assignee", "priority"):
        assert secret not in raw


def test_no_public_list_or_page_carries_internal_fields(client, as_):
    code = new_ticket(client, phone="0612345678")["tracking_code"]
    patch(client, as_("amina"), code, assignee="amina", internal_note=SECRET_NOTE)
    for url in ("/api/v1/requests", f"/api/v1/requests/{code}"):
        raw = client.get(url).get_data(as_text=True)
        for secret in (SECRET_NOTE, "amina", "612345678", "+212", "•"):
            assert secret not in raw.replace(code, ""), (url, secret)


def test_the_clerk_sees_the_reporters_phone_masked_only(client, as_):
    code = new_ticket(client, phone="06 12 34 56 78")["tracking_code"]
    response = read(client, as_("amina"), code)
    assert response.json["reporter_phone"] == "+212 6•• ••• •78"
    assert "612345678" not in response.get_data(as_text=True)


def test_the_resident_confirms_a_resolved_report(client, as_):
    code, token = resolved_ticket(client, as_)
    response = feedback(client, code, token, action="confirm")
    assert response.status_code == 200
    assert response.json["status"] == "closed"
    assert response.json["history"][-1]["event"] == "resident_confirmed"
    event = read(client, as_("amina"), code).json["events"][-1]
    assert (event["actor"], event["to_status"]) == ("resident", "closed")


def test_the_resident_says_it_is_not_fixed_and_comments(client, as_):
    code, token = resolved_ticket(client, as_)
    response = feedback(
        client, code, token, header="X-Report-Token", action="not_fixed", comment="Toujours là."
    )
    assert response.status_code == 200
    assert response.json["status"] == "in_progress"
    assert "Toujours là." not in orjson.dumps(response.json).decode()
    events = read(client, as_("amina"), code).json["events"]
    assert [(e["kind"], e["note"]) for e in events[-2:]] == [
        ("resident_reopened", None),
        ("resident_comment", "Toujours là."),
    ]


def test_a_comment_is_accepted_at_any_status(client, as_):
    ticket = new_ticket(client)
    response = feedback(client, ticket["tracking_code"], ticket["report_token"], comment="Merci")
    assert response.status_code == 200 and response.json["status"] == "submitted"


def test_only_a_resolved_report_can_be_confirmed_or_reopened(client, as_):
    ticket = new_ticket(client)
    for action in ("confirm", "not_fixed"):
        response = feedback(client, ticket["tracking_code"], ticket["report_token"], action=action)
        assert response.status_code == 409
    assert read(client, as_("amina"), ticket["tracking_code"]).json["status"] == "submitted"


def test_feedback_needs_this_reports_token(client, as_):
    code, _ = resolved_ticket(client, as_)
    other = new_ticket(client)["report_token"]
    assert feedback(client, code, action="confirm").status_code == 401
    assert feedback(client, code, other, action="confirm").status_code == 403
    assert (
        feedback(client, code, "guess", header="X-Report-Token", action="confirm").status_code
        == 403
    )
    clerk_token = as_("amina")["Authorization"].split()[1]
    assert feedback(client, code, clerk_token, action="confirm").status_code == 403
    assert read(client, as_("amina"), code).json["status"] == "resolved"


def test_feedback_input_is_validated(client, as_):
    code, token = resolved_ticket(client, as_)
    assert feedback(client, code, token).status_code == 422
    assert feedback(client, code, token, action="close").status_code == 422
    assert feedback(client, code, token, action="confirm", status="closed").status_code == 422
    assert feedback(client, "ZZZZ-ZZZZ", token, action="confirm").status_code == 404
