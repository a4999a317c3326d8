"""problem ledger rules: recurrence time, merges, the stored repeat text model

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hotline.adapters.db.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain nullable columns without foreign keys: SQLite adds them in place (no table copy).
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reopened_at", hotline.adapters.db.types.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
    op.create_table(
        "repeat_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=16), nullable=False),
        sa.Column("n_docs", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", hotline.adapters.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repeat_models")),
    )


def downgrade() -> None:
    op.drop_table("repeat_models")
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("reopened_at")
