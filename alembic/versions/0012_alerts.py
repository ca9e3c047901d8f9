"""Area alerts and incidents: the alerts, residents' subscriptions, the outbox rows they
cause, and incidents grouping many reports.

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0012"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("area_codes", sa.JSON(), nullable=False),
        sa.Column("covered_areas", sa.JSON(), nullable=False),
        sa.Column("polygon", sa.JSON(), nullable=True),
        sa.Column("service_codes", sa.JSON(), nullable=False),
        sa.Column("starts_at", WHEN, nullable=False),
        sa.Column("ends_at", WHEN, nullable=False),
        sa.Column("headline", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("revisions", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("cancelled_at", WHEN, nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('water_cut', 'power_cut', 'road_works', 'flood', 'storm', 'heat', 'other')",
            name=op.f("ck_alerts_kind"),
        ),
        sa.CheckConstraint(
            "severity IN ('minor', 'moderate', 'severe', 'extreme')",
            name=op.f("ck_alerts_severity"),
        ),
        sa.CheckConstraint("status IN ('published', 'cancelled')", name=op.f("ck_alerts_status")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_alerts_period")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    op.create_index("ix_alerts_status_ends_at", "alerts", ["status", "ends_at"], unique=False)

    op.create_table(
        "alert_subscriptions",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("contact_id", BIG_ID, nullable=False),
        sa.Column("area_id", BIG_ID, nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_expires_at", WHEN, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("confirmed_at", WHEN, nullable=True),
        sa.Column("ended_at", WHEN, nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'active', 'ended', 'locked')",
            name=op.f("ck_alert_subscriptions_state"),
        ),
        sa.CheckConstraint(
            "channel IN ('sms', 'whatsapp')", name=op.f("ck_alert_subscriptions_channel")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
            name=op.f("fk_alert_subscriptions_area_id_areas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["reporter_contacts.id"],
            name=op.f("fk_alert_subscriptions_contact_id_reporter_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_subscriptions")),
        sa.UniqueConstraint("contact_id", "area_id", name="uq_alert_subscriptions_contact_area"),
    )
    op.create_index(
        "ix_alert_subscriptions_broadcast",
        "alert_subscriptions",
        ["state", "area_id", "contact_id"],
        unique=False,
    )

    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alert_id", BIG_ID, nullable=True))
        batch_op.add_column(sa.Column("content_sid", sa.String(length=34), nullable=True))
        batch_op.add_column(sa.Column("content_variables", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outbound_messages_alert_id_alerts"),
            "alerts",
            ["alert_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_outbound_messages_alert_id"), ["alert_id"])
        batch_op.drop_constraint(batch_op.f("ck_outbound_messages_kind"), type_="check")
        batch_op.create_check_constraint(
            "kind", "kind IN ('receipt', 'status', 'alert', 'confirm')"
        )
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_inbound_messages_command"), type_="check")
        batch_op.create_check_constraint(
            "command", "command IN ('status', 'stop', 'start', 'help', 'subscribe', 'unknown')"
        )

    op.create_table(
        "incidents",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("department_id", BIG_ID, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("area_codes", sa.JSON(), nullable=False),
        sa.Column("polygon", sa.JSON(), nullable=True),
        sa.Column("service_codes", sa.JSON(), nullable=False),
        sa.Column("public_note", sa.Text(), nullable=True),
        sa.Column("alert_id", BIG_ID, nullable=True),
        sa.Column("expected_at", WHEN, nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'acknowledged', 'in_progress', 'closed')",
            name=op.f("ck_incidents_status"),
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_incidents_alert_id_alerts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_incidents_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("alert_id", "department_id", name="uq_incidents_alert_department"),
    )
    op.create_index(op.f("ix_incidents_alert_id"), "incidents", ["alert_id"], unique=False)
    op.create_index(
        op.f("ix_incidents_department_id"), "incidents", ["department_id"], unique=False
    )
    op.create_table(
        "incident_reports",
        sa.Column("request_id", BIG_ID, nullable=False),
        sa.Column("incident_id", BIG_ID, nullable=False),
        sa.Column("linked_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_reports_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["service_requests.id"],
            name=op.f("fk_incident_reports_request_id_service_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_incident_reports")),
    )
    op.create_index(
        op.f("ix_incident_reports_incident_id"), "incident_reports", ["incident_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_incident_reports_incident_id"), table_name="incident_reports")
    op.drop_table("incident_reports")
    op.drop_index(op.f("ix_incidents_department_id"), table_name="incidents")
    op.drop_index(op.f("ix_incidents_alert_id"), table_name="incidents")
    op.drop_table("incidents")
    op.execute("UPDATE inbound_messages SET command = 'unknown' WHERE command = 'subscribe'")
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_inbound_messages_command"), type_="check")
        batch_op.create_check_constraint(
            "command", "command IN ('status', 'stop', 'start', 'help', 'unknown')"
        )
    op.execute("DELETE FROM outbound_messages WHERE kind IN ('alert', 'confirm')")
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbound_messages_kind"), type_="check")
        batch_op.create_check_constraint("kind", "kind IN ('receipt', 'status')")
        batch_op.drop_index(batch_op.f("ix_outbound_messages_alert_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_outbound_messages_alert_id_alerts"), type_="foreignkey"
        )
        batch_op.drop_column("content_variables")
        batch_op.drop_column("content_sid")
        batch_op.drop_column("alert_id")
    op.drop_index("ix_alert_subscriptions_broadcast", table_name="alert_subscriptions")
    op.drop_table("alert_subscriptions")
    op.drop_index("ix_alerts_status_ends_at", table_name="alerts")
    op.drop_table("alerts")
