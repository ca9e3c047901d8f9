"""SLAs: due times, the overdue flag and filter, the queue's sorts and the summary."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from citizen_api.extensions import db
from tests.triage.helpers import LIGHT, move, new_ticket, patch

QUEUE = "/api/v1/triage/requests"


def make_late(app, code: str, hours: int = 5) -> None:
    """Move a ticket's due time into the past (as if its SLA had run out)."""
    with app.app_context():
        db.session.execute(
            text("UPDATE service_requests SET expected_at = :at WHERE tracking_code = :code"),
            {"at": dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours), "code": code},
        )
        db.session.commit()


def queue(client, headers, query=""):
    response = client.get(f"{QUEUE}{query}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json["items"]


def test_the_due_time_follows_the_service_types_sla(client, as_):
    pothole = new_ticket(client)  # 72 h
    light = new_ticket(client, **LIGHT)  # 48 h
    for ticket, hours in ((pothole, 72), (light, 48)):
        filed = dt.datetime.fromisoformat(ticket["requested_at"])
        due = dt.datetime.fromisoformat(ticket["expected_at"])
        assert abs((due - filed) - dt.timedelta(hours=hours)) < dt.timedelta(seconds=5)


def test_an_open_ticket_past_its_due_time_is_overdue(app, client, as_):
    late = new_ticket(client)["tracking_code"]
    on_time = new_ticket(client)["tracking_code"]
    make_late(app, late)
    items = {i["tracking_code"]: i["overdue"] for i in queue(client, as_("amina"))}
    assert items == {late: True, on_time: False}
    assert [i["tracking_code"] for i in queue(client, as_("amina"), "?overdue=true")] == [late]
    assert [i["tracking_code"] for i in queue(client, as_("amina"), "?overdue=false")] == [on_time]


def test_a_closed_ticket_is_never_overdue(app, client, as_):
    code = new_ticket(client)["tracking_code"]
    move(client, as_("amina"), code, "acknowledged", "in_progress", "resolved")
    make_late(app, code)
    assert queue(client, as_("amina"), "?overdue=true") == []
    assert queue(client, as_("amina"))[0]["overdue"] is False


def test_the_queue_sorts_by_due_time_and_priority(app, client, as_):
    first, second, third = (new_ticket(client)["tracking_code"] for _ in range(3))
    make_late(app, second, hours=10)
    make_late(app, third, hours=5)
    patch(client, as_("amina"), first, priority="urgent")
    patch(client, as_("amina"), third, priority="low")
    order = [i["tracking_code"] for i in queue(client, as_("amina"), "?sort=due")]
    assert order == [second, third, first]
    order = [i["tracking_code"] for i in queue(client, as_("amina"), "?sort=priority")]
    assert order == [first, second, third]
    order = [i["tracking_code"] for i in queue(client, as_("amina"), "?sort=-requested")]
    assert order == [third, second, first]
    assert client.get(f"{QUEUE}?sort=oldest", headers=as_("amina")).status_code == 422


def test_the_queue_filters_by_assignee_and_priority(client, as_):
    mine, theirs, nobodys = (new_ticket(client)["tracking_code"] for _ in range(3))
    patch(client, as_("amina"), mine, assignee="amina", priority="high")
    patch(client, as_("youssef"), theirs, assignee="youssef")

    def listed(query):
        return {i["tracking_code"] for i in queue(client, as_("amina"), query)}

    assert listed("?assignee=me") == {mine}
    assert listed("?assignee=youssef") == {theirs}
    assert listed("?assignee=none") == {nobodys}
    assert listed("?priority=high,urgent") == {mine}
    assert listed("?status=submitted&assignee=me") == {mine}
    unknown = client.get(f"{QUEUE}?assignee=ghost", headers=as_("amina"))
    assert unknown.status_code == 422


def test_the_queue_pages_with_a_cursor(client, as_):
    codes = {new_ticket(client)["tracking_code"] for _ in range(3)}
    first = client.get(f"{QUEUE}?limit=2", headers=as_("amina"))
    assert len(first.json["items"]) == 2 and 'rel="next"' in first.headers["Link"]
    cursor = first.json["next_cursor"]
    second = client.get(f"{QUEUE}?limit=2&cursor={cursor}", headers=as_("amina")).json
    assert second["next_cursor"] is None
    seen = {i["tracking_code"] for i in first.json["items"] + second["items"]}
    assert seen == codes
    bad = client.get(f"{QUEUE}?cursor=bm9wZQ", headers=as_("amina"))
    assert bad.status_code == 422 and "cursor" in bad.json["errors"]


def test_the_summary_counts_per_department_and_status(app, client, as_):
    a, _, c = (new_ticket(client)["tracking_code"] for _ in range(3))
    new_ticket(client, **LIGHT)
    move(client, as_("amina"), c, "acknowledged")
    make_late(app, a, hours=2)
    response = client.get("/api/v1/triage/summary", headers=as_("root"))
    assert response.status_code == 200
    by_code = {d["code"]: d for d in response.json["departments"]}
    voirie = by_code["voirie"]
    assert (voirie["total"], voirie["overdue"]) == (3, 1)
    statuses = {s["status"]: s for s in voirie["statuses"]}
    assert (statuses["submitted"]["count"], statuses["submitted"]["overdue"]) == (2, 1)
    assert statuses["acknowledged"]["count"] == 1
    assert 0 <= statuses["submitted"]["median_age_hours"] < 1
    assert by_code["eclairage"]["total"] == 1


def test_the_summary_median_age(app, client, as_):
    codes = [new_ticket(client)["tracking_code"] for _ in range(3)]
    with app.app_context():
        for code, hours in zip(codes, (10, 20, 60), strict=True):
            db.session.execute(
                text("UPDATE service_requests SET requested_at = :at WHERE tracking_code = :c"),
                {"at": dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours), "c": code},
            )
        db.session.commit()
    departments = client.get("/api/v1/triage/summary", headers=as_("amina")).json["departments"]
    assert departments[0]["statuses"][0]["median_age_hours"] == pytest.approx(20, abs=0.2)
