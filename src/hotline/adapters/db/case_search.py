"""The case text-search terms: storing a case's search terms and asking for cases by them.

Terms come from ``hotline.domain.search_terms`` (character bigrams, letter/digit runs, in
order). They are computed in Python and written with the case on every write path (the create
statement in new_case.py, the bulk loader, :func:`refresh_case_terms` wherever a case's text
changes, :func:`rebuild_batch` for a rebuild), into ``cases.search_terms``:

* PostgreSQL: a ``tsvector`` written as a literal with positions (``'烧烤':3 '噪音':7,12``),
  never through a text-search parser or dictionary, under a GIN index on cases itself, so that
  a search and the list's other filters (district, status) meet in one bitmap; a query is a
  ``tsquery`` literal of phrases (``'占道' <-> '道经' <-> '经营'``).
* SQLite: the tokens joined by spaces; an FTS5 table (``case_search_fts``, external content:
  cases, migration 0017) follows by triggers; a query is an FTS5 phrase expression
  (``"占道 道经 经营"``).

docs/decisions/0018-case-text-search-index.md says why.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    TextClause,
    bindparam,
    cast,
    column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Case
from hotline.domain.search_terms import QueryTerm, case_tokens

MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_POSITIONS_PER_TOKEN = 255  # PostgreSQL keeps at most 256 positions of one lexeme
REBUILD_BATCH = 2000


def _quoted(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(tokens: Sequence[str]) -> str:
    """The tokens as a PostgreSQL tsvector literal with their positions (1-based)."""
    positions: dict[str, list[int]] = {}
    for position, token in enumerate(tokens[:MAX_POSITION], start=1):
        seen = positions.setdefault(token, [])
        if len(seen) < MAX_POSITIONS_PER_TOKEN:
            seen.append(position)
    return " ".join(
        f"{_quoted(token)}:{','.join(map(str, where))}" for token, where in positions.items()
    )


def stored_terms(dialect: str, tokens: Sequence[str]) -> str:
    """What ``cases.search_terms`` holds for these tokens on this database."""
    if dialect == "postgresql":
        return tsvector_literal(tokens)
    return " ".join(tokens)


def terms_of(dialect: str, case: dict[str, Any]) -> str:
    """The stored terms of a case given as column values (number, title, content, address)."""
    tokens = case_tokens(
        case["number"], case.get("title"), case.get("content"), case.get("address")
    )
    return stored_terms(dialect, tokens)


def with_terms(dialect: str, case: dict[str, Any]) -> dict[str, Any]:
    """A new case's column values with its ``search_terms`` (for an INSERT)."""
    return {**case, "search_terms": terms_of(dialect, case)}


def _update(dialect: str) -> TextClause:
    value = "CAST(:terms AS tsvector)" if dialect == "postgresql" else ":terms"
    return text(f"UPDATE cases SET search_terms = {value} WHERE id = :case_id")


def store_case_terms(connection: Connection, cases: Iterable[dict[str, Any]]) -> int:
    """Write (or replace) the terms of stored cases given as column values with their ``id``."""
    dialect = connection.dialect.name
    rows = [{"case_id": case["id"], "terms": terms_of(dialect, case)} for case in cases]
    if rows:
        connection.execute(_update(dialect), rows)
    return len(rows)


_TEXT_COLUMNS = (Case.id, Case.number, Case.title, Case.content, Case.address)


def refresh_case_terms(session: Session, case_ids: Iterable[int]) -> int:
    """Recompute the terms of these cases from their stored text: call it in the transaction
    that changes a case's title, content or address (or its number)."""
    ids = sorted(set(case_ids))
    if not ids:
        return 0
    rows = session.execute(select(*_TEXT_COLUMNS).where(Case.id.in_(ids))).mappings()
    return store_case_terms(session.connection(), [dict(row) for row in rows])


def _text_rows(connection: Connection, after_id: int, batch_size: int) -> list[dict[str, Any]]:
    batch = connection.execute(
        select(*_TEXT_COLUMNS).where(Case.id > after_id).order_by(Case.id).limit(batch_size)
    ).mappings()
    return [dict(row) for row in batch]


def rebuild_batch(
    connection: Connection, after_id: int, batch_size: int = REBUILD_BATCH
) -> tuple[int, int]:
    """Recompute the terms of the next ``batch_size`` cases after ``after_id`` (id order);
    returns (cases done, the last id: the next batch's ``after_id``)."""
    rows = _text_rows(connection, after_id, batch_size)
    if not rows:
        return 0, after_id
    return store_case_terms(connection, rows), rows[-1]["id"]


def rebuild_case_terms(connection: Connection, *, batch_size: int = REBUILD_BATCH) -> int:
    """Recompute every case's terms on the caller's connection and transaction (the
    migration's backfill)."""
    done, after_id = 0, 0
    while True:
        count, after_id = rebuild_batch(connection, after_id, batch_size)
        if not count:
            return done
        done += count


# -- asking -------------------------------------------------------------------------------------


def _tsquery_phrase(term: QueryTerm) -> str:
    parts = [_quoted(token) for token in term.tokens]
    if term.prefix:
        parts[-1] += ":*"
    return " <-> ".join(parts)


def tsquery_literal(terms: Sequence[QueryTerm]) -> str:
    """Every term as a phrase of its tokens, all required (``&``)."""
    return " & ".join(f"({_tsquery_phrase(term)})" for term in terms)


def fts5_query(terms: Sequence[QueryTerm]) -> str:
    """The same for SQLite FTS5: quoted phrases joined by AND; ``*`` marks a prefix."""
    phrases = []
    for term in terms:
        phrase = '"' + " ".join(term.tokens) + '"'
        phrases.append(phrase + "*" if term.prefix else phrase)
    return " AND ".join(phrases)


def text_match(dialect: str, terms: Sequence[QueryTerm]) -> ColumnElement[bool]:
    """Cases whose terms hold every term's phrase."""
    if dialect == "postgresql":
        query = cast(bindparam("search_query", tsquery_literal(terms)), TSQUERY)
        return Case.search_terms.op("@@")(query)
    matches = (
        text("SELECT rowid FROM case_search_fts WHERE case_search_fts MATCH :search_query")
        .bindparams(search_query=fts5_query(terms))
        .columns(column("rowid", Integer))
    )
    return Case.id.in_(matches)


def read_in_list_order(connection: Connection) -> None:
    """PostgreSQL, for the rest of the transaction: find the page by reading cases in the
    list's order (an index scan, testing each case's terms) rather than through the search
    index's bitmap, which hands over every match to be sorted. The planner would not choose it
    by itself: it takes a phrase for rare (see :func:`rarest_tokens`)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL enable_bitmapscan = off"))
        connection.execute(text("SET LOCAL enable_seqscan = off"))


_MAX_PROBED_TOKENS = 12
_ONE_TOKEN = text(
    "EXPLAIN (FORMAT JSON) SELECT 1 FROM cases WHERE search_terms @@ CAST(:q AS tsquery)"
)


def rarest_tokens(
    connection: Connection, terms: Sequence[QueryTerm]
) -> tuple[list[QueryTerm], int]:
    """PostgreSQL: for each term its rarest token (by the planner's statistics of the column),
    and the planner's count of the cases holding all those tokens.

    The planner cannot estimate a phrase: it multiplies its bigrams' frequencies as if they were
    independent (夜间施工: 459 cases expected, 70,000 found), then picks a plan for a rare term
    and reads every match. The rarest token's own count is a close upper bound (间施 occurs
    almost only in 夜间施工), good enough to choose the plan and to tell a large total."""
    rarest: list[QueryTerm] = []
    for term in terms:
        best: tuple[int, QueryTerm] | None = None
        for index, token in enumerate(term.tokens[:_MAX_PROBED_TOKENS]):
            last = index == len(term.tokens) - 1
            single = QueryTerm(text=term.text, tokens=(token,), prefix=term.prefix and last,
                               inexact=False)  # fmt: skip
            rows = _explained_rows(connection, tsquery_literal([single]))
            if best is None or rows < best[0]:
                best = (rows, single)
        assert best is not None  # a term has at least one token (domain.search_terms)
        rarest.append(best[1])
    return rarest, _explained_rows(connection, tsquery_literal(rarest))


def _explained_rows(connection: Connection, tsquery: str) -> int:
    plan = connection.execute(_ONE_TOKEN, {"q": tsquery}).scalar_one()
    document = json.loads(plan) if isinstance(plan, str) else plan
    return int(document[0]["Plan"]["Plan Rows"])


# -- checking -----------------------------------------------------------------------------------


def _agrees(dialect: str) -> TextClause:
    stored = "CAST(:terms AS tsvector)" if dialect == "postgresql" else ":terms"
    return text(f"SELECT count(*) FROM cases WHERE id = :case_id AND search_terms = {stored}")


def stale_case_ids(connection: Connection, *, batch_size: int = REBUILD_BATCH) -> list[int]:
    """Cases whose stored terms are missing or differ from a recomputation from their text
    (empty when every write path kept them; ``hotline search check``)."""
    dialect, after_id = connection.dialect.name, 0
    stale: list[int] = []
    agrees = _agrees(dialect)
    while rows := _text_rows(connection, after_id, batch_size):
        for row in rows:
            terms = terms_of(dialect, row)
            if not connection.execute(agrees, {"case_id": row["id"], "terms": terms}).scalar():
                stale.append(row["id"])
        after_id = rows[-1]["id"]
    return stale


def fts_intact(connection: Connection) -> bool:
    """SQLite: whether the FTS5 table agrees with cases.search_terms (FTS5's own check)."""
    if connection.dialect.name != "sqlite":
        return True
    try:
        connection.execute(
            text("INSERT INTO case_search_fts (case_search_fts) VALUES ('integrity-check')")
        )
    except DatabaseError:
        return False
    return True


LIST_WORK_MEM = "64MB"


def exact_bitmaps(connection: Connection) -> None:
    """PostgreSQL: enough memory for this transaction's bitmaps to stay exact. A search term in
    a tenth of a million cases gives a bitmap of 100,000 rows; in the default 4 MB it turns
    lossy and every row of its pages is read and its terms tested again."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SET LOCAL work_mem = '{LIST_WORK_MEM}'"))


def custom_plans(connection: Connection) -> None:
    """PostgreSQL, for this transaction: plan every statement for its own values. psycopg
    prepares a statement from its fifth run, and after five more PostgreSQL may switch to one
    generic plan for any values: for "my unit's open cases" that plan joined the unit's 113,000
    assignments instead of probing the 21,000 open cases, 3–5 s a call instead of 0.1 s
    (docs/benchmarks.md). A list's best plan depends on its values (which unit, which district,
    how common a term); planning costs about a millisecond."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
