"""What each role may set through PATCH: a field a role may not set is refused whole."""

from __future__ import annotations

import pytest

from tests.triage.helpers import new_ticket, patch, read


def test_a_clerk_may_not_reroute_a_ticket(client, as_):
    code = new_ticket(client)["tracking_code"]
    response = patch(client, as_("amina"), code, department="eclairage", priority="high")
    assert response.status_code == 403
    assert set(response.json["errors"]) == {"department"}
    assert response.json["detail"] == "Your role may not change: department."
    ticket = read(client, as_("amina"), code).json
    assert ticket["department"]["code"] == "voirie" and ticket["priority"] == "normal"
    assert len(ticket["events"]) == 1


def test_a_clerk_takes_a_ticket_and_releases_it(client, as_):
    code = new_ticket(client)["tracking_code"]
    taken = patch(client, as_("amina"), code, assignee="amina")
    assert taken.status_code == 200 and taken.json["assignee"] == "amina"
    released = patch(client, as_("amina"), code, assignee=None)
    assert released.status_code == 200 and released.json["assignee"] is None


def test_a_clerk_may_not_assign_a_colleague_or_unassign_one(client, as_):
    code = new_ticket(client)["tracking_code"]
    assert patch(client, as_("amina"), code, assignee="youssef").status_code == 403
    assert patch(client, as_("youssef"), code, assignee="youssef").status_code == 200
    response = patch(client, as_("amina"), code, assignee=None)
    assert response.status_code == 403
    assert read(client, as_("amina"), code).json["assignee"] == "youssef"


def test_a_supervisor_assigns_a_clerk_of_the_department(client, as_):
    code = new_ticket(client)["tracking_code"]
    response = patch(client, as_("sara"), code, assignee="youssef")
    assert response.status_code == 200 and response.json["assignee"] == "youssef"
    event = response.json["events"][-1]
    assert event["kind"] == "assignment" and event["actor"] == "sara" and not event["public"]


def test_nobody_is_assigned_outside_the_tickets_department(client, as_):
    code = new_ticket(client)["tracking_code"]
    for username in ("karim", "root", "ghost"):
        response = patch(client, as_("sara"), code, assignee=username)
        assert response.status_code == 422, username
        assert "assignee" in response.json["errors"]


def test_a_supervisor_sends_a_ticket_to_another_department(client, as_):
    code = new_ticket(client)["tracking_code"]
    patch(client, as_("sara"), code, assignee="amina")
    response = patch(client, as_("sara"), code, department="eclairage")
    assert response.status_code == 200
    assert response.json["department"]["code"] == "eclairage"
    assert response.json["assignee"] is None
    assert response.json["routing_reason"] == "rerouted by sara from voirie to eclairage"
    # It left voirie's scope and entered eclairage's.
    assert read(client, as_("sara"), code).status_code == 404
    assert read(client, as_("amina"), code).status_code == 404
    ticket = read(client, as_("karim"), code).json
    last = ticket["events"][-1]
    assert (last["kind"], last["note"], last["public"]) == ("rerouted", "voirie -> eclairage", True)
    public = client.get(f"/api/v1/requests/{code}").json
    assert public["department"]["code"] == "eclairage"
    assert public["history"][-1]["department"]["code"] == "eclairage"


def test_rerouting_to_an_unknown_department_is_422(client, as_):
    code = new_ticket(client)["tracking_code"]
    response = patch(client, as_("sara"), code, department="nowhere")
    assert response.status_code == 422 and "department" in response.json["errors"]


def test_server_set_fields_are_refused(client, as_):
    code = new_ticket(client)["tracking_code"]
    for field, value in (
        ("expected_at", "2030-01-01T00:00:00Z"),
        ("tracking_code", "AAAA-BBBB"),
        ("version", 1),
        ("closed_at", None),
    ):
        response = patch(client, as_("root"), code, **{field: value})
        assert response.status_code == 422, field
        assert field in response.json["errors"]


def test_an_empty_or_invalid_change_is_422(client, as_):
    code = new_ticket(client)["tracking_code"]
    assert patch(client, as_("amina"), code).status_code == 422
    assert patch(client, as_("amina"), code, priority="asap").status_code == 422
    assert patch(client, as_("amina"), code, status="done").status_code == 422
    response = client.patch(
        f"/api/v1/triage/requests/{code}",
        data="status=closed",
        headers={**as_("amina"), "If-Match": '"x"'},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415


@pytest.mark.parametrize("who", ["amina", "sara"])
def test_an_unknown_and_an_out_of_scope_assignee_filter_answer_alike(client, as_, who):
    """The queue's assignee filter must not tell which usernames exist elsewhere."""
    queue = "/api/v1/triage/requests"
    ghost = client.get(f"{queue}?assignee=doesnotexist", headers=as_(who))
    other = client.get(f"{queue}?assignee=karim", headers=as_(who))  # an eclairage clerk
    assert (ghost.status_code, other.status_code) == (422, 422)
    ghost_says = ghost.json["errors"]["assignee"][0].replace("doesnotexist", "karim")
    assert ghost_says == other.json["errors"]["assignee"][0]
    own = client.get(f"{queue}?assignee=youssef", headers=as_(who))  # same department
    assert own.status_code == 200


@pytest.mark.parametrize("name", ["doesnotexist", "karim", "root"])
def test_assigning_an_unknown_or_out_of_scope_clerk_answers_alike(client, as_, name):
    code = new_ticket(client)["tracking_code"]
    response = patch(client, as_("sara"), code, assignee=name)
    assert response.status_code == 422
    assert response.json["errors"]["assignee"] == [
        f"No active clerk of this report's department is named {name!r}."
    ]
