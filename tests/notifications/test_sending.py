"""Receipts and status messages through the real twilio SDK to the emulator: the right
text in the right language, and what happens when Twilio fails."""

from __future__ import annotations

import pytest

from citizen_api.extensions import db
from models import RequestEvent
from notifications.dispatch import deliver, due
from notifications.outbox import enqueue_status_update, messages_for_report
from notifications.texts import segments
from tests.helpers import stored_report
from tests.notifications.conftest import PUBLIC_BASE_URL, SMS_FROM
from tests.notifications.support import E164, change_status, file_report, outbox


def test_a_new_report_sends_a_receipt_with_its_code_and_link(tw, tw_app, fake):
    code = file_report(tw)
    [sent] = fake.sent_to(E164)
    assert code in sent.body
    assert f"{PUBLIC_BASE_URL}/r/{code}" in sent.body
    assert "est enregistré" in sent.body  # French unless the resident chose otherwise
    assert sent.from_ == SMS_FROM
    assert sent.status_callback == f"{PUBLIC_BASE_URL}/webhooks/twilio/status"
    [message] = outbox(tw_app, code)
    assert (message.kind, message.state, message.attempts) == ("receipt", "sent", 1)
    assert message.provider_sid == sent.sid


@pytest.mark.parametrize(
    ("lang", "words"), [("ar", "توصلنا ببلاغك"), ("en", "received. Follow it")]
)
def test_the_receipt_speaks_the_reporters_language(tw, fake, lang, words):
    code = file_report(tw, lang=lang)
    [sent] = fake.sent_to(E164)
    assert words in sent.body and code in sent.body


def test_a_report_without_a_phone_sends_nothing(tw, tw_app, fake):
    code = file_report(tw, phone=None)
    assert outbox(tw_app, code) == []
    assert fake.messages == []


def test_a_public_status_change_sends_the_status_and_the_public_note(tw, tw_app, fake):
    code = file_report(tw, lang="en")
    change_status(tw_app, code, "in_progress", note="A crew comes on Monday.")
    _receipt, update = fake.sent_to(E164)
    assert "is in progress" in update.body
    assert "A crew comes on Monday." in update.body
    assert code in update.body and f"/r/{code}" in update.body
    assert [m.kind for m in outbox(tw_app, code)] == ["receipt", "status"]


def test_a_message_queued_inside_a_savepoint_leaves_at_the_real_commit(tw, tw_app, fake):
    """Bulk triage changes each ticket in its own savepoint: releasing one is not a commit,
    and its message must still be sent once the whole transaction commits."""
    code = file_report(tw)
    with tw_app.app_context():
        found = stored_report(code)
        with db.session.begin_nested():
            event = RequestEvent(
                kind="status",
                from_status="submitted",
                to_status="acknowledged",
                public=True,
                note="Vu",
                actor="t",
            )
            found.status = "acknowledged"
            found.events.append(event)
            db.session.flush()
            enqueue_status_update(db.session, found, event)
        assert len(fake.sent_to(E164)) == 1  # the receipt only: nothing committed yet
        db.session.commit()
    _receipt, update = fake.sent_to(E164)
    assert "Vu" in update.body
    assert [m.state for m in outbox(tw_app, code)] == ["sent", "sent"]


def test_an_internal_event_sends_nothing(tw, tw_app, fake):
    code = file_report(tw)
    assert change_status(tw_app, code, "acknowledged", note="for colleagues", public=False) == []
    assert len(fake.sent_to(E164)) == 1  # the receipt only


def test_an_arabic_status_message_stays_within_two_segments(tw, tw_app, fake):
    code = file_report(tw, lang="ar")
    long_note = "سيتم إصلاح الحفرة من طرف فرقة الأشغال خلال الأسبوع المقبل إن شاء الله " * 4
    change_status(tw_app, code, "in_progress", note=long_note)
    update = fake.sent_to(E164)[-1]
    assert "قيد الإنجاز" in update.body and code in update.body and f"/r/{code}" in update.body
    assert "…" in update.body  # the note was shortened, never the code or link
    assert segments(update.body) <= 2
    assert outbox(tw_app, code)[-1].segments <= 2


def test_calling_the_status_hook_twice_writes_one_message(tw, tw_app, fake):
    from notifications.outbox import enqueue_status_update

    code = file_report(tw)
    change_status(tw_app, code, "acknowledged")
    with tw_app.app_context():
        found = stored_report(code)
        enqueue_status_update(db.session, found, found.events[-1])
        db.session.commit()
    assert len(outbox(tw_app, code)) == 2
    assert len(fake.sent_to(E164)) == 2


def test_429_is_retried_after_retry_after_and_sent_once(tw, tw_app, fake, notifier):
    fake.script(E164, "429")
    code = file_report(tw)  # the failure does not fail the request
    [message] = outbox(tw_app, code)
    assert (message.state, message.attempts, message.error_code) == ("pending", 1, 20429)
    assert (message.next_attempt_at - message.updated_at).total_seconds() >= 0.9  # Retry-After
    assert deliver(notifier, message.id).result == "not-due"
    assert deliver(notifier, message.id, force=True).result == "sent"
    assert len(fake.sent_to(E164)) == 1
    assert outbox(tw_app, code)[0].state == "sent"


def test_500_then_success_sends_once(tw, tw_app, fake, notifier):
    fake.script(E164, "500")
    code = file_report(tw)
    [message] = outbox(tw_app, code)
    assert (message.state, message.error_code) == ("pending", 20500)
    assert due(notifier, grace_seconds=0) == [message.id]  # the sweep would take it
    assert deliver(notifier, message.id).result == "sent"
    assert len(fake.sent_to(E164)) == 1
    assert due(notifier, grace_seconds=0) == []


@pytest.mark.parametrize(
    ("code", "phone"), [(21610, "0600000004"), (21211, "0600000001"), (63016, "0600000007")]
)
def test_a_permanent_error_marks_the_message_dead_at_once(tw, tw_app, fake, notifier, code, phone):
    fake.magic["+212" + phone[1:]] = (code, "refused")
    tracking = file_report(tw, phone=phone)
    [message] = outbox(tw_app, tracking)
    assert (message.state, message.error_code, message.attempts) == ("dead", code, 1)
    assert due(notifier, grace_seconds=0) == []
    with tw_app.app_context():
        [shown] = messages_for_report(db.session, message.request_id)
    assert shown["state"] == "dead" and shown["error_code"] == code


def test_a_timeout_before_twilio_accepted_is_retried_once(tw, tw_app, fake, notifier):
    fake.script(E164, "timeout")
    code = file_report(tw)
    [message] = outbox(tw_app, code)
    assert message.state == "pending" and message.uncertain
    assert fake.sent_to(E164) == []
    assert deliver(notifier, message.id).result == "sent"
    assert len(fake.sent_to(E164)) == 1


def test_a_timeout_after_twilio_accepted_is_not_sent_twice(tw, tw_app, fake, notifier):
    fake.script(E164, "timeout-accepted")
    code = file_report(tw)
    [message] = outbox(tw_app, code)
    assert message.state == "pending" and message.uncertain
    [accepted] = fake.sent_to(E164)
    assert deliver(notifier, message.id).result == "sent"
    assert len(fake.sent_to(E164)) == 1  # found at Twilio, adopted, not resent
    assert outbox(tw_app, code)[0].provider_sid == accepted.sid


def test_retries_stop_after_the_last_attempt(tw, tw_app, fake, notifier):
    fake.script(E164, *["500"] * 10)
    code = file_report(tw)
    [message] = outbox(tw_app, code)
    results = [deliver(notifier, message.id).result for _ in range(10)]
    max_attempts = notifier.settings.notify_max_attempts
    assert results[: max_attempts - 1] == ["retry"] * (max_attempts - 2) + ["dead"]
    final = outbox(tw_app, code)[0]
    assert (final.state, final.attempts) == ("dead", max_attempts)
    assert "gave up" in final.last_error
    assert fake.sent_to(E164) == []


def test_the_triage_view_gets_states_attempts_and_a_masked_number(tw, tw_app, fake):
    fake.script(E164, "500")
    code = file_report(tw)
    with tw_app.app_context():
        shown = messages_for_report(db.session, stored_report(code).id)
    assert [(m["kind"], m["state"], m["attempts"]) for m in shown] == [("receipt", "pending", 1)]
    assert shown[0]["to"] == "+212 6•• ••• •78"
    assert E164 not in repr(shown) and "612345678" not in repr(shown)


def test_the_public_report_never_shows_the_phone(tw):
    code = file_report(tw)
    body = tw.get(f"/api/v1/requests/{code}").get_data(as_text=True)
    assert "612345678" not in body and "messages" not in body
