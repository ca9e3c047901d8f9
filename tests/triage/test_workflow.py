"""The status workflow: every legal and illegal transition, reasons, duplicates, reopening
and the If-Match rules."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm.exc import StaleDataError

from citizen_api.domain.workflow import apply_changes
from citizen_api.extensions import db
from models import Clerk, RequestEvent, ServiceRequest, utcnow
from tests.helpers import db_time
from tests.triage.helpers import move, new_ticket, patch, read

# How to bring a fresh ticket to each status (rejected and duplicate need extra fields).
PATHS = {
    "submitted": [],
    "acknowledged": ["acknowledged"],
    "in_progress": ["acknowledged", "in_progress"],
    "resolved": ["acknowledged", "in_progress", "resolved"],
    "closed": ["acknowledged", "in_progress", "resolved", "closed"],
}
EXTRA = {"rejected": {"public_note": "Not on public land."}}
# The rules as the service charter states them, written out here rather than read from
# citizen_api.workflow (a wrong table there must fail these tests): forward one step at a
# time, any open status may be rejected or marked a duplicate, a resolved report may be
# closed or reopened, and closed, rejected and duplicate reports are final.
ALLOWED = {
    "submitted": ["acknowledged", "rejected", "duplicate"],
    "acknowledged": ["in_progress", "rejected", "duplicate"],
    "in_progress": ["resolved", "rejected", "duplicate"],
    "resolved": ["closed", "in_progress"],
    "closed": [],
    "rejected": [],
    "duplicate": [],
}
LEGAL = [(a, b) for a in PATHS for b in ALLOWED[a]]
ILLEGAL = [(a, b) for a in PATHS for b in ALLOWED if b not in ALLOWED[a]]


def ticket_at(client, headers, status: str) -> str:
    code = new_ticket(client)["tracking_code"]
    if PATHS[status]:
        move(client, headers, code, *PATHS[status])
    return code


def change_for(client, headers, wanted: str) -> dict:
    if wanted == "duplicate":
        return {"duplicate_of": new_ticket(client)["tracking_code"]}
    return EXTRA.get(wanted, {})


@pytest.mark.parametrize(("current", "wanted"), LEGAL)
def test_every_legal_transition_is_applied_and_recorded(client, as_, current, wanted):
    headers = as_("amina")
    code = ticket_at(client, headers, current)
    response = patch(client, headers, code, status=wanted, **change_for(client, headers, wanted))
    assert response.status_code == 200, response.json
    assert response.json["status"] == wanted
    event = response.json["events"][-1]
    assert (event["from_status"], event["to_status"]) == (current, wanted)
    assert event["actor"] == "amina" and event["public"]
    assert (response.json["closed_at"] is not None) is (
        wanted in ("closed", "rejected", "duplicate")
    )


@pytest.mark.parametrize(("current", "wanted"), ILLEGAL)
def test_every_illegal_transition_is_409_with_the_allowed_ones(client, as_, current, wanted):
    headers = as_("amina")
    code = ticket_at(client, headers, current)
    extra = change_for(client, headers, wanted)
    before = read(client, headers, code).json
    response = patch(client, headers, code, status=wanted, **extra)
    assert response.status_code == 409
    assert response.json["type"] == "urn:casa311:problem:illegal-transition"
    assert response.json["current"] == current
    assert response.json["allowed"] == ALLOWED[current]
    after = read(client, headers, code).json
    assert after["status"] == current and len(after["events"]) == len(before["events"])


@pytest.mark.parametrize("final", ["rejected", "duplicate"])
def test_terminal_statuses_allow_nothing(client, as_, final):
    headers = as_("amina")
    code = new_ticket(client)["tracking_code"]
    move(client, headers, code, final, **change_for(client, headers, final))
    response = patch(client, headers, code, status="acknowledged")
    assert response.status_code == 409 and response.json["allowed"] == []


def test_rejecting_needs_a_public_reason(client, as_):
    code = new_ticket(client)["tracking_code"]
    response = patch(client, as_("amina"), code, status="rejected")
    assert response.status_code == 422
    assert "public_note" in response.json["errors"]
    assert response.json["detail"] == "Invalid fields: public_note."
    assert read(client, as_("amina"), code).json["status"] == "submitted"


def test_a_duplicate_needs_the_originals_code_and_links_both_ways(client, as_):
    headers = as_("amina")
    original = new_ticket(client)["tracking_code"]
    copy = new_ticket(client)["tracking_code"]
    assert patch(client, headers, copy, status="duplicate").status_code == 422
    assert patch(client, headers, copy, duplicate_of=original).status_code == 422
    assert patch(client, headers, copy, status="duplicate", duplicate_of=copy).status_code == 422
    missing = patch(client, headers, copy, status="duplicate", duplicate_of="ZZZZ-ZZZZ")
    assert missing.status_code == 422

    response = patch(client, headers, copy, status="duplicate", duplicate_of=original.lower())
    assert response.status_code == 200
    assert response.json["duplicate_of"] == original
    assert response.json["closed_at"] is not None
    linked = read(client, headers, original).json
    assert linked["duplicates"] == [copy]
    assert linked["events"][-1]["kind"] == "duplicate_linked"
    assert client.get(f"/api/v1/requests/{copy}").json["duplicate_of"] == original
    third = new_ticket(client)["tracking_code"]
    chained = patch(client, headers, third, status="duplicate", duplicate_of=copy)
    assert chained.status_code == 422 and original in chained.json["errors"]["duplicate_of"][0]


def test_a_resolved_ticket_reopens_with_a_fresh_sla(client, as_):
    headers = as_("amina")
    code = ticket_at(client, headers, "resolved")
    before = read(client, headers, code).json
    response = patch(client, headers, code, status="in_progress", public_note="Still broken.")
    assert response.status_code == 200
    assert response.json["expected_at"] > before["expected_at"]


def _resolved_long_ago(app, code: str, days: int) -> None:
    """Make the ticket resolved `days` ago: events are append-only, so the past resolution
    is a new row with an old time, as an import of historical data would write it."""
    when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    with app.app_context():
        report = db.session.scalar(
            select(ServiceRequest).where(ServiceRequest.tracking_code == code)
        )
        db.session.execute(
            text(
                "UPDATE service_requests SET status = 'resolved', resolved_at = :t WHERE id = :id"
            ),
            {"id": report.id, "t": db_time(when)},
        )
        db.session.add(
            RequestEvent(
                request_id=report.id,
                kind="status",
                from_status="in_progress",
                to_status="resolved",
                actor="amina",
                created_at=when,
            )
        )
        db.session.commit()


@pytest.mark.parametrize(("days", "reopens"), [(29, True), (31, False)])
def test_reopening_is_allowed_for_30_days(app, client, as_, days, reopens):
    headers = as_("amina")
    code = ticket_at(client, headers, "in_progress")
    _resolved_long_ago(app, code, days)
    response = patch(client, headers, code, status="in_progress")
    if reopens:
        assert response.status_code == 200
    else:
        assert response.status_code == 409
        assert response.json["allowed"] == ["closed"]
        assert "30 days" in response.json["detail"]


def test_each_change_is_one_event_and_nothing_is_rewritten(app, client, as_):
    headers = as_("sara")
    code = new_ticket(client)["tracking_code"]
    response = patch(
        client,
        headers,
        code,
        status="acknowledged",
        public_note="Une équipe passera cette semaine.",
        internal_note="Call the contractor first.",
        priority="high",
        assignee="amina",
    )
    assert response.status_code == 200
    kinds = [(e["kind"], e["public"]) for e in response.json["events"]]
    assert kinds == [
        ("submitted", True),
        ("assignment", False),
        ("priority", False),
        ("status", True),
        ("internal_note", False),
    ]
    assert response.json["events"][3]["note"] == "Une équipe passera cette semaine."
    with app.app_context():
        stored = db.session.scalars(select(RequestEvent.kind).order_by(RequestEvent.id)).all()
    assert stored == [k for k, _ in kinds]


def test_patch_without_if_match_is_428(client, as_):
    code = new_ticket(client)["tracking_code"]
    url = f"/api/v1/triage/requests/{code}"
    response = client.patch(url, json={"status": "acknowledged"}, headers=as_("amina"))
    assert response.status_code == 428
    star = client.patch(
        url, json={"status": "acknowledged"}, headers={**as_("amina"), "If-Match": "*"}
    )
    assert star.status_code == 428
    assert read(client, as_("amina"), code).json["status"] == "submitted"


def test_two_clerks_never_overwrite_each_other(client, as_):
    code = new_ticket(client)["tracking_code"]
    etag = read(client, as_("amina"), code).headers["ETag"]
    assert read(client, as_("youssef"), code).headers["ETag"] == etag
    first = patch(client, as_("amina"), code, etag=etag, priority="urgent")
    assert first.status_code == 200 and first.headers["ETag"] != etag
    second = patch(client, as_("youssef"), code, etag=etag, priority="low")
    assert second.status_code == 412
    assert read(client, as_("amina"), code).json["priority"] == "urgent"
    third = patch(client, as_("youssef"), code, etag=first.headers["ETag"], priority="low")
    assert third.status_code == 200


def test_a_note_alone_also_changes_the_etag(client, as_):
    code = new_ticket(client)["tracking_code"]
    etag = read(client, as_("amina"), code).headers["ETag"]
    noted = patch(client, as_("amina"), code, etag=etag, internal_note="Seen it.")
    assert noted.headers["ETag"] != etag
    assert patch(client, as_("youssef"), code, etag=etag, status="acknowledged").status_code == 412


def test_the_resident_feedback_changes_the_etag_too(client, as_):
    ticket = new_ticket(client)
    code, token = ticket["tracking_code"], ticket["report_token"]
    etag = read(client, as_("amina"), code).headers["ETag"]
    client.post(
        f"/api/v1/requests/{code}/feedback",
        json={"comment": "C'est devant l'école."},
        headers={"X-Report-Token": token},
    )
    assert patch(client, as_("amina"), code, etag=etag, status="acknowledged").status_code == 412


def test_a_change_racing_another_is_refused_not_merged(app, client, as_):
    """Both clerks passed the If-Match check; the second write still fails (the version
    column guards the UPDATE itself), and none of its events are kept."""
    code = new_ticket(client)["tracking_code"]
    with app.app_context():
        report = db.session.scalar(
            select(ServiceRequest).where(ServiceRequest.tracking_code == code)
        )
        clerk = db.session.scalar(select(Clerk).where(Clerk.username == "amina"))
        now = db.session.scalar(select(utcnow()))
        with db.engine.begin() as other:  # another clerk's write lands in between
            other.execute(
                text("UPDATE service_requests SET version = version + 1 WHERE id = :id"),
                {"id": report.id},
            )
        with pytest.raises(StaleDataError):
            apply_changes(db.session, report, clerk, {"status": "acknowledged"}, now)
            db.session.commit()
        db.session.rollback()
    ticket = read(client, as_("amina"), code).json
    assert ticket["status"] == "submitted" and len(ticket["events"]) == 1
