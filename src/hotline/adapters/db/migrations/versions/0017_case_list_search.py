"""case list: text-search terms and the list's indexes

The workbench's case list (``GET /api/v1/cases``) sorts by deadline, filters by SLA state, by
the caller's unit, by pending requests, and searches text. This adds:

* ``cases.search_terms``: each case's search terms (character bigrams and letter/digit runs of
  its number, title, content and address, computed in Python: hotline.domain.search_terms). On
  PostgreSQL a ``tsvector`` with positions under a GIN index; on SQLite the tokens as text,
  which an FTS5 table (external content: cases) mirrors by triggers. Backfilled here for the
  cases already stored (docs/decisions/0018-case-text-search-index.md).
* partial indexes on open cases by reply and accept deadline (and by district), the current
  assignments by unit, the pending requests by kind, and a user's own cases by time.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# frozen here: models.OPEN_CASE_STATUSES as it was at this revision
OPEN = (
    "status IN ('received', 'registered', 'dispatched', 'accepted', 'returned', 'replied', "
    "'verifying', 'callback_pending')"
)

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE case_search_fts USING fts5("
    "search_terms, content='cases', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER tr_cases_search_insert AFTER INSERT ON cases BEGIN "
    "INSERT INTO case_search_fts (rowid, search_terms) VALUES (NEW.id, NEW.search_terms); END",
    "CREATE TRIGGER tr_cases_search_delete AFTER DELETE ON cases BEGIN "
    "INSERT INTO case_search_fts (case_search_fts, rowid, search_terms) "
    "VALUES ('delete', OLD.id, OLD.search_terms); END",
    "CREATE TRIGGER tr_cases_search_update AFTER UPDATE OF search_terms ON cases BEGIN "
    "INSERT INTO case_search_fts (case_search_fts, rowid, search_terms) "
    "VALUES ('delete', OLD.id, OLD.search_terms); "
    "INSERT INTO case_search_fts (rowid, search_terms) VALUES (NEW.id, NEW.search_terms); END",
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column(
        "cases",
        sa.Column(
            "search_terms",
            sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"),
            nullable=True,
        ),
    )
    _backfill()
    if dialect == "sqlite":  # after the backfill: the FTS5 table is built once, from the terms
        op.execute(SQLITE_FTS[0])
        op.execute("INSERT INTO case_search_fts (case_search_fts) VALUES ('rebuild')")
        for statement in SQLITE_FTS[1:]:
            op.execute(statement)
    if dialect == "postgresql":
        op.create_index("ix_cases_search_terms", "cases", ["search_terms"], postgresql_using="gin")
    for name, columns in (
        ("ix_cases_open_reply_due", ["reply_due_at", "id"]),
        ("ix_cases_open_accept_due", ["accept_due_at", "id"]),
        ("ix_cases_open_district_reply_due", ["district_code", "reply_due_at"]),
    ):
        op.create_index(
            name, "cases", columns, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN)
        )
    op.create_index("ix_cases_created_by_created_at", "cases", ["created_by", "created_at"])
    op.create_index(
        "ix_case_assignments_unit_case_current",
        "case_assignments",
        ["unit_id", "case_id"],
        postgresql_where=sa.text("status != 'ended'"),
        sqlite_where=sa.text("status != 'ended'"),
    )
    op.create_index(
        "ix_case_requests_pending",
        "case_requests",
        ["kind", "case_id"],
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )


def _backfill() -> None:
    """Every stored case's terms, computed by the application's tokenizer (before the GIN index
    exists: cheaper to build once than to keep; a large database takes minutes here, and
    ``hotline search rebuild`` does the same later, batch by batch)."""
    from hotline.adapters.db.case_search import rebuild_case_terms

    rebuild_case_terms(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_case_requests_pending", table_name="case_requests")
    op.drop_index("ix_case_assignments_unit_case_current", table_name="case_assignments")
    op.drop_index("ix_cases_created_by_created_at", table_name="cases")
    for name in (
        "ix_cases_open_district_reply_due",
        "ix_cases_open_accept_due",
        "ix_cases_open_reply_due",
    ):
        op.drop_index(name, table_name="cases")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_cases_search_terms", table_name="cases")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER tr_cases_search_{name}")
        op.execute("DROP TABLE case_search_fts")
    op.drop_column("cases", "search_terms")  # SQLite ≥ 3.35 drops a column in place
