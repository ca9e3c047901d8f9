"""Draining the outbox in batches (what the sweep's drain tasks do): each outcome recorded
as deliver() records it, and workers draining at once send every message exactly once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import update

from citizen_api.extensions import db
from models import ReporterContact
from notifications.dispatch import drain, due
from tests.notifications.support import file_report, outbox

PHONES = {n: f"06610000{n:02d}" for n in range(1, 13)}


def e164(n: int) -> str:
    return "+2126610000" + f"{n:02d}"


def pending_reports(tw, fake, numbers) -> dict[int, str]:
    """Reports whose receipt failed once (a 500) and is left pending for the drain."""
    codes = {}
    for n in numbers:
        fake.script(e164(n), "500")
        codes[n] = file_report(tw, phone=PHONES[n])
    return codes


def test_a_drained_batch_records_each_outcome(tw, tw_app, fake, notifier):
    codes = pending_reports(tw, fake, [1, 2, 3, 4])
    fake.magic[e164(2)] = (21610, "Attempt to send to unsubscribed recipient")
    fake.script(e164(3), "429")
    with tw_app.app_context():
        db.session.execute(
            update(ReporterContact)
            .where(ReporterContact.phone_e164 == e164(4))
            .values(opted_out_at=db.func.now())
        )
        db.session.commit()
    assert drain(notifier) == {"sent": 1, "dead": 1, "retry": 1, "skipped": 1}
    [sent], [dead], [retry], [skipped] = (outbox(tw_app, codes[n]) for n in (1, 2, 3, 4))
    assert (sent.state, sent.attempts, sent.error_code) == ("sent", 2, None)
    assert sent.provider_sid == fake.sent_to(e164(1))[0].sid and sent.sent_at is not None
    assert sent.lease_until is None and not sent.uncertain
    assert (dead.state, dead.error_code, dead.attempts) == ("dead", 21610, 2)
    assert (retry.state, retry.error_code, retry.attempts) == ("pending", 20429, 2)
    assert (retry.next_attempt_at - retry.updated_at).total_seconds() >= 0.9  # Retry-After
    assert (skipped.state, skipped.attempts) == ("skipped", 1)
    assert skipped.last_error == "opted out (STOP)"
    assert drain(notifier) == {}  # the 429 waits for its backoff; the rest are done
    assert [len(fake.sent_to(e164(n))) for n in (1, 2, 3, 4)] == [1, 0, 0, 0]


def test_workers_draining_at_once_send_every_message_once(tw, tw_app, fake, notifier):
    numbers = list(PHONES)
    codes = pending_reports(tw, fake, numbers)
    assert len(due(notifier, grace_seconds=0)) == len(numbers)
    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(lambda _: drain(notifier, batch=2), range(4)))
    assert sum(c.get("sent", 0) for c in counts) == len(numbers)
    for n in numbers:
        [message] = outbox(tw_app, codes[n])
        assert (message.state, message.attempts) == ("sent", 2)
        [at_twilio] = fake.sent_to(e164(n))
        assert message.provider_sid == at_twilio.sid
    assert due(notifier, grace_seconds=0) == []
