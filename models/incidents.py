"""Incidents: one problem many residents reported (a burst main, a district without
power), grouped by clerks so that one update answers every linked report at once.

An incident belongs to one department (clerks see and touch only their department's,
as tickets); `incident_reports` links each report to at most one incident. An incident
may stand behind an alert: reports the alert explains are linked to it as they arrive.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, BigId, utcnow
from models.catalogue import Department

# open: grouped, nothing said yet; acknowledged / in_progress: the reports follow;
# closed: its reports are resolved.
INCIDENT_STATUSES = ("open", "acknowledged", "in_progress", "closed")


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(f"status IN {INCIDENT_STATUSES!r}", name="status"),
        # One incident per alert and department collects the reports the alert explains.
        UniqueConstraint("alert_id", "department_id", name="uq_incidents_alert_department"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    area_codes: Mapped[list] = mapped_column(JSON, default=list)
    polygon: Mapped[dict | None] = mapped_column(JSON)
    service_codes: Mapped[list] = mapped_column(JSON, default=list)
    public_note: Mapped[str | None] = mapped_column(Text)
    alert_id: Mapped[int | None] = mapped_column(
        ForeignKey("alerts.id", ondelete="SET NULL"), index=True
    )
    # The incident's SLA clock: one due time for all its reports.
    expected_at: Mapped[dt.datetime | None]
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow(), onupdate=utcnow())
    closed_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    __mapper_args__ = {"eager_defaults": True, "version_id_col": version}

    department: Mapped[Department] = relationship(lazy="joined")


class IncidentReport(Base):
    """A report linked to an incident (one incident per report)."""

    __tablename__ = "incident_reports"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), primary_key=True
    )
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    linked_at: Mapped[dt.datetime] = mapped_column(default=utcnow())
