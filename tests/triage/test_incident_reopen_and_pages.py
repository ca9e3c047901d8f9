"""Incidents reopen (closed -> in_progress, the tickets' own rule and window) and their
list comes a page at a time, newest first, with a next cursor and a Link to it; ids past
BIGINT are a 404 like any unknown id (issue 12, what issue 14's Schemathesis run found)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from citizen_api.extensions import db
from models import Department, Incident, OutboundMessage
from tests.helpers import stored_report
from tests.triage.helpers import new_ticket
from tests.triage.test_incidents import MAARIF, create
from tests.triage.test_incidents import update as patch_incident


def _status_messages(app) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(OutboundMessage.body)
                .where(OutboundMessage.kind == "status")
                .order_by(OutboundMessage.id)
            )
        )


def test_a_closed_incident_reopens_its_resolved_reports_and_tells_each_resident_once(
    app, client, as_
):
    # Two reports of one resident, one of another, and one the resident confirmed fixed.
    mine = [new_ticket(client, phone="0611000071", **MAARIF) for _ in range(2)]
    other = new_ticket(client, phone="0611000072", **MAARIF)
    confirmed = new_ticket(client, phone="0611000073", **MAARIF)
    filed = [*mine, other, confirmed]
    codes = [r["tracking_code"] for r in filed]
    incident = create(client, as_("amina"), attach={"codes": codes}).get_json()
    closed = patch_incident(client, as_("amina"), incident["id"], status="closed")
    assert closed.status_code == 200 and closed.get_json()["moved"] == 4
    done = client.post(
        f"/api/v1/requests/{confirmed['tracking_code']}/feedback",
        json={"action": "confirm"},
        headers={"Authorization": f"Bearer {confirmed['report_token']}"},
    )
    assert done.status_code in (200, 201), done.get_json()
    before = len(_status_messages(app))

    # Anything but in_progress on a closed incident is refused, naming the way back.
    refused = patch_incident(client, as_("amina"), incident["id"], status="acknowledged")
    assert refused.status_code == 422
    assert "reopen it with status in_progress" in refused.get_json()["errors"]["status"][0]

    reopened = patch_incident(
        client, as_("amina"), incident["id"], status="in_progress", public_note="La fuite reprend."
    )
    assert reopened.status_code == 200, reopened.get_json()
    body = reopened.get_json()
    assert body["status"] == "in_progress" and body["moved"] == 3
    assert body["expected_at"] is not None
    with app.app_context():
        for code in codes[:3]:
            report = stored_report(code)
            assert report.status == "in_progress"
            assert report.resolved_at is None and report.closed_at is None
            last = [e for e in report.events if e.kind == "status"][-1]
            assert (last.from_status, last.to_status, last.public, last.note) == (
                "resolved",
                "in_progress",
                True,
                "La fuite reprend.",
            )
        assert stored_report(codes[3]).status == "closed"  # the resident said it was fixed
    told = _status_messages(app)[before:]
    assert len(told) == 2 and all("La fuite reprend." in m for m in told)  # once per resident
    public = client.get(f"/api/v1/requests/{codes[0]}").get_json()
    assert public["status"] == "in_progress"

    # Reopened, it moves on and closes again like any incident.
    again = patch_incident(client, as_("amina"), incident["id"], status="closed")
    assert again.status_code == 200 and again.get_json()["moved"] == 3


def test_an_incident_closed_more_than_30_days_ago_stays_closed(app, client, as_):
    code = new_ticket(client, **MAARIF)["tracking_code"]
    incident = create(client, as_("amina"), attach={"codes": [code]}).get_json()
    patch_incident(client, as_("amina"), incident["id"], status="closed")
    with app.app_context():
        long_ago = db.session.scalar(select(Incident.closed_at)) - dt.timedelta(days=31)
        db.session.execute(update(Incident).values(closed_at=long_ago))
        db.session.commit()
    late = patch_incident(client, as_("amina"), incident["id"], status="in_progress")
    assert late.status_code == 422
    assert "more than 30 days ago" in late.get_json()["errors"]["status"][0]
    assert client.get(f"/api/v1/requests/{code}").get_json()["status"] == "resolved"


def test_the_incident_list_pages_newest_first_past_200(app, client, as_):
    with app.app_context():
        department_id = db.session.scalar(select(Department.id).where(Department.code == "voirie"))
        db.session.execute(
            Incident.__table__.insert(),
            [
                {
                    "title": f"Incident {i}",
                    "department_id": department_id,
                    "status": "open",
                    "area_codes": [],
                    "service_codes": [],
                    "created_by": "amina",
                    "version": 1,
                }
                for i in range(230)
            ],
        )
        db.session.commit()
        made = db.session.scalars(select(Incident.id).order_by(Incident.id.desc())).all()
    seen, url, pages = [], "/api/v1/triage/incidents?limit=100", 0
    while url:
        response = client.get(url, headers=as_("amina"))
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        seen += [i["id"] for i in body["items"]]
        pages += 1
        if body["next_cursor"]:
            link = response.headers["Link"]
            assert link.endswith('; rel="next"') and body["next_cursor"] in link
            url = link[1 : link.index(">")]
        else:
            assert "Link" not in response.headers
            url = None
    assert pages == 3 and seen == made  # all 230, newest first, none twice
    default = client.get("/api/v1/triage/incidents", headers=as_("amina")).get_json()
    assert len(default["items"]) == 50 and default["next_cursor"]
    for bad in ("limit=0", "limit=201", "cursor=!!!", "cursor=WyJ4Il0", "cursor=W3RydWVd"):
        refused = client.get(f"/api/v1/triage/incidents?{bad}", headers=as_("amina"))
        assert refused.status_code == 422, bad
        assert refused.mimetype == "application/problem+json"


def test_ids_past_bigint_are_404_on_every_method(client, as_):
    past = 2**63
    for method, url, body in (
        ("get", f"/api/v1/triage/incidents/{past}", None),
        ("patch", f"/api/v1/triage/incidents/{past}", {"status": "closed"}),
        ("post", f"/api/v1/triage/incidents/{past}/reports", {"open_reports": True}),
        ("get", f"/api/v1/triage/incidents/{'9' * 40}", None),
        ("get", f"/api/v1/alerts/{past}", None),
        ("patch", f"/api/v1/alerts/{past}", {"headline": {"fr": "x"}}),
        ("get", f"/cap/alerts/{past}.xml", None),
        ("get", "/api/v1/triage/incidents/0", None),
    ):
        headers = {**as_("root"), "If-Match": "*"}
        response = getattr(client, method)(url, json=body, headers=headers)
        assert response.status_code == 404, (method, url, response.status_code)
