"""Filing, following and browsing reports through /api/v1/requests."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from citizen_api.extensions import db
from models import ReporterContact, ServiceRequest
from tests.helpers import DOWNTOWN, report

CODE = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}$")


def parse(ts: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(ts)
    assert value.tzinfo is not None, f"{ts} has no timezone"
    return value


def test_a_new_report_gets_a_tracking_code_and_its_routing(client):
    response = report(
        client,
        description="Trou profond devant l'école",
        address="Bd Mohammed V",
        attributes={"taille": "grand"},
    )
    assert response.status_code == 201
    body = response.json
    assert CODE.match(body["tracking_code"]) and len(body["tracking_code"]) <= 12
    assert response.headers["Location"] == f"/api/v1/requests/{body['tracking_code']}"
    assert body["status"] == "submitted"
    assert body["service_code"] == "nid-de-poule"
    assert body["service_name"] == "Nid-de-poule"
    assert (body["lat"], body["long"]) == (DOWNTOWN["lat"], DOWNTOWN["long"])
    assert body["area"] == {
        "code": "sidi-belyout",
        "name": "Sidi Belyout",
        "prefecture_code": "casablanca-anfa",
    }
    assert body["department"] == {"code": "voirie", "name": "Direction de la voirie"}
    assert body["description"] == "Trou profond devant l'école"
    assert body["address"] == "Bd Mohammed V"
    requested = parse(body["requested_at"])
    assert abs(requested - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert parse(body["updated_at"]) == requested
    assert parse(body["expected_at"]) - requested == dt.timedelta(hours=72)  # the SLA


def test_tracking_codes_are_random_not_sequential(client):
    codes = [report(client).json["tracking_code"] for _ in range(6)]
    assert len(set(codes)) == 6
    # A counter or a timestamp would give codes that share their first half; random
    # ones almost never do (15 pairs among 30**4 prefixes: about 1 in 54,000).
    assert len({code[:4] for code in codes}) == 6


def test_the_public_view_matches_what_creation_returned(client):
    created = report(client, lang="ar").json
    fetched = client.get(f"/api/v1/requests/{created['tracking_code']}?lang=ar")
    assert fetched.status_code == 200
    # The report_token (and the alert of a known problem) is said once, at creation;
    # everything else reads back the same.
    assert "report_token" not in fetched.json
    assert fetched.json == {k: v for k, v in created.items() if k not in ("report_token", "alert")}
    assert fetched.json["service_name"] == "حفرة في الطريق"
    assert fetched.headers["Content-Language"] == "ar"


@pytest.mark.parametrize(
    "transform", [str.lower, lambda c: c.replace("-", ""), lambda c: f" {c[:4]} {c[5:]} "]
)
def test_a_tracking_code_can_be_typed_loosely(client, transform):
    code = report(client).json["tracking_code"]
    assert client.get(f"/api/v1/requests/{transform(code)}").json["tracking_code"] == code


def test_an_unknown_tracking_code_is_a_404_problem(client):
    response = client.get("/api/v1/requests/ZZZZ-ZZZZ")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert "ZZZZ-ZZZZ" in response.json["detail"]


def test_names_follow_accept_language(client):
    code = report(client).json["tracking_code"]
    body = client.get(f"/api/v1/requests/{code}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert body.json["service_name"] == "Pothole"
    assert "Accept-Language" in body.headers["Vary"]


@pytest.mark.parametrize(
    "typed", ["0612345678", "06 12 34 56 78", "+212 6-12-34-56-78", "00212612345678"]
)
def test_a_phone_is_stored_e164_apart_and_never_returned(client, app, typed):
    response = report(client, phone=typed)
    assert response.status_code == 201
    code = response.json["tracking_code"]
    for page in (
        response,
        client.get(f"/api/v1/requests/{code}"),
        client.get("/api/v1/requests"),
        client.get("/api/v1/requests", headers={"Accept": "application/geo+json"}),
    ):
        text = page.get_data(as_text=True)
        assert "phone" not in text and "612345678" not in text and "12 34" not in text
    with app.app_context():
        stored = db.session.scalar(
            select(ServiceRequest).where(ServiceRequest.tracking_code == code)
        )
        assert stored.contact.phone_e164 == "+212612345678"


def test_two_reports_from_one_phone_share_one_contact(client, app):
    report(client, phone="0612345678")
    report(client, phone="06 12 34 56 78")
    with app.app_context():
        assert len(db.session.scalars(select(ReporterContact)).all()) == 1


def test_the_history_starts_with_a_public_submitted_event(client, app):
    code = report(client).json["tracking_code"]
    with app.app_context():
        stored = db.session.scalar(
            select(ServiceRequest).where(ServiceRequest.tracking_code == code)
        )
        assert [(e.kind, e.to_status, e.public) for e in stored.events] == [
            ("submitted", "submitted", True)
        ]
