"""The audit log of what administrators do to accounts and API keys: who did what to
whom, and when. Rows are only ever added (the console lists them on its audit page)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, utcnow

# What an entry records (its `action`), each named for the thing it acts on.
AUDIT_ACTIONS = (
    "user.create",
    "user.update",
    "user.disable",
    "user.enable",
    "user.reset_password",
    "user.change_password",
    "apikey.create",
    "apikey.revoke",
    "service.update",
    "routing.update",
    "user.contact",
    "department.head",
)


class AuditEntry(Base):
    """One administrative action. The actor and target are kept by name, not by foreign
    key, so the record outlives a renamed or removed account or key."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_target", "target"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    # "user:nadia", "apikey:partner-app" or "service:nid-de-poule".
    target: Mapped[str] = mapped_column(String(80))
    # What changed, in words a person reads ("role: clerk -> supervisor").
    detail: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<AuditEntry {self.action} {self.target} by {self.actor}>"
