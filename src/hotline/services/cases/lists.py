"""The case list every workbench page shows: filters, sort, text search, a bounded count.

One read per call, in the caller's scope (services/accounts/scope.py), caller data masked
(``summary_view``). What makes it fast on a large ledger:

* filters on open cases (deadlines, SLA state) match the partial indexes on open cases of
  migration 0017, so "my unit's open cases by deadline" reads a few hundred index entries
  instead of every case the unit ever had;
* text search goes through the search-terms index (adapters/db/case_search.py), which finds
  two-character Chinese terms that a trigram index cannot;
* ``total`` is exact up to :data:`EXACT_TOTAL_LIMIT` matching cases, counted with a limit; past
  it, PostgreSQL's planner estimate (``total_is_estimate``), so a page of a million matching
  cases costs a page, not a count of a million. SQLite, used for small installations, counts
  exactly.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    not_,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.expression import ClauseElement, Executable
from sqlalchemy.sql.visitors import InternalTraversal

from hotline.adapters.db.case_search import (
    custom_plans,
    exact_bitmaps,
    rarest_tokens,
    read_in_list_order,
    text_match,
)
from hotline.adapters.db.models import (
    OPEN_CASE_STATUSES,
    Assignment,
    Case,
    CaseRequest,
    Category,
    Channel,
    Problem,
    Region,
    Unit,
)
from hotline.domain.errors import InvalidInput
from hotline.domain.indicators import supported_day
from hotline.domain.lifecycle import Status
from hotline.domain.roles import Actor, Permission, ScopeKind, require
from hotline.domain.search_terms import QueryTerm, query_terms
from hotline.domain.sla import CENTRE_HELD, SlaState
from hotline.services.accounts.scope import restrict_to_scope
from hotline.services.cases.views import sla_view, summary_view
from hotline.services.context import Hotline

EXACT_TOTAL_LIMIT = 10_000
# The planner's estimate is trusted to say "far more than the limit" from this factor up: a
# misestimate by more than 2× in the other direction (a real count under the limit) is rare
# for the list's conditions (docs/api.md, docs/benchmarks.md).
ESTIMATE_MARGIN = 2
# A text search trusts its estimate from the limit itself: the estimate is the count of the
# search's rarest character pair (an upper bound of the phrase's), and counting a phrase past
# the limit re-reads every candidate's terms (seconds on a district desk, docs/benchmarks.md).
TEXT_ESTIMATE_MARGIN = 1
MAX_PAGE_SIZE = 500

SORT_KEYS = ("reply_due", "accept_due", "created", "updated")
SLA_STATES = (SlaState.ON_TRACK.value, SlaState.WARNING.value, SlaState.OVERDUE.value)
MINE = ("created", "unit", "co")
PENDING_KINDS = ("extension", "return")


@dataclass(frozen=True)
class CaseListQuery:
    """What a list asks for. Repeated values of one filter are alternatives (OR); different
    filters all apply (AND). Times are aware."""

    status: tuple[str, ...] = ()
    sla: tuple[str, ...] = ()
    mine: str | None = None
    pending: tuple[str, ...] = ()
    reopened: bool | None = None
    problem: int | None = None
    unit: str | None = None
    district: str | None = None
    category: str | None = None
    channel: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    q: str | None = None
    sort: str = "-created"
    page: int = 1
    page_size: int = 50


# -- validation ---------------------------------------------------------------------------------


def _one_of(name: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    for value in values:
        if value not in allowed:
            raise InvalidInput(
                f"{name} 的值「{value}」无效，可选：{'、'.join(allowed)}", fields=(name,)
            )


def _sort_key(sort: str) -> tuple[str, bool]:
    """(key, descending) of ``sort``: ``reply_due`` ascending, ``-created`` descending."""
    key = sort.removeprefix("-")
    if key not in SORT_KEYS:
        choices = "、".join(f"{k}、-{k}" for k in SORT_KEYS)
        raise InvalidInput(f"排序「{sort}」无效，可选：{choices}", fields=("sort",))
    return key, sort.startswith("-")


def _check_query(query: CaseListQuery) -> list[QueryTerm]:
    """Refuses what cannot be listed, naming the parameter; returns the search terms."""
    if query.page < 1 or not 1 <= query.page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            f"page ≥ 1，page_size 须在 1–{MAX_PAGE_SIZE} 之间", fields=("page", "page_size")
        )
    _one_of("status", query.status, tuple(s.value for s in Status))
    _one_of("sla", query.sla, SLA_STATES)
    _one_of("mine", (query.mine,) if query.mine else (), MINE)
    _one_of("pending", query.pending, PENDING_KINDS)
    _sort_key(query.sort)
    if query.problem is not None and query.problem < 1:
        raise InvalidInput("problem 须为正整数（问题台账编号）", fields=("problem",))
    # Year 1 or 9999 would overflow on the way to UTC; no case is from outside the span.
    for name in ("created_from", "created_to"):
        moment = getattr(query, name)
        if moment is not None:
            supported_day(moment.date(), name)
    if query.created_from and query.created_to and query.created_from >= query.created_to:
        raise InvalidInput("created_from 须早于 created_to", fields=("created_from", "created_to"))
    return query_terms(query.q) if query.q is not None else []


def _check_codes(session: Session, query: CaseListQuery) -> None:
    """Unknown codes are refused rather than answered with an empty list that looks like
    "no cases": a typo in a shared link must show."""
    for name, model, value, label in (
        ("unit", Unit, query.unit, "单位代码"),
        ("district", Region, query.district, "区县代码"),
        ("category", Category, query.category, "类别代码"),
        ("channel", Channel, query.channel, "来源渠道代码"),
    ):
        if (
            value is not None
            and session.scalar(select(model.code).where(model.code == value)) is None
        ):
            raise InvalidInput(f"未知的{label}「{value}」", fields=(name,))
    if query.problem is not None and session.get(Problem, query.problem) is None:
        raise InvalidInput(f"未找到问题台账编号 {query.problem}", fields=("problem",))


# -- the case's deadline state ------------------------------------------------------------------


def case_open() -> ColumnElement[bool]:
    """The open statuses, inline (the partial indexes of migration 0017 carry the same WHERE)."""
    statuses: BindParameter[list[str]] = bindparam(
        "list_open", list(OPEN_CASE_STATUSES), expanding=True, literal_execute=True
    )
    return Case.status.in_(statuses)


def _running(stage: str) -> ColumnElement[bool]:
    """A stage whose clock runs: a deadline, not settled (accept: ``accept_late`` is frozen when
    the lead unit accepts; reply: ``replied_at``)."""
    if stage == "accept":
        return and_(Case.accept_due_at.is_not(None), Case.accept_late.is_(None))
    return and_(Case.reply_due_at.is_not(None), Case.replied_at.is_(None))


def _stage_past(stage: str, column: str, now: datetime) -> ColumnElement[bool]:
    line = getattr(Case, f"{stage}_{column}")
    if column == "due_at":  # sla_state: overdue once now > due
        return and_(_running(stage), line < now)
    return and_(_running(stage), line.is_not(None), line <= now)  # warning: now >= warn_at


def _overdue(now: datetime) -> ColumnElement[bool]:
    return or_(_stage_past("accept", "due_at", now), _stage_past("reply", "due_at", now))


def _warned(now: datetime) -> ColumnElement[bool]:
    return or_(_stage_past("accept", "warn_at", now), _stage_past("reply", "warn_at", now))


def sla_condition(state: str, now: datetime) -> ColumnElement[bool]:
    """Cases in ``state`` at ``now``: an open case takes the worst state of its running stages
    (overdue over warning over on_track), each stage judged as ``domain.sla.sla_state`` judges
    it; a case with no running stage, not open, or with the centre (its deadlines are the last
    round's: ``domain.sla.stages_run``) has none."""
    held = and_(case_open(), Case.status.not_in(sorted(CENTRE_HELD)))
    if state == SlaState.OVERDUE:
        return and_(held, _overdue(now))
    if state == SlaState.WARNING:
        return and_(held, not_(_overdue(now)), _warned(now))
    running = or_(_running("accept"), _running("reply"))
    return and_(held, running, not_(_overdue(now)), not_(_warned(now)))


_SEVERITY = (SlaState.OVERDUE, SlaState.WARNING, SlaState.ON_TRACK)


def case_sla_state(case: Case, now: datetime) -> str | None:
    """The same state, for one loaded case: the worst running stage of the case page's
    ``sla`` (views.sla_view), so the list and the page cannot disagree."""
    if case.status not in OPEN_CASE_STATUSES:
        return None
    states = set(sla_view(case, now).values())
    return next((state.value for state in _SEVERITY if state.value in states), None)


# -- the statement ------------------------------------------------------------------------------


def _mine(query: CaseListQuery, actor: Actor) -> ColumnElement[bool]:
    if query.mine == "created":
        return Case.created_by == actor.name
    if actor.unit_id is None:
        raise InvalidInput(f"mine={query.mine} 仅适用于属于某个单位的用户", fields=("mine",))
    if query.mine == "co":  # 协办 still owing its opinion: co_opinion marks it replied
        return exists().where(
            Assignment.case_id == Case.id,
            Assignment.unit_id == actor.unit_id,
            Assignment.role == literal_column("'co'"),
            Assignment.status == literal_column("'pending'"),
        )
    return exists().where(
        Assignment.case_id == Case.id,
        Assignment.unit_id == actor.unit_id,
        Assignment.status != literal_column("'ended'"),  # inline: the partial index's WHERE
    )


def _pending(kinds: tuple[str, ...]) -> ColumnElement[bool]:
    return exists().where(
        CaseRequest.case_id == Case.id,
        CaseRequest.status == literal_column("'pending'"),
        CaseRequest.kind.in_(kinds),
    )


def _reopened(reopened: bool) -> ColumnElement[bool]:
    """Cases reopened (重办) at least once, or never: an unsatisfied callback, a reopen or a
    failed verification counts (``reopen_count``, as the indicators count 重办). With
    ``status=registered`` these are the cases back at the centre for re-sorting (重新分拣)."""
    return Case.reopen_count > 0 if reopened else Case.reopen_count == 0


def _text_match(dialect: str, terms: list[QueryTerm]) -> ColumnElement[bool]:
    """Cases holding every term: the search-terms index, then, for the few terms it matches
    loosely (a lone character beside digits, 123号), a substring test on the rows it found."""
    condition = text_match(dialect, terms)
    for term in terms:
        if term.inexact:
            fields = (Case.number, Case.title, Case.content, Case.address)
            condition = and_(
                condition, or_(*(field.icontains(term.text, autoescape=True) for field in fields))
            )
    return condition


def _conditions(
    query: CaseListQuery,
    actor: Actor,
    now: datetime,
    dialect: str,
    terms: list[QueryTerm],
) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if query.status:
        found.append(Case.status.in_(query.status))
    if query.sla:
        found.append(or_(*(sla_condition(state, now) for state in query.sla)))
    if query.mine:
        found.append(_mine(query, actor))
    if query.pending:
        found.append(_pending(query.pending))
    if query.reopened is not None:
        found.append(_reopened(query.reopened))
    if query.problem is not None:
        found.append(Case.problem_id == query.problem)
    if query.unit:
        found.append(Case.lead_unit_id.in_(select(Unit.id).where(Unit.code == query.unit)))
    for column, value in (
        (Case.district_code, query.district),
        (Case.category_code, query.category),
        (Case.channel_code, query.channel),
    ):
        if value:
            found.append(column == value)
    if query.created_from:
        found.append(Case.created_at >= query.created_from)
    if query.created_to:
        found.append(Case.created_at < query.created_to)
    if terms:
        found.append(_text_match(dialect, terms))
    return found


_SORT_COLUMNS = {
    "reply_due": Case.reply_due_at,
    "accept_due": Case.accept_due_at,
    "created": Case.created_at,
    "updated": Case.updated_at,
}
_NULLABLE = {"reply_due", "accept_due"}


def _ordered(stmt: Select[Any], sort: str) -> Select[Any]:
    """Sorted by the key, then the id (a stable order for paging). Cases without a deadline
    come last either way; created and updated are never empty, so their plain order lets
    PostgreSQL read an index backwards."""
    key, descending = _sort_key(sort)
    column = _SORT_COLUMNS[key]
    primary = column.desc() if descending else column.asc()
    tie = Case.id.desc() if descending else Case.id.asc()
    if key in _NULLABLE:
        primary = primary.nulls_last()
    return stmt.order_by(primary, tie)


# -- the count ----------------------------------------------------------------------------------


class _Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON)`` of a statement, its parameters bound as usual. Cached like the
    statement itself (its cache key is the statement's): compiling a list's statement anew on
    every call cost 20 ms of Python on the loaded machine (docs/benchmarks.md)."""

    _traverse_internals = [("statement", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement

    @property
    def _all_selected_columns(self) -> Any:
        """What a cached run maps its result row by: the statement's one column (the plan
        comes back as one column too)."""
        return self.statement._all_selected_columns


@compiles(_Explain, "postgresql")
def _explain_postgresql(element: _Explain, compiler: Any, **kw: Any) -> str:
    statement: str = compiler.process(element.statement, **kw)
    return "EXPLAIN (FORMAT JSON) " + statement


def _planner_rows(session: Session, stmt: Select[Any]) -> int:
    plan = session.execute(_Explain(stmt)).scalar_one()
    document = json.loads(plan) if isinstance(plan, str) else plan
    return int(document[0]["Plan"]["Plan Rows"])


@dataclass(frozen=True)
class _Counted:
    """A list's total and, where every match was read to count it, their sort keys: then the
    page is cut from those keys instead of being searched for a second time."""

    total: int
    is_estimate: bool
    keys: list[tuple[Any, int]] | None = None


def _total(
    session: Session,
    stmt: Select[Any],
    estimate_stmt: Select[Any],
    limit: int,
    margin: int,
    sort: str | None,
) -> _Counted:
    """On PostgreSQL the planner's estimate comes first (a millisecond): where it expects more
    than ``margin`` × ``limit`` cases, counting could only confirm "more than ``limit``" after
    reading ``limit`` rows, so the estimate is the answer. Otherwise the matches are counted up
    to ``limit`` + 1: at most ``limit`` is the exact total; beyond, the estimate again (never
    below what was counted). SQLite counts exactly. Given a ``sort``, the count reads the
    matches' sort keys, and the page is cut from them where the total is exact (for a text
    search, where finding the page again would cost as much as counting)."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    estimate = _planner_rows(session, _constant(estimate_stmt)) if postgresql else 0
    if estimate > margin * limit:
        return _Counted(estimate, True)
    keys: list[tuple[Any, int]] | None = None
    if sort is None:
        capped = _constant(stmt).limit(limit + 1).subquery()
        counted = int(session.scalar(select(func.count()).select_from(capped)) or 0)
    else:
        column = _SORT_COLUMNS[_sort_key(sort)[0]]
        keyed = stmt.with_only_columns(column, Case.id, maintain_column_froms=True)
        keys = [(row[0], row[1]) for row in session.execute(keyed.order_by(None).limit(limit + 1))]
        counted = len(keys)
    if counted <= limit:
        return _Counted(counted, False, keys)
    if not postgresql:
        rows = _constant(stmt).subquery()
        return _Counted(int(session.scalar(select(func.count()).select_from(rows)) or 0), False)
    return _Counted(max(estimate, counted), True)


def _page_of(keys: list[tuple[Any, int]], sort: str, offset: int, size: int) -> list[int]:
    """The ids of one page of the matches, in the order :func:`_ordered` gives in SQL: by the
    key, then the id, in the key's direction; cases without the key (no deadline) last."""
    descending = _sort_key(sort)[1]
    present = sorted((k for k in keys if k[0] is not None), reverse=descending)
    missing = sorted((k for k in keys if k[0] is None), key=lambda k: k[1], reverse=descending)
    return [case_id for _, case_id in (present + missing)[offset : offset + size]]


def _constant(stmt: Select[Any]) -> Select[Any]:
    return stmt.with_only_columns(literal_column("1"), maintain_column_froms=True).order_by(None)


# -- the use case -------------------------------------------------------------------------------

# From this many matching cases (the planner's count of a search's rarest tokens) the page is
# found by reading cases in the list's order and testing each: about one in N is a match, so
# 50 of them come after some 50 × N reads, where the index would hand over every match to be
# sorted. Below it, the index's matches are few enough to fetch and sort.
IN_ORDER_FROM = 5_000


def _statements(
    session: Session, query: CaseListQuery, actor: Actor, now: datetime, terms: list[QueryTerm]
) -> tuple[Select[Any], Select[Any], bool]:
    """(the list's statement, the statement whose planner estimate stands for its total,
    whether to read the page in the list's order): on PostgreSQL a text search is estimated
    by its rarest tokens; elsewhere the statement is its own estimate."""
    dialect = session.get_bind().dialect.name

    def scoped(search: list[QueryTerm]) -> Select[Any]:
        stmt = select(Case).where(*_conditions(query, actor, now, dialect, search))
        return stmt if _mine_within_scope(query, actor) else restrict_to_scope(session, stmt, actor)

    stmt = scoped(terms)
    if not terms or dialect != "postgresql":
        return stmt, stmt, False
    rarest, text_rows = rarest_tokens(session.connection(), terms)
    return stmt, scoped(rarest), text_rows >= IN_ORDER_FROM


def _cases_by_id(session: Session, ids: list[int]) -> list[Case]:
    """These cases, in this order."""
    if not ids:
        return []
    found = {case.id: case for case in session.scalars(select(Case).where(Case.id.in_(ids)))}
    return [found[case_id] for case_id in ids]


def _lead_unit_codes(session: Session, rows: Sequence[Case]) -> dict[int, str]:
    """The codes of the page's lead units (what ``summary_view`` labels), not every unit's: a
    city has over a thousand, and reading them all cost more than the page's own query."""
    ids = {case.lead_unit_id for case in rows if case.lead_unit_id is not None}
    if not ids:
        return {}
    found = session.execute(select(Unit.id, Unit.code).where(Unit.id.in_(ids)))
    return {unit_id: code for unit_id, code in found}


def _mine_within_scope(query: CaseListQuery, actor: Actor) -> bool:
    """``mine=unit``/``co`` of a handler asks for assignments of the very unit its scope starts
    from, so the scope's own test (an assignment anywhere in the unit's subtree) adds nothing
    but a second probe of the assignments for every case read."""
    scope = actor.scope
    return (
        query.mine in ("unit", "co")
        and scope.kind is ScopeKind.UNIT
        and scope.unit_id is not None
        and scope.unit_id == actor.unit_id
    )


def list_cases(
    hotline: Hotline,
    actor: Actor,
    query: CaseListQuery,
    now: datetime,
    *,
    exact_total_limit: int | None = None,
) -> dict[str, Any]:
    """A page of the cases in the actor's scope that match ``query`` at ``now`` (the SLA filters
    and states), sorted, caller data masked; ``total`` exact up to ``exact_total_limit``
    (default :data:`EXACT_TOTAL_LIMIT`)."""
    require(actor.role, Permission.READ_CASE)
    terms = _check_query(query)
    limit = EXACT_TOTAL_LIMIT if exact_total_limit is None else exact_total_limit
    with hotline.db.transaction() as session:
        _check_codes(session, query)
        exact_bitmaps(session.connection())
        custom_plans(session.connection())
        stmt, estimated_by, in_order = _statements(session, query, actor, now, terms)
        margin = TEXT_ESTIMATE_MARGIN if terms else ESTIMATE_MARGIN
        keyed = query.sort if terms else None
        counted = _total(session, stmt, estimated_by, limit, margin, keyed)
        offset = (query.page - 1) * query.page_size
        rows: Sequence[Case]
        if counted.keys is not None:
            rows = _cases_by_id(
                session, _page_of(counted.keys, query.sort, offset, query.page_size)
            )
        else:
            if in_order:
                read_in_list_order(session.connection())
            rows = session.scalars(
                _ordered(stmt, query.sort).offset(offset).limit(query.page_size)
            ).all()
        codes = _lead_unit_codes(session, rows)
        return {
            "total": counted.total,
            "total_is_estimate": counted.is_estimate,
            "page": query.page,
            "page_size": query.page_size,
            "sort": query.sort,
            "items": [
                {**summary_view(case, codes), "sla_state": case_sla_state(case, now)}
                for case in rows
            ],
        }
