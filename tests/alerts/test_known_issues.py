"""While an alert is live, a report it explains is still filed, but its answer and its
receipt say the problem is known and until when, and it joins the alert's incident."""

from __future__ import annotations

from sqlalchemy import select

from citizen_api.extensions import db
from models import Incident, IncidentReport, OutboundMessage
from tests.alerts.conftest import publish, soon
from tests.helpers import report, stored_report

MAARIF = {"lat": 33.5790, "long": -7.6400}
ANFA = {"lat": 33.5900, "long": -7.6700}


def leak(client, **fields):
    fields = {**MAARIF, "attributes": {"source": "chaussee"}, **fields}
    return report(client, service_code="fuite-eau", phone="0611223344", **fields)


def test_a_report_the_alert_explains_is_answered_as_known(app, client, supervisor):
    alert = publish(client, supervisor).get_json()
    response = leak(client, lang="fr")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["alert"]["id"] == alert["id"]
    assert body["alert"]["headline"] == "Coupure d'eau à Maârif"
    assert body["alert"]["expected_end"][:19] == alert["ends_at"][:19]
    with app.app_context():
        receipt = db.session.scalar(
            select(OutboundMessage.body).where(OutboundMessage.kind == "receipt")
        )
    assert "Problème connu (Coupure d'eau à Maârif)" in receipt
    assert body["tracking_code"] in receipt and "rétablissement prévu le" in receipt


def test_the_answer_speaks_the_reporters_language(client, supervisor):
    publish(client, supervisor)
    body = leak(client, lang="ar").get_json()
    assert body["alert"]["headline"] == "انقطاع الماء بالمعاريف"


def test_explained_reports_join_one_incident_of_the_alert(app, client, supervisor):
    alert = publish(client, supervisor).get_json()
    codes = [leak(client).get_json()["tracking_code"] for _ in range(3)]
    with app.app_context():
        [incident] = db.session.scalars(select(Incident)).all()
        assert incident.alert_id == alert["id"]
        linked = set(db.session.scalars(select(IncidentReport.request_id)))
        assert linked == {stored_report(c).id for c in codes}
        # Their due time is the alert's expected end: one clock.
        assert {stored_report(c).expected_at for c in codes} == {incident.expected_at}


def test_other_places_services_and_upcoming_alerts_explain_nothing(app, client, supervisor):
    publish(client, supervisor, starts_at=soon(5), ends_at=soon(9))  # not started yet
    publish(client, supervisor, areas=["anfa"], services=["nid-de-poule"])  # another service
    assert leak(client).get_json()["alert"] is None
    assert leak(client, **ANFA).get_json()["alert"] is None
    with app.app_context():
        assert db.session.scalars(select(Incident)).all() == []
        receipts = db.session.scalars(
            select(OutboundMessage.body).where(OutboundMessage.kind == "receipt")
        ).all()
    assert receipts and not any("connu" in r for r in receipts)


def test_a_cancelled_alert_explains_nothing_more(client, supervisor):
    created = publish(client, supervisor)
    client.patch(
        f"/api/v1/alerts/{created.get_json()['id']}",
        json={"status": "cancelled"},
        headers={**supervisor, "If-Match": created.headers["ETag"]},
    )
    assert leak(client).get_json()["alert"] is None
