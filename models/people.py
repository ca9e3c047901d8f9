"""People behind reports. A reporter's phone lives here, apart from the report, so no
public query of reports can ever carry it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, utcnow


class ReporterContact(Base):
    """One phone number (E.164) that reports were filed with."""

    __tablename__ = "reporter_contacts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    phone_e164: Mapped[str] = mapped_column(String(20), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
    # Consent: set by STOP (no message goes to this number any more), cleared by START.
    opted_out_at: Mapped[dt.datetime | None]
    # Last time this number wrote to us over WhatsApp: we answer there rather than by SMS.
    whatsapp_at: Mapped[dt.datetime | None]

    def __repr__(self) -> str:  # never let the number leak through a repr in a log
        return f"<ReporterContact {self.id}>"
