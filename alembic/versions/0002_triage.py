"""Clerk triage: clerk accounts, and the triage fields of a report and its events.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

service_requests is a SpatiaLite geometry table, which a batch rebuild would break (its
geometry registration, spatial index and triggers), so on SQLite the columns are added
with plain ALTER TABLE statements that carry their constraints inline.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
PRIORITY_CHECK = "priority IN ('urgent', 'high', 'normal', 'low')"

SQLITE_COLUMNS = (
    "ALTER TABLE service_requests ADD COLUMN priority VARCHAR(10) DEFAULT 'normal' NOT NULL "
    f"CONSTRAINT ck_service_requests_priority CHECK ({PRIORITY_CHECK})",
    "ALTER TABLE service_requests ADD COLUMN assignee_id INTEGER "
    "CONSTRAINT fk_service_requests_assignee_id_clerks REFERENCES clerks (id)",
    "ALTER TABLE service_requests ADD COLUMN duplicate_of_id INTEGER "
    "CONSTRAINT fk_service_requests_duplicate_of_id_service_requests "
    "REFERENCES service_requests (id)",
    "ALTER TABLE service_requests ADD COLUMN report_token_hash VARCHAR(64)",
    "ALTER TABLE service_requests ADD COLUMN version INTEGER DEFAULT 1 NOT NULL",
    "ALTER TABLE request_events ADD COLUMN department_id INTEGER "
    "CONSTRAINT fk_request_events_department_id_departments REFERENCES departments (id)",
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "clerks",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("department_id", BIG_ID, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role = 'admin' OR department_id IS NOT NULL", name=op.f("ck_clerks_department")
        ),
        sa.CheckConstraint("role IN ('clerk', 'supervisor', 'admin')", name=op.f("ck_clerks_role")),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_clerks_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clerks")),
        sa.UniqueConstraint("username", name=op.f("uq_clerks_username")),
    )
    op.create_index(op.f("ix_clerks_department_id"), "clerks", ["department_id"], unique=False)

    if sqlite:
        for statement in SQLITE_COLUMNS:
            op.execute(statement)
    else:
        op.add_column(
            "service_requests",
            sa.Column("priority", sa.String(length=10), server_default="normal", nullable=False),
        )
        op.add_column("service_requests", sa.Column("assignee_id", BIG_ID, nullable=True))
        op.add_column("service_requests", sa.Column("duplicate_of_id", BIG_ID, nullable=True))
        op.add_column(
            "service_requests", sa.Column("report_token_hash", sa.String(length=64), nullable=True)
        )
        op.add_column(
            "service_requests",
            sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        )
        op.create_check_constraint(
            op.f("ck_service_requests_priority"), "service_requests", PRIORITY_CHECK
        )
        op.create_foreign_key(
            op.f("fk_service_requests_assignee_id_clerks"),
            "service_requests",
            "clerks",
            ["assignee_id"],
            ["id"],
        )
        op.create_foreign_key(
            op.f("fk_service_requests_duplicate_of_id_service_requests"),
            "service_requests",
            "service_requests",
            ["duplicate_of_id"],
            ["id"],
        )
        op.add_column("request_events", sa.Column("department_id", BIG_ID, nullable=True))
        op.create_foreign_key(
            op.f("fk_request_events_department_id_departments"),
            "request_events",
            "departments",
            ["department_id"],
            ["id"],
        )
    op.create_index(
        op.f("ix_service_requests_assignee_id"), "service_requests", ["assignee_id"], unique=False
    )
    op.create_index(
        op.f("ix_service_requests_duplicate_of_id"),
        "service_requests",
        ["duplicate_of_id"],
        unique=False,
    )
    op.create_index(
        "ix_service_requests_department_expected",
        "service_requests",
        ["department_id", "expected_at"],
        unique=False,
    )
    # Events recorded before this revision keep department_id NULL: request_events is
    # append-only (its trigger refuses UPDATE), and readers fall back to the report's
    # department, which nothing could change before triage existed.


def downgrade() -> None:
    op.drop_index("ix_service_requests_department_expected", table_name="service_requests")
    op.drop_index(op.f("ix_service_requests_duplicate_of_id"), table_name="service_requests")
    op.drop_index(op.f("ix_service_requests_assignee_id"), table_name="service_requests")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite >= 3.35 drops a column in place (keeping the geometry table intact).
        op.execute("ALTER TABLE request_events DROP COLUMN department_id")
        for column in (
            "version",
            "report_token_hash",
            "duplicate_of_id",
            "assignee_id",
            "priority",
        ):
            op.execute(f"ALTER TABLE service_requests DROP COLUMN {column}")
    else:
        op.drop_constraint(
            op.f("fk_request_events_department_id_departments"),
            "request_events",
            type_="foreignkey",
        )
        op.drop_column("request_events", "department_id")
        op.drop_constraint(
            op.f("fk_service_requests_duplicate_of_id_service_requests"),
            "service_requests",
            type_="foreignkey",
        )
        op.drop_constraint(
            op.f("fk_service_requests_assignee_id_clerks"), "service_requests", type_="foreignkey"
        )
        op.drop_constraint(op.f("ck_service_requests_priority"), "service_requests", type_="check")
        for column in (
            "version",
            "report_token_hash",
            "duplicate_of_id",
            "assignee_id",
            "priority",
        ):
            op.drop_column("service_requests", column)
    op.drop_index(op.f("ix_clerks_department_id"), table_name="clerks")
    op.drop_table("clerks")
