"""The admins' console: accounts that must choose a new password, the audit log, and
escalation digests.

`clerks.must_change_password` is set when an administrator creates an account or resets
its password. `audit_entries` records every administrative action (who, what, when).
`departments.digest_hour` is when a department's digest is made; `staff_digests` holds
the digests (what went overdue since the previous one).

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0013"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column(
        "clerks",
        sa.Column("must_change_password", sa.Boolean(), server_default="0", nullable=False),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=80), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index("ix_audit_entries_target", "audit_entries", ["target"])
    op.add_column(
        "departments",
        sa.Column("digest_hour", sa.Integer(), server_default="7", nullable=False),
    )
    op.create_table(
        "staff_digests",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("department_id", BIG_ID, nullable=False),
        sa.Column("since", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("until", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.Column("raised", sa.Integer(), nullable=False),
        sa.Column("codes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_staff_digests_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_digests")),
    )
    op.create_index(
        "ix_staff_digests_department_until", "staff_digests", ["department_id", "until"]
    )


def downgrade() -> None:
    op.drop_index("ix_staff_digests_department_until", table_name="staff_digests")
    op.drop_table("staff_digests")
    op.execute("ALTER TABLE departments DROP COLUMN digest_hour")
    op.drop_index("ix_audit_entries_target", table_name="audit_entries")
    op.drop_table("audit_entries")
    op.execute("ALTER TABLE clerks DROP COLUMN must_change_password")
