"""Notifications: the outbox, the inbound log, and consent on reporter contacts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("reporter_contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("opted_out_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("whatsapp_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )

    op.create_table(
        "outbound_messages",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("dedupe_key", sa.String(length=80), nullable=False),
        sa.Column("request_id", BIG_ID, nullable=True),
        sa.Column("event_id", BIG_ID, nullable=True),
        sa.Column("contact_id", BIG_ID, nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("uncertain", sa.Boolean(), nullable=False),
        sa.Column("provider_sid", sa.String(length=34), nullable=True),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('sms', 'whatsapp', 'console')", name=op.f("ck_outbound_messages_channel")
        ),
        sa.CheckConstraint("kind IN ('receipt', 'status')", name=op.f("ck_outbound_messages_kind")),
        sa.CheckConstraint(
            "state IN ('pending', 'sent', 'delivered', 'undelivered', 'failed', 'dead', 'skipped')",
            name=op.f("ck_outbound_messages_state"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["reporter_contacts.id"],
            name=op.f("fk_outbound_messages_contact_id_reporter_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["request_events.id"],
            name=op.f("fk_outbound_messages_event_id_request_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["service_requests.id"],
            name=op.f("fk_outbound_messages_request_id_service_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_messages")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbound_messages_dedupe_key")),
        sa.UniqueConstraint("provider_sid", name=op.f("uq_outbound_messages_provider_sid")),
    )
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbound_messages_contact_created", ["contact_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_outbound_messages_due", ["state", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbound_messages_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "inbound_messages",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("message_sid", sa.String(length=34), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("contact_id", BIG_ID, nullable=True),
        sa.Column("request_id", BIG_ID, nullable=True),
        sa.Column("command", sa.String(length=20), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("received_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('sms', 'whatsapp')", name=op.f("ck_inbound_messages_channel")
        ),
        sa.CheckConstraint(
            "command IN ('status', 'stop', 'start', 'help', 'unknown')",
            name=op.f("ck_inbound_messages_command"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["reporter_contacts.id"],
            name=op.f("fk_inbound_messages_contact_id_reporter_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["service_requests.id"],
            name=op.f("fk_inbound_messages_request_id_service_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_messages")),
        sa.UniqueConstraint("message_sid", name=op.f("uq_inbound_messages_message_sid")),
    )
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbound_messages_contact_id"), ["contact_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_messages_contact_id"))
    op.drop_table("inbound_messages")
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbound_messages_request_id"))
        batch_op.drop_index("ix_outbound_messages_due")
        batch_op.drop_index("ix_outbound_messages_contact_created")
    op.drop_table("outbound_messages")
    with op.batch_alter_table("reporter_contacts", schema=None) as batch_op:
        batch_op.drop_column("whatsapp_at")
        batch_op.drop_column("opted_out_at")
