"""case publication_consent: the caller agreed that the case may be published through Open311

Open311's GET requests publishes what citizens submitted for publication (web, app and partner
reports); a phone case (12345, 12319) is published only with the caller's recorded consent. The
column defaults to false, so no existing phone case becomes public by this change
(docs/decisions/0039-open311-publishes-what-citizens-published.md). On PostgreSQL 11+ a constant
default is a catalogue change: the cases table is not rewritten.

Revision ID: 0029
Revises: 0027
Create Date: 2026-12-08 05:25:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on SQLite too: a batch copy would rebuild the whole table.
    op.add_column(
        "cases",
        sa.Column(
            "publication_consent", sa.Boolean(), nullable=False, server_default=sa.text("false")
        ),
    )


def downgrade() -> None:
    op.drop_column("cases", "publication_consent")
