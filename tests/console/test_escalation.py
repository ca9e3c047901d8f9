"""Escalation: a ticket past its SLA gets one internal `escalated` event, one open for
more than twice its SLA one `raised_to_head`; each department gets one digest a day at
its own hour, listing what went overdue since the previous one, shown to its
supervisors on the console's home. Running it again changes nothing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from citizen_api.domain.escalation import run
from citizen_api.extensions import db
from models import Department, RequestEvent, StaffDigest
from tests.console.helpers import set_times
from tests.helpers import stored_report
from tests.triage.helpers import LIGHT, new_ticket

CASABLANCA = ZoneInfo("Africa/Casablanca")
HOUR = dt.timedelta(hours=1)


def _kinds(app, code) -> list[tuple[str, bool]]:
    with app.app_context():
        report = stored_report(code)
        rows = db.session.scalars(
            select(RequestEvent).where(RequestEvent.request_id == report.id)
        ).all()
        return [(e.kind, e.public) for e in rows if e.kind in ("escalated", "raised_to_head")]


def _run(app, now):
    with app.app_context():
        done = run(db.session, now)
        db.session.commit()
        return done


def _digests(app, department="voirie") -> list[StaffDigest]:
    with app.app_context():
        rows = db.session.scalars(
            select(StaffDigest)
            .join(Department)
            .where(Department.code == department)
            .order_by(StaffDigest.id)
        ).all()
        db.session.expunge_all()
        return rows


def _digest_hour(app, hour, department="voirie"):
    with app.app_context():
        found = db.session.scalar(select(Department).where(Department.code == department))
        found.digest_hour = hour
        db.session.commit()


def _clear_digests(app):
    with app.app_context():
        db.session.query(StaffDigest).delete()
        db.session.commit()


def test_overdue_tickets_are_escalated_once_and_twice_late_ones_raised(app, client):
    now = dt.datetime.now(dt.UTC)
    late = new_ticket(client)["tracking_code"]  # due 48 h after filing, 60 h ago: 12 h late
    very = new_ticket(client)["tracking_code"]  # due 10 h after filing, 30 h ago: 3x
    fine = new_ticket(client)["tracking_code"]
    set_times(app, late, requested_at=now - 60 * HOUR, expected_at=now - 12 * HOUR)
    set_times(app, very, requested_at=now - 30 * HOUR, expected_at=now - 20 * HOUR)
    set_times(app, fine, expected_at=now + 5 * HOUR)
    done = _run(app, now)
    assert (done.escalated, done.raised) == (2, 1)
    assert _kinds(app, late) == [("escalated", False)]
    assert sorted(_kinds(app, very)) == [("escalated", False), ("raised_to_head", False)]
    assert _kinds(app, fine) == []
    again = _run(app, now + HOUR)
    assert (again.escalated, again.raised) == (0, 0)
    assert len(_kinds(app, very)) == 2
    # Internal: the resident's view of the history does not show them.
    public = client.get(f"/api/v1/requests/{late}").get_data(as_text=True)
    assert "escalated" not in public


def test_one_digest_a_day_at_the_departments_hour(app, client):
    _clear_digests(app)
    local = dt.datetime.now(CASABLANCA).replace(hour=12, minute=0, second=0, microsecond=0)
    noon = local.astimezone(dt.UTC)
    _digest_hour(app, 9)
    _digest_hour(app, 15, "eclairage")
    pothole = new_ticket(client)["tracking_code"]
    light = new_ticket(client, **LIGHT)["tracking_code"]
    for code in (pothole, light):
        set_times(app, code, requested_at=noon - 50 * HOUR, expected_at=noon - 2 * HOUR)
    _run(app, noon)  # voirie's 9:00 has come; eclairage's 15:00 not
    (first,) = _digests(app)
    assert first.codes == [pothole] and first.overdue == 1 and first.since is None
    assert _digests(app, "eclairage") == []
    assert _run(app, noon + HOUR).digests == 0  # not twice the same day
    # Something goes overdue later: it waits for tomorrow's digest, alone.
    later = new_ticket(client)["tracking_code"]
    set_times(app, later, requested_at=noon - 10 * HOUR, expected_at=noon + 2 * HOUR)
    _run(app, noon + 3 * HOUR)
    assert len(_digests(app)) == 1
    _run(app, noon + 21 * HOUR)  # 9:00 the next day
    second = _digests(app)[-1]
    assert second.codes == [later] and second.since == first.until
    _run(app, noon + 4 * HOUR)  # 16:00: eclairage's turn
    assert _digests(app, "eclairage")[0].codes == [light]
    _digest_hour(app, 7)
    _digest_hour(app, 7, "eclairage")


def test_supervisors_see_the_digest_on_the_console_home(app, client, console):
    _clear_digests(app)
    now = dt.datetime.now(dt.UTC)
    code = new_ticket(client)["tracking_code"]
    set_times(app, code, requested_at=now - 60 * HOUR, expected_at=now - HOUR)
    _digest_hour(app, 0)
    _run(app, now)
    home = console("salma").get("/console/").get_data(as_text=True)
    assert "Synthèse du" in home and code in home.split('class="digest"')[1].split("</section>")[0]
    assert 'class="digest"' not in console("nadia").get("/console/").get_data(as_text=True)
    _digest_hour(app, 7)


def test_a_supervisor_sets_the_digest_hour_and_absurd_hours_are_refused(app, console):
    from tests.console.test_accounts import post

    browser = console("salma")
    assert post(browser, "/console/digest-hour", hour="8").status_code == 302
    with app.app_context():
        hour = db.session.scalar(select(Department.digest_hour).where(Department.code == "voirie"))
    assert hour == 8
    for bad in ("24", "-1", "7.5", "many"):
        post(browser, "/console/digest-hour", hour=bad)
        with app.app_context():
            assert (
                db.session.scalar(select(Department.digest_hour).where(Department.code == "voirie"))
                == 8
            )
    assert post(console("nadia"), "/console/digest-hour", hour="3").status_code == 403
    _digest_hour(app, 7)


def test_the_cli_runs_it(app, client):
    now = dt.datetime.now(dt.UTC)
    code = new_ticket(client)["tracking_code"]
    set_times(app, code, requested_at=now - 60 * HOUR, expected_at=now - HOUR)
    result = app.test_cli_runner().invoke(args=["escalation", "run"])
    assert result.exit_code == 0 and "escalated 1" in result.output
    bad = app.test_cli_runner().invoke(args=["escalation", "digest-hour", "voirie", "25"])
    assert bad.exit_code != 0 and "0 to 23" in bad.output
