"""Escalation digests: what went overdue in a department since its previous digest, made
once a day at the department's digest hour and shown to its supervisors."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, BigId, utcnow
from models.catalogue import Department


class StaffDigest(Base):
    """One department's digest: the tickets that went past their SLA in [since, until)."""

    __tablename__ = "staff_digests"
    __table_args__ = (Index("ix_staff_digests_department_until", "department_id", "until"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    since: Mapped[dt.datetime | None]
    until: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
    overdue: Mapped[int] = mapped_column(Integer)
    raised: Mapped[int] = mapped_column(Integer)
    # The tracking codes that went overdue, oldest first (at most DIGEST_CODES of them).
    codes: Mapped[list] = mapped_column(JSON, default=list)

    department: Mapped[Department] = relationship(lazy="joined")
