"""Staff phone numbers, apart from the accounts: the number an escalation reaches a
supervisor or department head on, and the channel they prefer. Kept like a reporter's
number (its own table, never in a public response or a log line): the console shows it
only to its owner and to administrators. And each department's designated head, whom a
ticket open for more than twice its SLA is raised to."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, BigId, utcnow
from models.catalogue import Department
from models.people import Clerk

STAFF_CHANNELS = ("whatsapp", "sms")


class StaffContact(Base):
    """One staff account's number (E.164) and preferred channel."""

    __tablename__ = "staff_contacts"
    __table_args__ = (CheckConstraint(f"channel IN {STAFF_CHANNELS!r}", name="channel"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    clerk_id: Mapped[int] = mapped_column(ForeignKey("clerks.id", ondelete="CASCADE"), unique=True)
    phone_e164: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20), default="sms")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow(), onupdate=utcnow())

    clerk: Mapped[Clerk] = relationship()

    def __repr__(self) -> str:  # never the number
        return f"<StaffContact of clerk {self.clerk_id} via {self.channel}>"


class DepartmentHead(Base):
    """The account a department's tickets are raised to."""

    __tablename__ = "department_heads"

    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    clerk_id: Mapped[int] = mapped_column(ForeignKey("clerks.id", ondelete="CASCADE"), index=True)

    department: Mapped[Department] = relationship()
    clerk: Mapped[Clerk] = relationship()
