"""WhatsApp intake: reports in progress (conversations) and the answer to each inbound
MessageSid (inbound_replies), both pointing at reporter_contacts, never holding a number.

Revision ID: 0011
Revises: 0013
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0011"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", BigId, nullable=False),
        sa.Column("contact_id", BigId, nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("last_message_sid", sa.String(length=34), nullable=True),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("updated_at", When, nullable=False),
        sa.Column("expires_at", When, nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["reporter_contacts.id"],
            name=op.f("fk_conversations_contact_id_reporter_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_conversations_contact_id")),
    )
    op.create_index(op.f("ix_conversations_expires_at"), "conversations", ["expires_at"])
    op.create_table(
        "inbound_replies",
        sa.Column("id", BigId, nullable=False),
        sa.Column("message_sid", sa.String(length=34), nullable=False),
        sa.Column("contact_id", BigId, nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("limited", sa.Boolean(), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["reporter_contacts.id"],
            name=op.f("fk_inbound_replies_contact_id_reporter_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_replies")),
        sa.UniqueConstraint("message_sid", name=op.f("uq_inbound_replies_message_sid")),
    )
    op.create_index(
        "ix_inbound_replies_contact_created", "inbound_replies", ["contact_id", "created_at"]
    )
    op.create_index(op.f("ix_inbound_replies_created_at"), "inbound_replies", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_inbound_replies_created_at"), table_name="inbound_replies")
    op.drop_index("ix_inbound_replies_contact_created", table_name="inbound_replies")
    op.drop_table("inbound_replies")
    op.drop_index(op.f("ix_conversations_expires_at"), table_name="conversations")
    op.drop_table("conversations")
