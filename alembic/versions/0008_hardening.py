"""Hardening (issue 14): tokens that end with what they stood for, and sign-in counters
every worker shares.

`clerks.credentials_version` is the same column as branch i11's 0010_console (bumped on
enable/disable, a new password, a role or department change; a token or console session
carrying an older number is over). It is added only if absent, so whichever of the two
migrations runs first, the other finds it there.

`ix_outbound_messages_channel_created` serves the city-wide daily SMS cap.

`service_requests.verified_supporters` and `report_supporters.contact_id`: only a "me
too" vouched for by the supporter's own confirmed phone raises priority.

`rate_counters` holds the per-username sign-in counters (fixed windows), so the limit
holds across workers and replicas without Redis.

Revision ID: 0008
Revises: 0012
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0008"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _has_column(table: str, column: str) -> bool:
    return column in {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    if not _has_column("clerks", "credentials_version"):
        op.add_column(
            "clerks",
            sa.Column("credentials_version", sa.Integer(), server_default="1", nullable=False),
        )
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_start", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name="pk_rate_counters"),
    )
    op.create_index(op.f("ix_rate_counters_expires_at"), "rate_counters", ["expires_at"])
    op.create_index(
        "ix_outbound_messages_channel_created", "outbound_messages", ["channel", "created_at"]
    )
    op.add_column(
        "service_requests",
        sa.Column("verified_supporters", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column("report_supporters", sa.Column("contact_id", BIG_ID, nullable=True))
    op.create_index(
        "uq_report_supporters_request_contact",
        "report_supporters",
        ["request_id", "contact_id"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_report_supporters_request_contact", table_name="report_supporters")
    op.execute("ALTER TABLE report_supporters DROP COLUMN contact_id")
    op.execute("ALTER TABLE service_requests DROP COLUMN verified_supporters")
    op.drop_index("ix_outbound_messages_channel_created", table_name="outbound_messages")
    op.drop_index(op.f("ix_rate_counters_expires_at"), table_name="rate_counters")
    op.drop_table("rate_counters")
    if _has_column("clerks", "credentials_version"):
        # SQLite >= 3.35 drops a column in place (no table rebuild under the foreign keys).
        op.execute("ALTER TABLE clerks DROP COLUMN credentials_version")
