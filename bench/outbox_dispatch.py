"""Outbox dispatch throughput: N pending messages sent by W threads to the local Twilio
fake (no Prism), on the database of DATABASE_URL (migrated and seeded). Reports
messages/s, and checks none lost and none sent twice. Not run by the tests.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/DB python bench/outbox_dispatch.py 2000 4
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, func, select

from citizen_api import create_app
from citizen_api.extensions import db
from citizen_api.notify import notifier_of
from citizen_api.reporting import file_report
from models import OutboundMessage, ServiceRequest
from notifications.dispatch import deliver
from tests.notifications.twilio_fake import TwilioFake

SID, TOKEN = "AC" + "ab" * 16, "t" * 32


def main(count: int, workers: int) -> None:
    fake = TwilioFake(SID, TOKEN)
    url = fake.start()
    app = create_app(
        {
            "TWILIO_ACCOUNT_SID": SID,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_SMS_FROM": "CASA311",
            "TWILIO_API_BASE_URL": url,
            "NOTIFY_DAILY_CAP": count + 1,
            "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",  # never reached: nothing dispatched
        }
    )
    notifier = notifier_of(app)
    with app.app_context():
        for i in range(count):
            file_report(
                db.session,
                service_code="nid-de-poule",
                lat=33.5925,
                long=-7.6191,
                phone=f"06{10000000 + i % 50:08d}",
            )
        db.session.info.clear()  # leave them pending: the bench sends them
        db.session.commit()
        ids = db.session.scalars(
            select(OutboundMessage.id).where(OutboundMessage.state == "pending")
        ).all()
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(lambda i: deliver(notifier, i).result, ids * 2))  # each twice
    elapsed = time.perf_counter() - started
    with app.app_context():
        sent = db.session.scalar(
            select(func.count()).where(OutboundMessage.state == "sent", OutboundMessage.id.in_(ids))
        )
        db.session.execute(
            delete(ServiceRequest).where(
                ServiceRequest.id.in_(
                    select(OutboundMessage.request_id).where(OutboundMessage.id.in_(ids))
                )
            )
        )
        db.session.commit()
    print(
        f"{len(ids)} messages, {workers} threads: {len(ids) / elapsed:.0f} messages/s; "
        f"sent {sent}, at the fake {len(fake.messages)}, "
        f"second deliveries no-ops: {results.count('done') + results.count('busy')}"
    )
    fake.stop()


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 1000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 4,
    )
