"""What residents attach to a report: photos (stored files, described here) and
"me too" supporters (one per device, the device id kept only as a hash)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, utcnow


class Photo(Base):
    """A photo of a report, re-encoded (no EXIF) and stored under `key`, with a thumbnail."""

    __tablename__ = "report_photos"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), index=True
    )
    # Storage keys: random, so a URL reveals nothing and never changes once given out.
    key: Mapped[str] = mapped_column(String(80), unique=True)
    thumb_key: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    # Moderation: no public view lists it and its files answer 404 to the public; clerks
    # still see it (citizen_api.domain.moderation).
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow())


class Supporter(Base):
    """A resident who said "me too" on a report, from one device."""

    __tablename__ = "report_supporters"
    __table_args__ = (
        UniqueConstraint("request_id", "device_hash"),
        # One confirmed phone vouches once per report, whatever device it comes from.
        Index("uq_report_supporters_request_contact", "request_id", "contact_id", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id", ondelete="CASCADE"))
    device_hash: Mapped[str] = mapped_column(String(64))
    # The reporter contact whose confirmed phone vouched for this supporter (None: a
    # device only). No foreign key: erasing a number later leaves the count as it was.
    contact_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
