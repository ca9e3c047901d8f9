"""The clerks' console: response templates (and the credentials version, if absent).

`clerks.credentials_version` is carried by each console session and API token; bumping
it (on enable/disable, a new password, role or department) ends the account's sessions
at once. Migration 0008 (hardening) adds it first on main; it is added here only if
absent. `response_templates` holds the canned public replies supervisors keep.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
STATUS_CHECK = (
    "status IN ('submitted', 'acknowledged', 'in_progress', 'resolved', 'closed', "
    "'rejected', 'duplicate')"
)


def upgrade() -> None:
    # Added by 0008 already on main; kept here for a database that lacks it.
    if "credentials_version" not in {
        c["name"] for c in sa.inspect(op.get_bind()).get_columns("clerks")
    }:
        op.add_column(
            "clerks",
            sa.Column("credentials_version", sa.Integer(), server_default="1", nullable=False),
        )
    op.create_table(
        "response_templates",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("department_id", BIG_ID, nullable=False),
        sa.Column("service_type_id", BIG_ID, nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("text_fr", sa.Text(), nullable=False),
        sa.Column("text_ar", sa.Text(), nullable=True),
        sa.Column("text_en", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(STATUS_CHECK, name=op.f("ck_response_templates_status")),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_response_templates_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["service_type_id"],
            ["service_types.id"],
            name=op.f("fk_response_templates_service_type_id_service_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_templates")),
    )
    op.create_index(
        op.f("ix_response_templates_department_id"), "response_templates", ["department_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_response_templates_department_id"), table_name="response_templates")
    op.drop_table("response_templates")
    # The credentials version goes with 0008's downgrade, which added it.
