"""Join the two branches that both grew from 0001: triage (0002) and Open311 (0003).

Revision ID: 0004
Revises: 0002, 0003
Create Date: 2026-11-27

No schema change. A database already at 0003 (from main before triage merged) gets 0002
applied, then this; a fresh one gets both. Their tables are independent.
"""

from collections.abc import Sequence

revision: str = "0004"
down_revision: str | tuple[str, ...] | None = ("0002", "0003")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
