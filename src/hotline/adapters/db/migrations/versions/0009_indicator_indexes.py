"""indicator rollup and settled counts indexed by grouping dimension first

A report reads one grouping dimension over a stretch of days; the primary keys begin with the
day, so each read walked every dimension's rows of those days (six times the rows it needs) and
went to the table for ``n``. These indexes hold everything the read wants (covering), in the
order it asks.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 02:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_indicator_rollup_dim_day",
        "indicator_rollup",
        ["dim", "day_on", "kind", "key", "n"],
    )
    op.create_index(
        "ix_indicator_settled_counts_dim_day",
        "indicator_settled_counts",
        ["settlement_id", "dim", "day_on", "kind", "key", "n"],
    )


def downgrade() -> None:
    op.drop_index("ix_indicator_settled_counts_dim_day", table_name="indicator_settled_counts")
    op.drop_index("ix_indicator_rollup_dim_day", table_name="indicator_rollup")
