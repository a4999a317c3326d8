"""cockpit_figures: the leaders' cockpit's figures of a day, as the worker last computed them

The cockpit (领导驾驶舱) shows today's received, registered, dispatched, replied, closed, overdue,
unsatisfied callbacks, media cases, problems at 3+ complaints and hotspots, beside yesterday and
the same day a year earlier, on screens that refresh every minute. Counting a day at 10,000,000
cases takes a few hundred milliseconds of index reads (and the hotspots' 13 weeks more); the
worker does it once a minute per day and stores the result here, one row per local day, with
the moment it speaks for, so every screen reads one row and shows its age
(docs/decisions/0037-cockpit-figures-cached-by-the-worker.md).

Revision ID: 0027
Revises: 0024
Create Date: 2026-12-08 04:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hotline.adapters.db.types

revision = "0027"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    moment = hotline.adapters.db.types.UTCDateTime(timezone=True)
    op.create_table(
        "cockpit_figures",
        sa.Column("day_on", sa.Date(), nullable=False),
        sa.Column("computed_at", moment, nullable=False),
        sa.Column("as_of", moment, nullable=False),
        sa.Column("counts", hotline.adapters.db.types.PortableJSON(), nullable=False),
        sa.Column("hotspots", hotline.adapters.db.types.PortableJSON(), nullable=False),
        sa.PrimaryKeyConstraint("day_on", name=op.f("pk_cockpit_figures")),
    )


def downgrade() -> None:
    op.drop_table("cockpit_figures")
