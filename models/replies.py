"""Canned public replies ("response templates") that supervisors keep per service type
and status, in French, Arabic and English. A clerk picks one and edits it; the resident
receives it in their own language."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, BigId, utcnow
from models.catalogue import Department, ServiceType
from models.i18n import pick
from models.service_requests import STATUSES


class ResponseTemplate(Base):
    """One canned reply: for a department, a status and (optionally) one service type."""

    __tablename__ = "response_templates"
    __table_args__ = (CheckConstraint(f"status IN {STATUSES!r}", name="status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    # None: offered for every service type of the department.
    service_type_id: Mapped[int | None] = mapped_column(ForeignKey("service_types.id"))
    status: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(80))
    text_fr: Mapped[str] = mapped_column(Text)
    text_ar: Mapped[str | None] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
    updated_by: Mapped[str | None] = mapped_column(String(64))
    # Bumped on every edit: two supervisors editing one template cannot overwrite each other.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    department: Mapped[Department] = relationship(lazy="joined")
    service_type: Mapped[ServiceType | None] = relationship(lazy="joined")

    def text(self, lang: str) -> str:
        """The reply in `lang`, else French (always present)."""
        return pick(self, "text", lang)
