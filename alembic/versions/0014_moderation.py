"""Moderation, and what the console needs to show the history in the reader's language.

`service_requests.description_hidden` and `report_photos.hidden` take a report's text or
one of its photos out of every public view (clerks still see them); the reason is in the
history. `request_events.data` holds an event's facts (who was assigned, which priority,
which photo was hidden and why) so the console can word them in fr, ar or en; older
events keep only their note. `response_templates.version` guards editing a template
like a ticket's version guards its changes.

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "service_requests",
        sa.Column("description_hidden", sa.Boolean(), server_default="0", nullable=False),
    )
    op.add_column(
        "report_photos",
        sa.Column("hidden", sa.Boolean(), server_default="0", nullable=False),
    )
    op.add_column("request_events", sa.Column("data", sa.JSON(), nullable=True))
    op.add_column(
        "response_templates",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
    )
    op.add_column(
        "response_templates", sa.Column("updated_by", sa.String(length=64), nullable=True)
    )


def downgrade() -> None:
    op.execute("ALTER TABLE response_templates DROP COLUMN updated_by")
    op.execute("ALTER TABLE response_templates DROP COLUMN version")
    op.execute("ALTER TABLE request_events DROP COLUMN data")
    op.execute("ALTER TABLE report_photos DROP COLUMN hidden")
    op.execute("ALTER TABLE service_requests DROP COLUMN description_hidden")
