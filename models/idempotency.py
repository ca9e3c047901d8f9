"""Idempotency-Key records: one per (scope, key), so a retried submission replays the
first answer instead of filing a second report."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, utcnow


class IdempotencyKey(Base):
    """A client's Idempotency-Key for one kind of operation, and the answer it got.

    `status_code` is NULL while the first request with the key is still in flight; the
    answer is written in the same transaction as whatever the request created, so a
    record with an answer always has its effect stored, and one without has none.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the request (method, path, canonical JSON body), hex.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # Random per claim: only the request holding the lock may write the answer.
    lock_token: Mapped[str] = mapped_column(String(32))
    locked_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_headers: Mapped[dict | None] = mapped_column(JSON)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
