"""case classifications: the model's suggestion and the centre's choice, per case

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 02:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hotline.adapters.db.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_classifications",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column(
            "suggested_at", hotline.adapters.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("top1_code", sa.String(length=32), nullable=True),
        sa.Column("top2_code", sa.String(length=32), nullable=True),
        sa.Column("top3_code", sa.String(length=32), nullable=True),
        sa.Column("top1_probability", sa.Float(), nullable=True),
        sa.Column("suggestions", hotline.adapters.db.types.PortableJSON(), nullable=False),
        sa.Column("registered_code", sa.String(length=32), nullable=True),
        sa.Column("registered_by", sa.String(length=64), nullable=True),
        sa.Column(
            "registered_at", hotline.adapters.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_classifications_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_classifications")),
    )
    with op.batch_alter_table("case_classifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_classifications_model_version"), ["model_version"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("case_classifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_classifications_model_version"))
    op.drop_table("case_classifications")
