"""indicator_settlements.indicator_version: the rules a month was settled under; unit contacts

How facts are derived and counted changed (issue 18: re-sorting regroups a case, rounds reopened
by a callback count, reply and overdue rates count only rounds replied or past due). A settled
month keeps its figures and now also names the version it was settled with, so `hotline
indicators verify` replays its history under those rules. Months settled before this revision
were settled under version 1. Adding a column fires no row trigger, so the settled tables stay
frozen (UPDATE and DELETE refused).

Units get their contacts (issue 18): the head's phone (一把手电话), the deputy in charge
(分管领导) and phone, and the duty phone (值班电话), so every supervision and notice names a
person one can call.

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


CONTACTS = (("head_phone", 40), ("deputy_name", 100), ("deputy_phone", 40), ("duty_phone", 40))


def upgrade() -> None:
    op.add_column(
        "indicator_settlements",
        sa.Column("indicator_version", sa.Integer(), server_default="1", nullable=False),
    )
    for name, length in CONTACTS:
        op.add_column("units", sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    for name, _length in reversed(CONTACTS):
        op.execute(f"ALTER TABLE units DROP COLUMN {name}")
    # plain ALTER TABLE (SQLite ≥ 3.35 too): a batch copy would drop the freezing triggers
    op.execute("ALTER TABLE indicator_settlements DROP COLUMN indicator_version")
