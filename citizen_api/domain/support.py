"""Supporters of a report ("me too"), counted once per device and once per confirmed
phone. Free of Flask: the "me too" endpoint (citizen_api.duplicates) and the workflow
(a ticket marked a duplicate brings its reporter to the original) both count here.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import InboundMessage, ServiceRequest, Supporter


def device_hash(device_id: str) -> str:
    return hashlib.sha256(device_id.encode()).hexdigest()


def confirmed_contact(session: Session, voucher: ServiceRequest | None) -> int | None:
    """The contact of the supporter's own report when its phone is confirmed: that number
    has written to us (an SMS or WhatsApp reply reached the inbound webhook, which only
    the phone's holder can send). None otherwise."""
    if voucher is None or voucher.contact_id is None:
        return None
    texted = session.scalar(
        select(InboundMessage.id).where(InboundMessage.contact_id == voucher.contact_id).limit(1)
    )
    return voucher.contact_id if texted else None


def record_supporter(
    session: Session, report: ServiceRequest, device_id: str, contact_id: int | None = None
) -> bool:
    """Count `device_id` as a supporter of `report` once, in the caller's transaction
    (nothing is committed); True when it is new. With `contact_id` (a confirmed phone)
    the supporter also raises priority, once per phone."""
    try:
        with session.begin_nested():
            session.add(
                Supporter(
                    request_id=report.id,
                    device_hash=device_hash(device_id),
                    contact_id=contact_id,
                )
            )
    except IntegrityError:  # this device, or this confirmed phone, already supports it
        return False
    session.execute(
        update(ServiceRequest)
        .where(ServiceRequest.id == report.id)
        # A supporter is not a change of the report: updated_at stays.
        .values(
            supporters_count=ServiceRequest.supporters_count + 1,
            verified_supporters=ServiceRequest.verified_supporters + (1 if contact_id else 0),
            updated_at=ServiceRequest.updated_at,
        )
        .execution_options(synchronize_session=False)
    )
    return True
