"""Escalations reach staff through the outbox, the real twilio SDK and the Prism
emulator: each supervisor of a department gets its daily digest, and its designated head
each raise, by the channel on their account. Past the city-wide daily SMS cap they are
deferred (kept, not counted), then sent once each as the cap's 24-hour window allows:
across the cap boundary, across a job that dies before its commit, and across a sender
killed mid-send. No full staff number in a log line."""

from __future__ import annotations

import datetime as dt
import logging
import signal
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, text

from citizen_api.domain.escalation import run
from citizen_api.domain.staff import account
from citizen_api.domain.staff_contacts import set_contact, set_head
from citizen_api.extensions import db
from citizen_api.notify import notifier_of
from models import DepartmentHead, OutboundMessage, StaffContact, StaffDigest
from notifications.dispatch import deliver, due
from notifications.outbox import sms_last_24h
from tests.conftest import clear_reports
from tests.console.conftest import new_account
from tests.console.helpers import set_times
from tests.helpers import db_time, make_app
from tests.notifications.conftest import twilio_config
from tests.notifications.support import file_report
from tests.notifications.test_workers import DELIVER_ONE, ROOT, env_for, wait_until
from tests.triage.helpers import new_ticket

CASABLANCA = ZoneInfo("Africa/Casablanca")
HOUR = dt.timedelta(hours=1)
HEAD, SUPERVISOR, OTHER = "+212661000101", "+212661000102", "+212661000103"


def _noon() -> dt.datetime:
    local = dt.datetime.now(CASABLANCA).replace(hour=12, minute=0, second=0, microsecond=0)
    return local.astimezone(dt.UTC)


@pytest.fixture
def team(app, console_staff):
    """A voirie head (SMS), a voirie supervisor (SMS) and a second one (WhatsApp); their
    usernames. Contacts, the head and digests are removed after."""
    names = {
        "head": new_account(app, "supervisor", "voirie"),
        "sms": new_account(app, "supervisor", "voirie"),
        "whatsapp": new_account(app, "supervisor", "voirie"),
    }
    with app.app_context():
        chef = account(db.session, "chef")
        for role, phone, channel in (
            ("head", HEAD, "sms"),
            ("sms", SUPERVISOR, "sms"),
            ("whatsapp", OTHER, "whatsapp"),
        ):
            set_contact(db.session, chef, account(db.session, names[role]), phone, channel)
        set_head(db.session, chef, account(db.session, names["head"]), True)
        db.session.query(StaffDigest).delete()
        db.session.commit()
        db.session.remove()
    yield names
    with app.app_context():
        db.session.execute(delete(DepartmentHead))
        db.session.execute(delete(StaffContact))
        db.session.query(StaffDigest).delete()
        db.session.commit()
        db.session.remove()


def _late_tickets(app, client, noon) -> tuple[str, str]:
    """A ticket 2 h past its SLA, and one open for three times its SLA."""
    late, very = (new_ticket(client)["tracking_code"] for _ in range(2))
    set_times(app, late, requested_at=noon - 50 * HOUR, expected_at=noon - 2 * HOUR)
    set_times(app, very, requested_at=noon - 30 * HOUR, expected_at=noon - 20 * HOUR)
    return late, very


def _run(application, now, commit=True):
    with application.app_context():
        done = run(db.session, now)
        if commit:
            db.session.commit()
        else:
            db.session.rollback()  # the job died before its commit
        db.session.remove()
        return done


def _staff_messages(application) -> list[OutboundMessage]:
    with application.app_context():
        rows = db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.kind.in_(("digest", "raise")))
            .order_by(OutboundMessage.id)
        ).all()
        db.session.expunge_all()
        db.session.remove()
        return rows


def _digest_hour(application, hour):
    with application.app_context():
        db.session.execute(text("UPDATE departments SET digest_hour = :h"), {"h": hour})
        db.session.commit()


def test_the_digest_and_each_raise_reach_staff_by_their_channel(tw_app, tw, fake, team, caplog):
    noon = _noon()
    _digest_hour(tw_app, 9)
    late, very = _late_tickets(tw_app, tw, noon)
    caplog.set_level(logging.DEBUG)
    try:
        done = _run(tw_app, noon)
        assert (done.escalated, done.raised) == (2, 1)  # and a digest for every department
        assert done.messages == 4  # the raise to the head, the digest to 3 supervisors
        [raised] = [m for m in fake.sent_to(HEAD) if "deux fois son délai" in m.body]
        assert very in raised.body and f"/console/requests/{very}" in raised.body
        # Each supervisor (the head is one too) gets the digest once, naming both tickets.
        for to in (HEAD, SUPERVISOR, "whatsapp:" + OTHER):
            [digest] = [m for m in fake.sent_to(to) if "résumé" in m.body]
            assert "2 ticket(s) en retard" in digest.body and late in digest.body
        rows = _staff_messages(tw_app)
        assert sorted((m.kind, m.channel, m.state) for m in rows) == [
            ("digest", "sms", "sent"), ("digest", "sms", "sent"),
            ("digest", "whatsapp", "sent"), ("raise", "sms", "sent"),
        ]  # fmt: skip
        assert all(m.contact_id is None and m.staff_contact_id for m in rows)
        # Again (a retry, a second scheduler): nothing new, nothing sent twice.
        again = _run(tw_app, noon + HOUR)
        assert (again.escalated, again.raised, again.digests, again.messages) == (0, 0, 0, 0)
        assert len(_staff_messages(tw_app)) == len(rows)
        assert len(fake.sent_to(HEAD)) + len(fake.sent_to(SUPERVISOR)) == 3
        assert len(fake.sent_to("whatsapp:" + OTHER)) == 1
        for number in (HEAD, SUPERVISOR, OTHER):
            assert number not in caplog.text and number[1:] not in caplog.text
    finally:
        _digest_hour(tw_app, 7)


@pytest.fixture
def capped(app, emulator):
    """The app with Twilio and a city-wide cap of 2 SMS a day."""
    application = make_app(
        app.config["DATABASE_URL"], **twilio_config(emulator, NOTIFY_CITY_DAILY_SMS_CAP="2")
    )
    yield application
    clear_reports(application)
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _age(application, column: str, ids, hours: float):
    """Move these messages' `column` back by `hours` (the cap's window passing)."""
    with application.app_context():
        for message_id in ids:
            when = db.session.scalar(
                select(getattr(OutboundMessage, column)).where(OutboundMessage.id == message_id)
            )
            db.session.execute(
                text(f"UPDATE outbound_messages SET {column} = :at WHERE id = :id"),
                {"at": db_time(when - dt.timedelta(hours=hours)), "id": message_id},
            )
        db.session.commit()


def _sms_used(application) -> int:
    with application.app_context():
        used = sms_last_24h(db.session)
        db.session.remove()
        return used


def test_past_the_sms_cap_escalations_wait_and_go_once_each_as_the_window_allows(
    capped, fake, team
):
    fake.reset()
    noon = _noon()
    _digest_hour(capped, 9)
    client = capped.test_client()
    try:
        # Two residents' receipts use the day's two SMS.
        residents = [file_report(client, phone=p) for p in ("0612000001", "0612000002")]
        assert _sms_used(capped) == 2
        _late_tickets(capped, client, noon)
        done = _run(capped, noon)
        assert done.messages == 4  # the raise, and the digest to three supervisors
        rows = _staff_messages(capped)
        by_sms = [m for m in rows if m.channel == "sms"]
        assert [m.state for m in by_sms] == ["deferred"] * 3
        assert all(m.last_error.startswith("deferred") for m in by_sms)
        assert fake.sent_to(HEAD) == [] and fake.sent_to(SUPERVISOR) == []
        # WhatsApp is not under the SMS cap: that supervisor's digest went.
        assert [m.state for m in rows if m.channel == "whatsapp"] == ["sent"]
        assert _sms_used(capped) == 2  # waiting escalations are not counted

        # Still capped: the next run releases nothing and adds nothing.
        assert _run(capped, noon + HOUR).released == 0
        assert len(_staff_messages(capped)) == 4

        # The residents' SMS leave the 24-hour window: room for two of the three. A job
        # that releases them but dies before its commit leaves all three deferred, unsent.
        with capped.app_context():
            ids = [m.id for m in db.session.scalars(
                select(OutboundMessage).where(OutboundMessage.kind == "receipt"))]  # fmt: skip
        _age(capped, "created_at", ids, 25)
        assert _run(capped, noon + 2 * HOUR, commit=False).released == 2
        assert [m.state for m in _staff_messages(capped) if m.channel == "sms"] == ["deferred"] * 3
        assert fake.sent_to(HEAD) == [] and fake.sent_to(SUPERVISOR) == []

        # Now for real: the two oldest go, once each, and count from their release.
        assert _run(capped, noon + 2 * HOUR).released == 2
        sms = [m for m in _staff_messages(capped) if m.channel == "sms"]
        assert [m.state for m in sms] == ["sent", "sent", "deferred"]
        assert sms[0].kind == "raise" and all(m.released_at for m in sms[:2])
        assert len(fake.sent_to(HEAD)) + len(fake.sent_to(SUPERVISOR)) == 2
        assert _sms_used(capped) == 2
        assert _run(capped, noon + 3 * HOUR).released == 0  # the window is full again

        # A new raise meanwhile waits behind the third...
        newer = new_ticket(client)["tracking_code"]
        set_times(capped, newer, requested_at=noon - 40 * HOUR, expected_at=noon - 30 * HOUR)
        _run(capped, noon + 3 * HOUR)
        waiting = [m for m in _staff_messages(capped) if m.state == "deferred"]
        assert len(waiting) == 2 and newer in waiting[-1].body
        # ...until the released two leave the window in their turn.
        _age(capped, "released_at", [m.id for m in sms[:2]], 25)
        assert _run(capped, noon + 5 * HOUR).released == 2
        assert [m.body for m in fake.sent_to(HEAD) if newer in m.body]
        assert _run(capped, noon + 6 * HOUR).released == 0
        # Every escalation row was sent exactly once; none is left waiting.
        final = _staff_messages(capped)
        assert [m.state for m in final] == ["sent"] * 5
        assert len(fake.sent_to(HEAD)) + len(fake.sent_to(SUPERVISOR)) == 4
        assert len(fake.sent_to("whatsapp:" + OTHER)) == 1
        assert len(residents) == 2  # their receipts were the ones that used the cap
    finally:
        _digest_hour(capped, 7)


def test_a_sender_killed_mid_send_of_a_released_escalation_sends_it_once(
    capped, fake, emulator, team
):
    fake.reset()
    noon = _noon()
    client = capped.test_client()
    for phone in ("0612000003", "0612000004"):
        file_report(client, phone=phone)
    very = new_ticket(client)["tracking_code"]
    set_times(capped, very, requested_at=noon - 30 * HOUR, expected_at=noon - 20 * HOUR)
    _run(capped, noon)  # digest hour 7: a digest too, deferred like the raise
    [raised] = [m for m in _staff_messages(capped) if m.kind == "raise"]
    assert raised.state == "deferred"
    with capped.app_context():
        db.session.execute(
            text("UPDATE outbound_messages SET created_at = :at WHERE kind = 'receipt'"),
            {"at": db_time(dt.datetime.now(dt.UTC) - 25 * HOUR)},
        )
        db.session.commit()
    fake.script(HEAD, "500")  # the send right after the release fails: stays pending
    assert _run(capped, noon + HOUR).released >= 1
    [claimed] = [m for m in _staff_messages(capped) if m.id == raised.id]
    assert claimed.state == "pending" and claimed.released_at is not None
    fake.script(HEAD, "timeout-accepted")  # the next attempt reaches Twilio, then hangs...
    seen = len(fake.requests)
    env = env_for(capped, emulator, TWILIO_TIMEOUT_SECONDS="30", NOTIFY_LEASE_SECONDS="2",
                  NOTIFY_CITY_DAILY_SMS_CAP="2")  # fmt: skip
    sender = subprocess.Popen(
        [sys.executable, "-c", DELIVER_ONE, str(raised.id)], env=env, cwd=ROOT
    )
    try:
        wait_until(lambda: len(fake.requests) > seen, 30, "the sender to call Twilio")
    finally:
        sender.send_signal(signal.SIGKILL)  # ...and the sender dies there
        sender.wait(10)
    capped_notifier = notifier_of(capped)
    wait_until(lambda: raised.id in due(capped_notifier, grace_seconds=0), 10, "the lease")
    assert deliver(capped_notifier, raised.id).result == "sent"
    raises = [m for m in fake.sent_to(HEAD) if very in m.body and "deux fois" in m.body]
    assert len(raises) == 1  # once, not twice
    assert [m.state for m in _staff_messages(capped) if m.id == raised.id] == ["sent"]


def test_a_head_moved_to_another_department_is_no_longer_raised_to(tw_app, tw, fake, team):
    fake.reset()
    noon = _noon()
    with tw_app.app_context():
        from citizen_api.domain.staff import update_account

        chef, head = account(db.session, "chef"), account(db.session, team["head"])
        update_account(db.session, chef, head, head.credentials_version, "supervisor",
                       "eclairage")  # fmt: skip
        db.session.commit()
        db.session.remove()
    very = new_ticket(tw)["tracking_code"]
    set_times(tw_app, very, requested_at=noon - 30 * HOUR, expected_at=noon - 20 * HOUR)
    done = _run(tw_app, noon)
    assert done.raised == 1
    assert [m for m in _staff_messages(tw_app) if m.kind == "raise"] == []
    assert not [m for m in fake.sent_to(HEAD) if "deux fois" in m.body]
