"""Messages to and from residents: the outbox (one row per message to send, written in
the transaction that caused it) and the inbound log (deduplicated on Twilio's SID).

Neither table holds a phone number: the recipient is a `reporter_contacts` row, so
erasing the number there erases it everywhere. Bodies of inbound messages are not kept.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, BigId, utcnow
from models.people import ReporterContact
from models.staff_contacts import StaffContact

# alert: an area alert to a subscriber; confirm: the code confirming a subscription;
# digest and raise: escalations to staff (a department's daily digest to a supervisor,
# a ticket raised to the department head).
MESSAGE_KINDS = ("receipt", "status", "alert", "confirm", "digest", "raise")
MESSAGE_CHANNELS = ("sms", "whatsapp", "console")
# pending: to send (or to retry); sent: accepted by Twilio; delivered/undelivered/failed:
# Twilio's delivery reports; dead: refused for good or out of attempts; skipped: never
# sent on purpose (opted out, daily cap, number erased); deferred: an escalation held
# back by the city-wide SMS cap, made pending again (`released_at`) when the cap's
# 24-hour window has room (notifications.staff.release_deferred).
MESSAGE_STATES = (
    "pending",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "dead",
    "skipped",
    "deferred",
)
INBOUND_COMMANDS = ("status", "stop", "start", "help", "subscribe", "unknown")


class OutboundMessage(Base):
    """One message to one resident, from the outbox to its delivery report."""

    __tablename__ = "outbound_messages"
    __mapper_args__ = {"eager_defaults": True}
    __table_args__ = (
        CheckConstraint(f"kind IN {MESSAGE_KINDS!r}", name="kind"),
        CheckConstraint(f"channel IN {MESSAGE_CHANNELS!r}", name="channel"),
        CheckConstraint(f"state IN {MESSAGE_STATES!r}", name="state"),
        # The sweep: pending messages that are due, oldest first.
        Index("ix_outbound_messages_due", "state", "next_attempt_at"),
        # The daily cap: messages to one contact in the last 24 hours.
        Index("ix_outbound_messages_contact_created", "contact_id", "created_at"),
        # The city-wide SMS cap: messages by channel in the last 24 hours.
        Index("ix_outbound_messages_channel_created", "channel", "created_at"),
        # Released escalations count against the city-wide cap from their release.
        Index("ix_outbound_messages_released_at", "released_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # receipt:<request id>, status:<event id>, alert:<alert id>.<version>:<contact id>:
    # one message per cause, whatever retries.
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("request_events.id", ondelete="CASCADE")
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporter_contacts.id", ondelete="SET NULL")
    )
    # A message to staff (an escalation) has this instead of contact_id.
    staff_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_contacts.id", ondelete="SET NULL"), index=True
    )
    alert_id: Mapped[int | None] = mapped_column(
        ForeignKey("alerts.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    lang: Mapped[str] = mapped_column(String(2))
    body: Mapped[str] = mapped_column(Text)
    # A WhatsApp message outside the 24-hour window goes as an approved Content template:
    # its ContentSid and the ContentVariables JSON (the body is that template rendered).
    content_sid: Mapped[str | None] = mapped_column(String(34))
    content_variables: Mapped[str | None] = mapped_column(Text)
    segments: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
    # Set while a worker owns the message; an expired lease means the worker died.
    lease_until: Mapped[dt.datetime | None]
    claimed_at: Mapped[dt.datetime | None]
    # The last attempt may have reached Twilio (a timeout): look before sending again.
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False)
    provider_sid: Mapped[str | None] = mapped_column(String(34), unique=True)
    error_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
    sent_at: Mapped[dt.datetime | None]
    # When a deferred message was made pending again (it counts against the city-wide
    # SMS cap from then, not from created_at).
    released_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow(), onupdate=utcnow())

    contact: Mapped[ReporterContact | None] = relationship()
    staff_contact: Mapped[StaffContact | None] = relationship()


class InboundMessage(Base):
    """A message a resident sent us, kept to answer each Twilio MessageSid only once."""

    __tablename__ = "inbound_messages"
    __mapper_args__ = {"eager_defaults": True}
    __table_args__ = (
        CheckConstraint(f"command IN {INBOUND_COMMANDS!r}", name="command"),
        CheckConstraint("channel IN ('sms', 'whatsapp')", name="channel"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(34), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporter_contacts.id", ondelete="SET NULL"), index=True
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_requests.id", ondelete="SET NULL")
    )
    command: Mapped[str] = mapped_column(String(20))
    lang: Mapped[str] = mapped_column(String(2))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
