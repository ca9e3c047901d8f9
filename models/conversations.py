"""WhatsApp intake: a resident's report in progress, and the answer given to each inbound
message (so that Twilio's retry of a MessageSid gets the same answer and changes nothing).

Neither table holds a phone number: both point at the resident's `reporter_contacts` row
(as the outbox does), so erasing the number erases the link everywhere.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, utcnow

CONVERSATION_STEPS = (
    "describe",
    "service",
    "location",
    "duplicate",
    "attribute",
    "photo",
    "details",
    "confirm",
)


class Conversation(Base):
    """One report being collected over WhatsApp: at most one per resident."""

    __tablename__ = "conversations"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("reporter_contacts.id", ondelete="CASCADE"), unique=True
    )
    # The question the resident was last asked: it says what their next answer means.
    step: Mapped[str] = mapped_column(String(20))
    lang: Mapped[str] = mapped_column(String(2))
    # What has been collected so far (service, point, answers, photo keys, text).
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    last_message_sid: Mapped[str | None] = mapped_column(String(34))
    messages: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow(), onupdate=utcnow())
    # 24 hours after the resident's last message: then it is abandoned.
    expires_at: Mapped[dt.datetime] = mapped_column(default=utcnow(24), index=True)


class InboundReply(Base):
    """The answer given to one inbound MessageSid (None: an empty TwiML answer)."""

    __tablename__ = "inbound_replies"
    __mapper_args__ = {"eager_defaults": True}
    __table_args__ = (
        # The per-number rate limit: this resident's messages in the last seconds.
        Index("ix_inbound_replies_contact_created", "contact_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(34), unique=True)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporter_contacts.id", ondelete="SET NULL")
    )
    reply: Mapped[str | None] = mapped_column(Text)
    # Refused by the per-number rate limit (not acted on).
    limited: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow(), index=True)
