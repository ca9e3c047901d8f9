"""Counters kept in the database, for limits that must hold across every worker and
replica even without Redis (the per-username sign-in limit): one row per key and fixed
window, incremented atomically (INSERT ... ON CONFLICT DO UPDATE, on both backends)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class RateCounter(Base):
    """How many hits `key` had in the window starting at `window_start`."""

    __tablename__ = "rate_counters"
    __table_args__ = (PrimaryKeyConstraint("key", "window_start", name="pk_rate_counters"),)

    key: Mapped[str] = mapped_column(String(200))
    window_start: Mapped[dt.datetime]
    hits: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
