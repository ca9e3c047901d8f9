"""Periodic jobs' bookkeeping: one row per job, shared by every worker process.

The row says when the job last started and finished and how it ended, so that any number
of workers keep one schedule between them (a job is due when its last start is older than
its interval, whoever ran it) and operators can see whether the schedule is kept. On
SQLite the row is also the lock (`lease_owner` until `lease_until`); PostgreSQL uses an
advisory lock instead and fills the lease columns only to show who is running the job.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class JobRun(Base):
    """The last run of one periodic job (outbox sweep, phone erasure, ...)."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_started_at: Mapped[dt.datetime | None]
    last_finished_at: Mapped[dt.datetime | None]
    # ok, error (the job raised) or running.
    last_status: Mapped[str | None] = mapped_column(String(20))
    # What the job reported ("3 sent, 1 retry") or the error's type and text, short.
    last_summary: Mapped[str | None] = mapped_column(String(300))
    # How many times the job ran in all, over every worker.
    runs: Mapped[int] = mapped_column(Integer, default=0)
    # Which worker process (host:pid) holds the job now, and until when (SQLite's lock).
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[dt.datetime | None]
