"""The triage summary counts each ticket once: a ticket grouped into an incident leaves the
status counts (as it leaves the queue) and is counted under its incident, each incident
once, overdue by its own due time."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from citizen_api.extensions import db
from tests.triage.helpers import LIGHT, new_ticket
from tests.triage.test_incidents import MAARIF, create, update
from tests.triage.test_sla import make_late

SUMMARY = "/api/v1/triage/summary"


def department(client, headers, code="voirie") -> dict:
    response = client.get(SUMMARY, headers=headers)
    assert response.status_code == 200, response.get_json()
    return {d["code"]: d for d in response.get_json()["departments"]}.get(code)


def test_grouped_tickets_are_counted_once_under_their_incident(client, as_):
    grouped = [new_ticket(client, **MAARIF)["tracking_code"] for _ in range(3)]
    new_ticket(client, **MAARIF)
    before = department(client, as_("amina"))
    assert before["total"] == 4 and before["grouped_tickets"] == 0 and before["incidents"] == []
    create(client, as_("amina"), attach={"codes": grouped})
    after = department(client, as_("amina"))
    assert after["total"] == 1
    assert after["statuses"] == [
        {"status": "submitted", "count": 1, "overdue": 0, "median_age_hours": 0.0}
    ]
    assert after["grouped_tickets"] == 3
    assert after["incidents"] == [{"status": "open", "count": 1, "overdue": 0, "tickets": 3}]
    # Every ticket once: alone in the statuses, or grouped under its incident.
    assert after["total"] + after["grouped_tickets"] == before["total"]


def test_an_incident_is_overdue_once_whatever_its_tickets(app, client, as_):
    grouped = [new_ticket(client, **MAARIF)["tracking_code"] for _ in range(3)]
    incident = create(client, as_("amina"), attach={"codes": grouped}).get_json()
    for code in grouped:
        make_late(app, code)
    with app.app_context():
        db.session.execute(
            text("UPDATE incidents SET expected_at = :at WHERE id = :id"),
            {"at": dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), "id": incident["id"]},
        )
        db.session.commit()
    voirie = department(client, as_("root"))
    assert voirie["overdue"] == 0  # the grouped tickets are not late three times
    assert voirie["incidents"] == [{"status": "open", "count": 1, "overdue": 1, "tickets": 3}]


def test_a_closed_incident_stays_counted_once_and_its_tickets_stay_out(client, as_):
    grouped = [new_ticket(client, **MAARIF)["tracking_code"] for _ in range(2)]
    incident = create(client, as_("amina"), attach={"codes": grouped}).get_json()
    closed = update(client, as_("amina"), incident["id"], status="closed", public_note="Réparé.")
    assert closed.status_code == 200, closed.get_json()
    voirie = department(client, as_("amina"))
    assert voirie["statuses"] == [] and voirie["total"] == 0
    assert voirie["incidents"] == [{"status": "closed", "count": 1, "overdue": 0, "tickets": 2}]


def test_a_clerk_sees_only_their_departments_incidents(client, as_):
    grouped = [new_ticket(client, **MAARIF)["tracking_code"] for _ in range(2)]
    create(client, as_("amina"), attach={"codes": grouped})
    new_ticket(client, **LIGHT)
    lighting = client.get(SUMMARY, headers=as_("karim")).get_json()["departments"]
    assert [d["code"] for d in lighting] == ["eclairage"]
    assert lighting[0]["incidents"] == [] and lighting[0]["grouped_tickets"] == 0
    assert department(client, as_("root"))["grouped_tickets"] == 2
