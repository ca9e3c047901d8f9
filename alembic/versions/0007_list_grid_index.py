"""Performance: a grid index for "newest reports in a box, by status" (PostGIS only).

The public list filtered by bbox + status, newest first, found its 50 rows at 10 million
reports by a GiST scan of every point in the box then a sort (25-45 ms; a 1 km box downtown
holds ~48,000 reports). This btree keys each report by status, its cell of a 0.01-degree
grid (~1 km) and time, and carries the point, so citizen_api.reports.grid reads each
(status, cell) newest first with an index-only scan that checks the box on the index
entry, and merges them: ~0.5 ms for the page's ids.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept in step with citizen_api.reports.grid (CELLS_PER_DEGREE, the cell expressions).
INDEX = "ix_service_requests_status_cell"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE INDEX {INDEX} ON service_requests (status, "
        "(floor(ST_X(geom) * 100)::int), (floor(ST_Y(geom) * 100)::int), "
        "requested_at DESC, id DESC) INCLUDE (geom)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
