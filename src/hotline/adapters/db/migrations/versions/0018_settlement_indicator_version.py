"""indicator_settlements.indicator_version: the rules a month was settled under

How facts are derived and counted changed (issue 18: re-sorting regroups a case, rounds reopened
by a callback count, reply and overdue rates count only rounds replied or past due). A settled
month keeps its figures and now also names the version it was settled with, so `hotline
indicators verify` replays its history under those rules. Months settled before this revision
were settled under version 1. Adding a column fires no row trigger, so the settled tables stay
frozen (UPDATE and DELETE refused).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "indicator_settlements",
        sa.Column("indicator_version", sa.Integer(), server_default="1", nullable=False),
    )


def downgrade() -> None:
    # plain ALTER TABLE (SQLite ≥ 3.35 too): a batch copy would drop the freezing triggers
    op.execute("ALTER TABLE indicator_settlements DROP COLUMN indicator_version")
