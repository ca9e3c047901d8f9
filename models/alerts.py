"""Area alerts (a water cut in Maârif, a flood in Ben M'Sick) and residents' subscriptions
to the alerts of an area.

An alert is published once and then updated or cancelled; every change bumps its
`version`, and each version is one CAP message (Alert, Update, Cancel) whose sent time is
kept in `revisions`, so a later message can name the ones it updates (CAP `references`).

A subscription holds no phone number: the number is a `reporter_contacts` row (kept,
masked and erased as every other number), and one row per (number, area) says which
area's alerts it wants, in which language, over which channel.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, BigId, utcnow
from models.people import ReporterContact

ALERT_KINDS = ("water_cut", "power_cut", "road_works", "flood", "storm", "heat", "other")
SEVERITIES = ("minor", "moderate", "severe", "extreme")
# published: live or upcoming until ends_at; cancelled: withdrawn (CAP msgType Cancel).
ALERT_STATUSES = ("published", "cancelled")
# pending: waiting for the code sent by SMS; active: receives alerts; ended: STOP or
# unsubscribed; locked: too many wrong codes (a new request starts again later).
SUBSCRIPTION_STATES = ("pending", "active", "ended", "locked")
SUBSCRIPTION_CHANNELS = ("sms", "whatsapp")


class Alert(Base):
    """One alert as it stands now (its latest version)."""

    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint(f"kind IN {ALERT_KINDS!r}", name="kind"),
        CheckConstraint(f"severity IN {SEVERITIES!r}", name="severity"),
        CheckConstraint(f"status IN {ALERT_STATUSES!r}", name="status"),
        CheckConstraint("ends_at > starts_at", name="period"),
        # The public list: published alerts that have not ended yet.
        Index("ix_alerts_status_ends_at", "status", "ends_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="published")
    # The arrondissement codes named by the publisher.
    area_codes: Mapped[list] = mapped_column(JSON, default=list)
    # Those plus every area the drawn polygon touches: whose subscribers are told.
    covered_areas: Mapped[list] = mapped_column(JSON, default=list)
    # A GeoJSON Polygon drawn by the publisher (lon/lat), or None.
    polygon: Mapped[dict | None] = mapped_column(JSON)
    service_codes: Mapped[list] = mapped_column(JSON, default=list)
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    headline: Mapped[dict] = mapped_column(JSON)  # {"fr": ..., "ar": ..., "en": ...}
    description: Mapped[dict] = mapped_column(JSON)
    # [{"version": 1, "sent": "2026-12-02T07:12:03+00:00", "msg_type": "Alert"}, ...]
    revisions: Mapped[list] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow(), onupdate=utcnow())
    cancelled_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    __mapper_args__ = {"eager_defaults": True, "version_id_col": version}


class AlertSubscription(Base):
    """One number's wish to hear about one area's alerts."""

    __tablename__ = "alert_subscriptions"
    __table_args__ = (
        CheckConstraint(f"state IN {SUBSCRIPTION_STATES!r}", name="state"),
        CheckConstraint(f"channel IN {SUBSCRIPTION_CHANNELS!r}", name="channel"),
        UniqueConstraint("contact_id", "area_id", name="uq_alert_subscriptions_contact_area"),
        # The broadcast: active subscribers of some areas.
        Index("ix_alert_subscriptions_broadcast", "state", "area_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("reporter_contacts.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(2))
    channel: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default="pending")
    # The confirmation code, hashed (never stored in clear), its expiry and wrong tries.
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_expires_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
    confirmed_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]

    contact: Mapped[ReporterContact] = relationship()

    def __repr__(self) -> str:  # no number, no code hash
        return f"<AlertSubscription {self.id} {self.state}>"
