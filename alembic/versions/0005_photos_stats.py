"""Photos, supporters, duplicate radius, and the open-statistics
aggregates (backfilled from the reports already stored).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

BACKFILL = {
    "postgresql": (
        """
        INSERT INTO stats_monthly (month, area_id, service_type_id, reports, open, resolved,
                                   resolved_within_sla)
        SELECT to_char(requested_at AT TIME ZONE 'UTC', 'YYYY-MM'), area_id, service_type_id,
               count(*),
               sum(CASE WHEN status IN ('submitted', 'acknowledged', 'in_progress') THEN 1 ELSE 0 END),
               sum(CASE WHEN status IN ('resolved', 'closed') THEN 1 ELSE 0 END),
               sum(CASE WHEN status IN ('resolved', 'closed') AND resolved_at <= expected_at THEN 1 ELSE 0 END)
        FROM service_requests GROUP BY 1, 2, 3
        """,
        """
        INSERT INTO stats_resolution_hours (month, area_id, service_type_id, hours, reports)
        SELECT to_char(requested_at AT TIME ZONE 'UTC', 'YYYY-MM'), area_id, service_type_id,
               greatest(0, floor(extract(epoch FROM resolved_at - requested_at) / 3600))::integer,
               count(*)
        FROM service_requests
        WHERE status IN ('resolved', 'closed') AND resolved_at IS NOT NULL
        GROUP BY 1, 2, 3, 4
        """,
    ),
    "sqlite": (
        """
        INSERT INTO stats_monthly (month, area_id, service_type_id, reports, open, resolved,
                                   resolved_within_sla)
        SELECT substr(requested_at, 1, 7), area_id, service_type_id,
               count(*),
               sum(CASE WHEN status IN ('submitted', 'acknowledged', 'in_progress') THEN 1 ELSE 0 END),
               sum(CASE WHEN status IN ('resolved', 'closed') THEN 1 ELSE 0 END),
               sum(CASE WHEN status IN ('resolved', 'closed') AND resolved_at <= expected_at THEN 1 ELSE 0 END)
        FROM service_requests GROUP BY 1, 2, 3
        """,
        """
        INSERT INTO stats_resolution_hours (month, area_id, service_type_id, hours, reports)
        SELECT substr(requested_at, 1, 7), area_id, service_type_id,
               max(0, CAST(round((julianday(resolved_at) - julianday(requested_at)) * 86400, 3) / 3600 AS INTEGER)),
               count(*)
        FROM service_requests
        WHERE status IN ('resolved', 'closed') AND resolved_at IS NOT NULL
        GROUP BY 1, 2, 3, 4
        """,
    ),
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # Plain ADD COLUMN (no batch mode): SQLite would otherwise rebuild the spatial table.
    op.add_column(
        "service_requests",
        sa.Column("supporters_count", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "service_requests", sa.Column("resolved_at", models.base.UTCDateTime(), nullable=True)
    )
    # Reports resolved before this revision: when they last became resolved, from history.
    op.execute(
        "UPDATE service_requests SET resolved_at = (SELECT max(e.created_at) FROM request_events e "
        "WHERE e.request_id = service_requests.id AND e.to_status = 'resolved') "
        "WHERE status IN ('resolved', 'closed')"
    )
    op.add_column(
        "service_types",
        sa.Column("duplicate_radius_m", sa.Integer(), server_default="250", nullable=False),
    )
    op.create_table(
        "report_photos",
        sa.Column("id", BigId, nullable=False),
        sa.Column("request_id", BigId, nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("thumb_key", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["service_requests.id"],
            name=op.f("fk_report_photos_request_id_service_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_photos")),
        sa.UniqueConstraint("key", name=op.f("uq_report_photos_key")),
    )
    op.create_index(op.f("ix_report_photos_request_id"), "report_photos", ["request_id"])
    op.create_table(
        "report_supporters",
        sa.Column("id", BigId, nullable=False),
        sa.Column("request_id", BigId, nullable=False),
        sa.Column("device_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["service_requests.id"],
            name=op.f("fk_report_supporters_request_id_service_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_supporters")),
        sa.UniqueConstraint(
            "request_id", "device_hash", name=op.f("uq_report_supporters_request_id")
        ),
    )

    def cell():
        return [
            sa.Column("month", sa.String(length=7), nullable=False),
            sa.Column("area_id", BigId, nullable=False),
            sa.Column("service_type_id", BigId, nullable=False),
        ]

    op.create_table(
        "stats_monthly",
        *cell(),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("open", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("resolved_within_sla", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_stats_monthly_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["service_type_id"],
            ["service_types.id"],
            name=op.f("fk_stats_monthly_service_type_id_service_types"),
        ),
        sa.PrimaryKeyConstraint(
            "month", "area_id", "service_type_id", name=op.f("pk_stats_monthly")
        ),
    )
    op.create_table(
        "stats_resolution_hours",
        *cell(),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_stats_resolution_hours_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["service_type_id"],
            ["service_types.id"],
            name=op.f("fk_stats_resolution_hours_service_type_id_service_types"),
        ),
        sa.PrimaryKeyConstraint(
            "month", "area_id", "service_type_id", "hours", name=op.f("pk_stats_resolution_hours")
        ),
    )
    for statement in BACKFILL[dialect]:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("stats_resolution_hours")
    op.drop_table("stats_monthly")
    op.drop_table("report_supporters")
    op.drop_index(op.f("ix_report_photos_request_id"), table_name="report_photos")
    op.drop_table("report_photos")
    op.drop_column("service_types", "duplicate_radius_m")
    op.drop_column("service_requests", "supporters_count")
    op.drop_column("service_requests", "resolved_at")
