"""Phone numbers are kept only while they serve the report they came with (law 09-08):
erased a configurable number of days after the last report using them closed, unless
they are subscribed to area alerts (then kept until STOP)."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from models import (
    OPEN_STATUSES,
    AlertSubscription,
    Conversation,
    ReporterContact,
    ServiceRequest,
    utcnow,
)

log = logging.getLogger(__name__)


def erase_expired_numbers(
    session: Session, retention_days: int, now: dt.datetime | None = None
) -> int:
    """Detach numbers from reports closed more than `retention_days` before `now` (the
    database clock unless given), then delete the numbers no report (and no report in
    progress on WhatsApp) uses any more. Messages keep their state and text, without the
    number. Returns how many numbers were deleted."""
    now = now or session.scalar(select(utcnow()))
    cutoff = now - dt.timedelta(days=retention_days)
    session.execute(
        update(ServiceRequest)
        .where(
            ServiceRequest.contact_id.is_not(None),
            ServiceRequest.status.not_in(OPEN_STATUSES),
            ServiceRequest.closed_at.is_not(None),
            ServiceRequest.closed_at < cutoff,
        )
        .values(contact_id=None)
        .execution_options(synchronize_session=False)
    )
    used = exists().where(ServiceRequest.contact_id == ReporterContact.id)
    # A number subscribed to alerts (or waiting to confirm) serves that purpose: kept
    # until STOP ends its subscriptions.
    subscribed = exists().where(
        AlertSubscription.contact_id == ReporterContact.id, AlertSubscription.state != "ended"
    )
    # A resident in the middle of a WhatsApp report keeps their number until it is filed
    # or the conversation expires (24 hours idle).
    talking = exists().where(Conversation.contact_id == ReporterContact.id)
    erased = session.execute(
        delete(ReporterContact)
        .where(~used, ~subscribed, ~talking)
        .execution_options(synchronize_session=False)
    ).rowcount
    if erased:
        log.info("erased %d phone number(s) of reports closed before %s", erased, cutoff.date())
    return erased
