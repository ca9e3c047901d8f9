"""Escalations reach staff, and catalogue edits reach every process within seconds.

- `staff_contacts`: a staff account's phone number (E.164) and preferred channel
  (whatsapp or sms), in a table of their own like reporters' numbers.
- `department_heads`: each department's designated head (an account).
- `outbound_messages` can address staff (`staff_contact_id`); new kinds `digest` and
  `raise`; a new state `deferred` (an escalation held back by the city-wide SMS cap) and
  `released_at` (when it was let go, from which it counts against the cap).
- `catalogue_version`: one row whose number every catalogue edit bumps in its own
  transaction; each app process checks it about once a second.

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
KINDS_BEFORE = "kind IN ('receipt', 'status', 'alert', 'confirm')"
KINDS_AFTER = "kind IN ('receipt', 'status', 'alert', 'confirm', 'digest', 'raise')"
STATES_BEFORE = (
    "state IN ('pending', 'sent', 'delivered', 'undelivered', 'failed', 'dead', 'skipped')"
)
STATES_AFTER = (
    "state IN ('pending', 'sent', 'delivered', 'undelivered', 'failed', 'dead', 'skipped', "
    "'deferred')"
)


def upgrade() -> None:
    op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_version")),
    )
    op.execute("INSERT INTO catalogue_version (id, version) VALUES (1, 1)")
    op.create_table(
        "staff_contacts",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("clerk_id", BIG_ID, nullable=False),
        sa.Column("phone_e164", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('whatsapp', 'sms')", name=op.f("ck_staff_contacts_channel")
        ),
        sa.ForeignKeyConstraint(
            ["clerk_id"],
            ["clerks.id"],
            name=op.f("fk_staff_contacts_clerk_id_clerks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_contacts")),
        sa.UniqueConstraint("clerk_id", name=op.f("uq_staff_contacts_clerk_id")),
    )
    op.create_table(
        "department_heads",
        sa.Column("department_id", BIG_ID, nullable=False),
        sa.Column("clerk_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["clerk_id"],
            ["clerks.id"],
            name=op.f("fk_department_heads_clerk_id_clerks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_department_heads_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("department_id", name=op.f("pk_department_heads")),
    )
    op.create_index(
        op.f("ix_department_heads_clerk_id"), "department_heads", ["clerk_id"], unique=False
    )
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_contact_id", BIG_ID, nullable=True))
        batch_op.add_column(
            sa.Column("released_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbound_messages_staff_contact_id_staff_contacts"),
            "staff_contacts",
            ["staff_contact_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_outbound_messages_staff_contact_id"), ["staff_contact_id"]
        )
        batch_op.create_index("ix_outbound_messages_released_at", ["released_at"])
        batch_op.drop_constraint(batch_op.f("ck_outbound_messages_kind"), type_="check")
        batch_op.create_check_constraint("kind", KINDS_AFTER)
        batch_op.drop_constraint(batch_op.f("ck_outbound_messages_state"), type_="check")
        batch_op.create_check_constraint("state", STATES_AFTER)


def downgrade() -> None:
    op.execute(
        "DELETE FROM outbound_messages WHERE kind IN ('digest', 'raise') OR state = 'deferred'"
    )
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbound_messages_state"), type_="check")
        batch_op.create_check_constraint("state", STATES_BEFORE)
        batch_op.drop_constraint(batch_op.f("ck_outbound_messages_kind"), type_="check")
        batch_op.create_check_constraint("kind", KINDS_BEFORE)
        batch_op.drop_index("ix_outbound_messages_released_at")
        batch_op.drop_index(batch_op.f("ix_outbound_messages_staff_contact_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_outbound_messages_staff_contact_id_staff_contacts"),
            type_="foreignkey",
        )
        batch_op.drop_column("released_at")
        batch_op.drop_column("staff_contact_id")
    op.drop_index(op.f("ix_department_heads_clerk_id"), table_name="department_heads")
    op.drop_table("department_heads")
    op.drop_table("staff_contacts")
    op.drop_table("catalogue_version")
