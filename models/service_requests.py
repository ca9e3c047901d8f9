"""Service requests (reports) and their append-only event history."""

from __future__ import annotations

import datetime as dt

from geoalchemy2 import Geometry
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, column_property, deferred, mapped_column, relationship

from models.base import Base, BigId, utcnow
from models.catalogue import Department, RoutingRule, ServiceType
from models.geography import Area
from models.i18n import LANGUAGES
from models.media import Photo
from models.people import ReporterContact

STATUSES = (
    "submitted",
    "acknowledged",
    "in_progress",
    "resolved",
    "closed",
    "rejected",
    "duplicate",
)
OPEN_STATUSES = ("submitted", "acknowledged", "in_progress")
CHANNELS = ("api", "open311", "whatsapp", "sms", "web")


class ServiceRequest(Base):
    """A report filed by a resident: what, where, routed to whom, and why."""

    __tablename__ = "service_requests"
    __mapper_args__ = {"eager_defaults": True}
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        CheckConstraint(f"lang IN {LANGUAGES!r}", name="lang"),
        CheckConstraint(f"channel IN {CHANNELS!r}", name="channel"),
        # Newest-first keyset pagination, alone and under the common filters.
        Index("ix_service_requests_requested", "requested_at", "id"),
        Index("ix_service_requests_status_requested", "status", "requested_at", "id"),
        Index("ix_service_requests_service_requested", "service_type_id", "requested_at", "id"),
        Index("ix_service_requests_area_requested", "area_id", "requested_at", "id"),
        Index("ix_service_requests_department_requested", "department_id", "requested_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(12), unique=True)
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_types.id"))
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    geom = deferred(mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False))
    description: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(300))
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    lang: Mapped[str] = mapped_column(String(2), default="fr")
    channel: Mapped[str] = mapped_column(String(20), default="api")
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    routing_rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("routing_rules.id", ondelete="SET NULL")
    )
    # Why the report went where it went, in words, kept even if the rule changes later.
    routing_reason: Mapped[str] = mapped_column(Text)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporter_contacts.id", ondelete="SET NULL"), index=True
    )
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow(), onupdate=utcnow(), index=True)
    expected_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    # "Me too" from other residents (models.media.Supporter rows); raises triage priority.
    supporters_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # SHA-256 of the report token given to the reporter once (resident actions later on).
    report_token_hash: Mapped[str | None] = mapped_column(String(64))

    service_type: Mapped[ServiceType] = relationship(lazy="joined", innerjoin=True)
    area: Mapped[Area] = relationship(lazy="joined", innerjoin=True)
    department: Mapped[Department] = relationship(lazy="joined", innerjoin=True)
    routing_rule: Mapped[RoutingRule | None] = relationship()
    contact: Mapped[ReporterContact | None] = relationship()
    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", order_by="RequestEvent.id", passive_deletes=True
    )
    photos: Mapped[list[Photo]] = relationship(
        order_by="Photo.id", passive_deletes=True, lazy="selectin"
    )


ServiceRequest.long = column_property(func.ST_X(ServiceRequest.geom))
ServiceRequest.lat = column_property(func.ST_Y(ServiceRequest.geom))


class RequestEvent(Base):
    """One thing that happened to a report. Rows are only ever added (a database
    trigger refuses updates)."""

    __tablename__ = "request_events"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow())

    request: Mapped[ServiceRequest] = relationship(back_populates="events")
