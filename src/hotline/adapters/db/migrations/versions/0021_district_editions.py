"""report_editions.district_code: a district's cut (区县版) is stored as an edition of its own;
supervisions by opening time

Until now a district leader's cut of a notice was built when the mail job ran, so what a
district received was never kept: the stored edition was the city's, and the cut could differ
from one attempt to the next (issue 18 item 8). Each period now stores the city edition
(``district_code`` '') and one edition per district that has recipients, produced in the same
transaction; a delivery points at the edition its recipient receives.

The unique key becomes (kind, period_key, format, district_code). The column is NOT NULL with ''
for the city edition because a unique key treats NULLs as distinct on PostgreSQL and SQLite
alike: a NULL would let a second worker store the city edition twice.

SQLite cannot drop a table's UNIQUE constraint in place, so the table is copied (batch mode).
Dropping the old table while report_deliveries rows reference it would fail the foreign keys
(they are on during migrations, and a deferred check still counts the rows orphaned by the
drop), so the deliveries are set aside in a temporary table for the copy and put back after,
with the same ids on both sides.

The notices list the supervisions (督办单) opened in their period and name whom each reaches
(issue 18 item 7); ``ix_supervisions_created_at`` lets a daily notice read one day's rather than
scan every supervision the sweeps ever opened.

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-08 01:00:00
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0018"
branch_labels = None
depends_on = None

OLD_KEY = ("kind", "period_key", "format")
NEW_KEY = (*OLD_KEY, "district_code")


@contextmanager
def _deliveries_set_aside() -> Iterator[None]:
    """On SQLite, report_deliveries emptied while report_editions is copied, then refilled."""
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    op.execute("CREATE TEMP TABLE deliveries_0021 AS SELECT * FROM report_deliveries")
    op.execute("DELETE FROM report_deliveries")
    yield
    op.execute("INSERT INTO report_deliveries SELECT * FROM deliveries_0021")
    op.execute("DROP TABLE deliveries_0021")


def upgrade() -> None:
    with _deliveries_set_aside(), op.batch_alter_table("report_editions") as batch:
        batch.add_column(
            sa.Column("district_code", sa.String(length=16), server_default="", nullable=False)
        )
        batch.drop_constraint("uq_report_editions_period", type_="unique")
        batch.create_unique_constraint("uq_report_editions_period", list(NEW_KEY))
    op.create_index("ix_supervisions_created_at", "supervisions", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_supervisions_created_at", table_name="supervisions")
    # the district cuts cannot stay under the old key; their deliveries go with them
    op.execute(
        "DELETE FROM report_deliveries WHERE edition_id IN "
        "(SELECT id FROM report_editions WHERE district_code <> '') OR attachment_id IN "
        "(SELECT id FROM report_editions WHERE district_code <> '')"
    )
    op.execute("DELETE FROM report_editions WHERE district_code <> ''")
    with _deliveries_set_aside(), op.batch_alter_table("report_editions") as batch:
        batch.drop_constraint("uq_report_editions_period", type_="unique")
        batch.create_unique_constraint("uq_report_editions_period", list(OLD_KEY))
        batch.drop_column("district_code")
