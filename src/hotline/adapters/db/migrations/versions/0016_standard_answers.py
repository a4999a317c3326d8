"""standard_answers: the standard answers (知识库/常用语) supervisors keep for operators

A short title, the text, an optional taxonomy node it answers, and a version counter for
optimistic concurrency (two supervisors editing one answer: the second is told). Retired
answers are kept (a reply may have quoted them) but no longer offered.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 21:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hotline.adapters.db.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "standard_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category_code", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", hotline.adapters.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column(
            "updated_at", hotline.adapters.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("retired_by", sa.String(length=64), nullable=True),
        sa.Column(
            "retired_at", hotline.adapters.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_code"],
            ["categories.code"],
            name=op.f("fk_standard_answers_category_code_categories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standard_answers")),
    )
    with op.batch_alter_table("standard_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_standard_answers_category_code"), ["category_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("standard_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standard_answers_category_code"))
    op.drop_table("standard_answers")
