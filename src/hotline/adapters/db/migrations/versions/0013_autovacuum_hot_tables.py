"""vacuum the busiest tables after 1 % of their rows change, not 20 % (PostgreSQL only)

The notices and indicators read recent rows index-only (migrations 0009–0012). An index-only
scan still visits the table for every page not marked all-visible, and only VACUUM marks pages.
With PostgreSQL's defaults a table is vacuumed after 20 % of its rows change (or 20 % more are
inserted): at 10,000,000 cases that is 2,000,000 changes, weeks of a city's work, and the recent
pages the notices read stay unmarked all that time. Measured at 10 M cases: the daily notice
took 1.0–1.3 s on a vacuumed table and 2.1–3.1 s after 300,000 open cases had been updated
(docs/decisions/0013). Here the threshold is 1 % (100,000 rows at 10 M) for changes and
inserts, and statistics are refreshed after 2 %, so the planner knows the newest days.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 09:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

HOT_TABLES = ("cases", "case_events", "case_callbacks", "indicator_facts", "indicator_rollup")
SETTINGS = {
    "autovacuum_vacuum_scale_factor": "0.01",
    "autovacuum_vacuum_insert_scale_factor": "0.01",
    "autovacuum_analyze_scale_factor": "0.02",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no autovacuum; its indexes need no visibility map
    values = ", ".join(f"{name} = {value}" for name, value in SETTINGS.items())
    for table in HOT_TABLES:
        op.execute(f"ALTER TABLE {table} SET ({values})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in HOT_TABLES:
        op.execute(f"ALTER TABLE {table} RESET ({', '.join(SETTINGS)})")
