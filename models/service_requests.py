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
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, column_property, deferred, mapped_column, relationship

from models.base import Base, BigId, utcnow
from models.catalogue import Department, RoutingRule, ServiceType
from models.geography import Area
from models.i18n import LANGUAGES
from models.media import Photo
from models.people import Clerk, ReporterContact

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
# Most urgent first: the order of the triage queue's `sort=priority`.
PRIORITIES = ("urgent", "high", "normal", "low")


class ServiceRequest(Base):
    """A report filed by a resident: what, where, routed to whom, and why."""

    __tablename__ = "service_requests"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        CheckConstraint(f"priority IN {PRIORITIES!r}", name="priority"),
        CheckConstraint(f"lang IN {LANGUAGES!r}", name="lang"),
        CheckConstraint(f"channel IN {CHANNELS!r}", name="channel"),
        # Newest-first keyset pagination, alone and under the common filters.
        Index("ix_service_requests_requested", "requested_at", "id"),
        Index("ix_service_requests_status_requested", "status", "requested_at", "id"),
        Index("ix_service_requests_service_requested", "service_type_id", "requested_at", "id"),
        Index("ix_service_requests_area_requested", "area_id", "requested_at", "id"),
        Index("ix_service_requests_department_requested", "department_id", "requested_at", "id"),
        # The triage queue: a department's tickets by due time.
        Index("ix_service_requests_department_expected", "department_id", "expected_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(12), unique=True)
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_types.id"))
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    geom = deferred(mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False))
    description: Mapped[str | None] = mapped_column(Text)
    # Moderation: the description is kept (clerks read it) but shown to no member of the
    # public (citizen_api.domain.moderation); set and cleared only with a history event.
    description_hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
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
    # When the report last became resolved (kept when it closes, cleared if it reopens).
    resolved_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    # Triage: set by clerks through the workflow, never by the resident API.
    priority: Mapped[str] = mapped_column(String(10), default="normal", server_default="normal")
    # No ON DELETE: clerks are disabled, never deleted, and reports are history.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("clerks.id"), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_requests.id"), index=True
    )
    # SHA-256 of the secret the resident got once at creation (it proves authorship).
    report_token_hash: Mapped[str | None] = mapped_column(String(64))
    # Bumped on every UPDATE: the ETag, and optimistic locking between two clerks.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    __mapper_args__ = {"eager_defaults": True, "version_id_col": version}
    # "Me too" from other residents (models.media.Supporter rows); raises triage priority.
    supporters_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Of those, the supporters whose own confirmed phone vouched for them: only these
    # raise triage priority (a device id costs nothing to invent; a phone that texted us
    # does). citizen_api.duplicates.nearby.add_supporter keeps both counts.
    verified_supporters: Mapped[int] = mapped_column(default=0, server_default="0")

    service_type: Mapped[ServiceType] = relationship(lazy="joined", innerjoin=True)
    area: Mapped[Area] = relationship(lazy="joined", innerjoin=True)
    department: Mapped[Department] = relationship(lazy="joined", innerjoin=True)
    routing_rule: Mapped[RoutingRule | None] = relationship()
    contact: Mapped[ReporterContact | None] = relationship()
    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", order_by="RequestEvent.id", passive_deletes=True
    )
    assignee: Mapped[Clerk | None] = relationship(lazy="joined")
    duplicate_of: Mapped[ServiceRequest | None] = relationship(
        remote_side="ServiceRequest.id", back_populates="duplicates"
    )
    duplicates: Mapped[list[ServiceRequest]] = relationship(
        back_populates="duplicate_of", order_by="ServiceRequest.id"
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
    # The event's facts (e.g. {"assignee": "amina"}, {"from": "normal", "to": "high"},
    # {"target": "photo", "photo": 2, "reason": "personal_data"}), so the console words
    # them in the reader's language; `note` keeps the English (or the clerk's) text.
    data: Mapped[dict | None] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
    # The department handling the report when this happened (shown to residents).
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))

    request: Mapped[ServiceRequest] = relationship(back_populates="events")
    department: Mapped[Department | None] = relationship(lazy="joined")
