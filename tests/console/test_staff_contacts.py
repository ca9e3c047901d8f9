"""Staff numbers for escalations: an administrator sets an account's number, channel and
whether it heads its department; every user sets their own. Validated like a reporter's
(a mobile, stored as E.164), refused with the field named (422, nothing changed), shown in
full only to the owner and administrators, masked in the audit log, never in a log line."""

from __future__ import annotations

import logging
from html import unescape

import pytest
from sqlalchemy import delete, select

from citizen_api.extensions import db
from models import AuditEntry, DepartmentHead, StaffContact
from tests.console.conftest import new_account
from tests.console.test_accounts import post

E164 = "+212661234599"


@pytest.fixture
def cleanup(app):
    yield
    with app.app_context():
        db.session.execute(delete(DepartmentHead))
        db.session.execute(delete(StaffContact))
        db.session.commit()
        db.session.remove()


def _stored(app, username):
    with app.app_context():
        from citizen_api.domain.staff import account

        row = db.session.scalar(
            select(StaffContact).where(StaffContact.clerk_id == account(db.session, username).id)
        )
        head = db.session.scalar(select(DepartmentHead.clerk_id))
        result = (row.phone_e164, row.channel) if row else None
        ids = account(db.session, username).id
        db.session.remove()
        return result, head == ids


def test_an_admin_sets_a_number_channel_and_head_and_bad_input_is_refused(
    app, console, cleanup, caplog
):
    caplog.set_level(logging.DEBUG)
    username = new_account(app, "supervisor", "voirie")
    chef = console("chef")
    page = f"/console/admin/users/{username}"
    for bad, channel in (("0522123456", "sms"), ("12", "sms"), ("+33 6", "sms"),
                         ("0661234599", "pigeon")):  # fmt: skip
        response = post(chef, f"{page}/contact", phone=bad, channel=channel)
        assert response.status_code == 422, bad
        html = unescape(response.get_data(as_text=True))
        assert ("Numéro de mobile" in html) if channel == "sms" else ("Canal" in html)
        assert _stored(app, username) == (None, False)
    saved = post(chef, f"{page}/contact", phone="06 61 23 45 99", channel="whatsapp", head="1")
    assert saved.status_code == 302
    assert _stored(app, username) == ((E164, "whatsapp"), True)
    html = chef.get(page).get_data(as_text=True)
    assert (
        f'value="{E164}"' in html
        and 'id="c-head" name="head" type="checkbox" value="1" checked' in html
    )
    # Another voirie account as head replaces the first; unchecking removes.
    other = new_account(app, "supervisor", "voirie")
    assert post(chef, f"/console/admin/users/{other}/contact", phone="", channel="sms",
                head="1").status_code == 302  # fmt: skip
    assert _stored(app, username)[1] is False and _stored(app, other) == (None, True)
    post(chef, f"/console/admin/users/{other}/contact", phone="", channel="sms")
    assert _stored(app, other) == (None, False)
    # The audit log names what changed, the number masked.
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.target == f"user:{username}")
        ).all()
        details = " ".join(e.detail for e in entries)
        db.session.remove()
    assert "+212 6•• ••• •99 via whatsapp" in details and E164 not in details
    assert f"head of voirie: - -> {username}" in details
    assert E164 not in chef.get("/console/admin/audit").get_data(as_text=True)
    # Emptying the number removes it.
    assert post(chef, f"{page}/contact", phone="", channel="sms").status_code == 302
    assert _stored(app, username) == (None, False)
    for number in (E164, E164[1:], "0661234599"):
        assert number not in caplog.text


def test_every_user_sets_their_own_number_and_only_they_and_admins_see_it(app, console, cleanup):
    username = new_account(app, "clerk", "voirie")
    user = console(username)
    assert user.get("/console/contact").status_code == 200
    assert (
        post(user, "/console/contact", phone="+212 661-23-45-99", channel="sms").status_code == 302
    )
    assert _stored(app, username) == ((E164, "sms"), False)
    assert f'value="{E164}"' in user.get("/console/contact").get_data(as_text=True)
    refused = post(user, "/console/contact", phone="not a phone", channel="sms")
    assert refused.status_code == 422 and _stored(app, username) == ((E164, "sms"), False)
    assert 'value="not a phone"' in refused.get_data(as_text=True)  # the input is kept
    # Nobody else but an administrator sees it: another clerk's and a supervisor's own
    # pages show their own (none), the account page is the admins' (403), nothing changed.
    for other in ("nadia", "salma"):
        browser = console(other)
        assert E164 not in browser.get("/console/contact").get_data(as_text=True)
        assert browser.get(f"/console/admin/users/{username}").status_code == 403
        response = post(
            browser, f"/console/admin/users/{username}/contact", phone="", channel="sms"
        )
        assert response.status_code == 403
        assert _stored(app, username) == ((E164, "sms"), False)
    assert E164 in console("chef").get(f"/console/admin/users/{username}").get_data(as_text=True)
