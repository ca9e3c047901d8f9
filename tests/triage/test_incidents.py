"""Incidents: many reports of one problem grouped, moved by one update (an event on each,
one message per reporter), closed at once; scoped to the clerk's department."""

from __future__ import annotations

from sqlalchemy import func, select

from citizen_api.extensions import db
from models import OutboundMessage, RequestEvent
from tests.helpers import square, stored_report
from tests.triage.helpers import LIGHT, move, new_ticket, read

MAARIF = {"lat": 33.5790, "long": -7.6400}
ANFA = {"lat": 33.5900, "long": -7.6700}


def create(client, headers, **body):
    body = {"title": "Chaussée effondrée, bd Zerktouni", "services": ["nid-de-poule"], **body}
    return client.post("/api/v1/triage/incidents", json=body, headers=headers)


def update(client, headers, incident_id, **body):
    etag = client.get(f"/api/v1/triage/incidents/{incident_id}", headers=headers).headers["ETag"]
    return client.patch(
        f"/api/v1/triage/incidents/{incident_id}", json=body, headers={**headers, "If-Match": etag}
    )


def test_attach_by_codes_and_one_update_moves_every_report(app, client, as_):
    codes = [
        new_ticket(client, phone=f"06110000{i:02d}", **MAARIF)["tracking_code"] for i in range(3)
    ]
    created = create(client, as_("amina"), attach={"codes": codes})
    assert created.status_code == 201, created.get_json()
    incident = created.get_json()
    assert incident["reports"] == 3 and sorted(incident["tracking_codes"]) == sorted(codes)
    # One SLA clock: every linked report is due when the incident is.
    dues = {read(client, as_("amina"), c).get_json()["expected_at"] for c in codes}
    assert len(dues) == 1
    moved = update(
        client,
        as_("amina"),
        incident["id"],
        status="in_progress",
        public_note="Une équipe est sur place.",
    )
    assert moved.status_code == 200 and moved.get_json()["moved"] == 3
    with app.app_context():
        for code in codes:
            report = stored_report(code)
            assert report.status == "in_progress"
            events = [e for e in report.events if e.kind == "status"]
            assert [(e.from_status, e.to_status, e.note) for e in events] == [
                ("submitted", "in_progress", "Une équipe est sur place.")
            ]
        statuses = db.session.scalars(
            select(OutboundMessage.body).where(OutboundMessage.kind == "status")
        ).all()
    assert len(statuses) == 3 and all("Une équipe est sur place." in b for b in statuses)


def test_a_reporter_with_several_linked_reports_gets_one_message(app, client, as_):
    codes = [new_ticket(client, phone="0611000099", **MAARIF)["tracking_code"] for _ in range(3)]
    incident = create(client, as_("amina"), attach={"codes": codes}).get_json()
    update(client, as_("amina"), incident["id"], status="acknowledged")
    with app.app_context():
        count = db.session.scalar(
            select(func.count(OutboundMessage.id)).where(OutboundMessage.kind == "status")
        )
    assert count == 1


def test_closing_the_incident_resolves_its_reports(app, client, as_):
    codes = [new_ticket(client, **MAARIF)["tracking_code"] for _ in range(2)]
    incident = create(client, as_("amina"), attach={"codes": codes}).get_json()
    closed = update(client, as_("amina"), incident["id"], status="closed", public_note="Réparé.")
    assert closed.get_json()["status"] == "closed"
    for code in codes:
        public = client.get(f"/api/v1/requests/{code}").get_json()
        assert public["status"] == "resolved"
    again = update(client, as_("amina"), incident["id"], status="acknowledged")
    assert again.status_code == 422  # closed: it only reopens (test_incident_reopen_and_pages)


def test_every_open_report_of_the_services_inside_the_area(app, client, as_):
    inside = [new_ticket(client, **MAARIF)["tracking_code"] for _ in range(2)]
    elsewhere = new_ticket(client, **ANFA)["tracking_code"]
    other_service = new_ticket(client, **LIGHT, **MAARIF)["tracking_code"]
    done = new_ticket(client, **MAARIF)["tracking_code"]
    move(client, as_("amina"), done, "rejected", public_note="Hors compétence.")
    incident = create(client, as_("amina"), areas=["maarif"], attach={"open_reports": True})
    assert incident.status_code == 201, incident.get_json()
    linked = incident.get_json()["tracking_codes"]
    assert sorted(linked) == sorted(inside)
    assert elsewhere not in linked and other_service not in linked and done not in linked


def test_a_drawn_polygon_selects_reports_inside_it(client, as_):
    lon, lat = MAARIF["long"], MAARIF["lat"]
    near = new_ticket(client, lat=lat + 0.001, long=lon + 0.001)["tracking_code"]
    new_ticket(client, lat=lat - 0.01, long=lon - 0.01)  # Maârif, outside the square
    incident = create(
        client, as_("amina"), polygon=square(lon, lat), attach={"open_reports": True}
    ).get_json()
    assert incident["tracking_codes"] == [near]


def test_a_clerk_touches_only_their_departments_incidents(client, as_):
    code = new_ticket(client, **MAARIF)["tracking_code"]
    light = new_ticket(client, **LIGHT)["tracking_code"]
    # Another department's report cannot be linked...
    refused = create(client, as_("amina"), attach={"codes": [code, light]})
    assert refused.status_code == 422 and light in refused.get_json()["errors"]["attach.codes"][0]
    incident = create(client, as_("amina"), attach={"codes": [code]}).get_json()
    # ...and another department's clerk sees no such incident.
    assert (
        client.get(f"/api/v1/triage/incidents/{incident['id']}", headers=as_("karim")).status_code
        == 404
    )
    listed = client.get("/api/v1/triage/incidents", headers=as_("karim")).get_json()["items"]
    assert incident["id"] not in [i["id"] for i in listed]
    assert (
        client.get(f"/api/v1/triage/incidents/{incident['id']}", headers=as_("root")).status_code
        == 200
    )
    assert client.get("/api/v1/triage/incidents").status_code == 401


def test_a_report_joins_one_incident_only_and_a_stale_etag_is_412(client, as_):
    code = new_ticket(client, **MAARIF)["tracking_code"]
    first = create(client, as_("amina"), attach={"codes": [code]}).get_json()
    second = create(client, as_("amina"), attach={"codes": [code]})
    assert second.status_code == 422
    stale = client.patch(
        f"/api/v1/triage/incidents/{first['id']}",
        json={"status": "acknowledged"},
        headers={**as_("amina"), "If-Match": f'"incident-{first["id"]}.0"'},
    )
    assert stale.status_code == 412


def test_bad_incidents_are_422(client, as_):
    assert create(client, as_("amina"), areas=["atlantis"]).status_code == 422
    assert create(client, as_("amina"), services=["biere"]).status_code == 422
    assert create(client, as_("root")).status_code == 422  # an admin must name a department
    assert create(client, as_("amina"), attach={"codes": ["K7QM-4RZP"]}).status_code == 422
    assert create(client, as_("amina"), attach={}).status_code == 422


def test_linking_records_an_internal_event_on_each_report(app, client, as_):
    code = new_ticket(client, **MAARIF)["tracking_code"]
    create(client, as_("amina"), attach={"codes": [code]})
    with app.app_context():
        [event] = db.session.scalars(
            select(RequestEvent).where(RequestEvent.kind == "incident")
        ).all()
        assert event.public is False and "incident" in event.note
    history = client.get(f"/api/v1/requests/{code}").get_json()
    assert all(e.get("event") != "incident" for e in history.get("events", []))


def test_grouped_tickets_leave_the_queue_and_show_under_their_incident(client, as_):
    grouped = new_ticket(client, **MAARIF)["tracking_code"]
    alone = new_ticket(client, **MAARIF)["tracking_code"]
    incident = create(client, as_("amina"), attach={"codes": [grouped]}).get_json()

    def queue(**args):
        response = client.get("/api/v1/triage/requests", query_string=args, headers=as_("amina"))
        return [i["tracking_code"] for i in response.get_json()["items"]]

    assert queue() == [alone]
    assert set(queue(incident="any")) == {grouped, alone}
    assert queue(incident=str(incident["id"])) == [grouped]
    bad = client.get("/api/v1/triage/requests?incident=maybe", headers=as_("amina"))
    assert bad.status_code == 422


def test_closing_keeps_the_open_statistics_what_a_rebuild_computes(app, client, as_):
    from sqlalchemy import text

    from models.stats import rebuild_stats

    codes = [new_ticket(client, **MAARIF)["tracking_code"] for _ in range(3)]
    incident = create(client, as_("amina"), attach={"codes": codes}).get_json()
    update(client, as_("amina"), incident["id"], status="closed", public_note="Réparé.")

    def tables():
        rows = db.session.execute(text("SELECT * FROM stats_monthly ORDER BY 1, 2, 3")).all()
        hours = db.session.execute(
            text("SELECT * FROM stats_resolution_hours ORDER BY 1, 2, 3, 4")
        ).all()
        return [tuple(r) for r in rows if any(r[3:])], [tuple(r) for r in hours if r[-1]]

    with app.app_context():
        kept = tables()
        rebuild_stats(db.session)
        db.session.commit()
        assert tables() == kept
        assert sum(r[5] for r in kept[0]) >= 3  # the resolved column counts them
