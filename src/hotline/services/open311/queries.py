"""Public reads: GET requests, GET requests/{id}, GET tokens/{token}.

Confidential cases (保密) are filtered in every query, so they never appear and a lookup of one
reads exactly like a number that does not exist (404).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Case, CaseEvent, Region, Unit
from hotline.domain.errors import InvalidInput, NotFound
from hotline.domain.numbering import looks_like_case_number
from hotline.services.context import Hotline
from hotline.services.open311.catalog import load_categories
from hotline.services.open311.publication import published
from hotline.services.open311.settings import Open311Settings
from hotline.services.open311.views import (
    CLOSED_STATUSES,
    SUBMISSION,
    EventRow,
    Lookups,
    request_view,
)

CHUNK = 500  # ids per IN (…) list


@dataclass(frozen=True)
class Window:
    """A time range, both ends inclusive."""

    start: datetime
    end: datetime


def span(
    start: datetime | None, end: datetime | None, now: datetime, days: int, name: str
) -> Window:
    """The spec's rule: a range may not span more than ``days``; a missing end is filled in."""
    limit = timedelta(days=days)
    if start is not None and end is not None:
        if end < start:
            raise InvalidInput(f"{name}: end is before start（结束时间早于开始时间）")
        if end - start > limit:
            raise InvalidInput(f"{name}: the range may not span more than {days} days")
        return Window(start, end)
    if start is not None:
        return Window(start, start + limit)
    if end is not None:
        return Window(end - limit, end)
    return Window(now - limit, now)


@dataclass(frozen=True)
class RequestQuery:
    service_request_ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start_date: datetime | None = None
    end_date: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    page: int = 1
    page_size: int | None = None
    extensions: bool = False


def windows(q: RequestQuery, now: datetime, days: int) -> tuple[Window | None, Window | None]:
    """(requested, updated) windows. Without start/end but with updated_after/before, the
    default 90 days apply to the update time instead of the request time."""
    updated = None
    if q.updated_after is not None or q.updated_before is not None:
        updated = span(q.updated_after, q.updated_before, now, days, "updated_after/updated_before")
    if q.start_date is None and q.end_date is None and updated is not None:
        return None, updated
    return span(q.start_date, q.end_date, now, days, "start_date/end_date"), updated


UPDATED: ColumnElement[datetime] = sql_case(
    (Case.status.in_(CLOSED_STATUSES) & Case.closed_at.is_not(None), Case.closed_at),
    else_=Case.updated_at,
)


def _in_window(stmt: Select[Case], column: Any, window: Window | None) -> Select[Case]:
    if window is None:
        return stmt
    return stmt.where(column >= window.start, column <= window.end)


def _filtered(q: RequestQuery, now: datetime, cfg: Open311Settings) -> Select[Case]:
    stmt = select(Case).where(published(cfg))
    if q.service_request_ids:  # the spec: ids override every other argument
        return stmt.where(Case.number.in_(q.service_request_ids))
    requested, updated = windows(q, now, cfg.window_days)
    stmt = _in_window(_in_window(stmt, Case.created_at, requested), UPDATED, updated)
    if q.service_codes:
        stmt = stmt.where(Case.category_code.in_(q.service_codes))
    wanted = set(q.statuses)
    if wanted == {"open"}:
        stmt = stmt.where(Case.status.not_in(CLOSED_STATUSES))
    elif wanted == {"closed"}:
        stmt = stmt.where(Case.status.in_(CLOSED_STATUSES))
    return stmt


def _page(q: RequestQuery, cfg: Open311Settings) -> tuple[int, int]:
    size = cfg.max_requests if q.page_size is None else q.page_size
    if q.page < 1:
        raise InvalidInput("page must be 1 or more")
    if not 1 <= size <= cfg.max_requests:
        raise InvalidInput(f"page_size must be between 1 and {cfg.max_requests}")
    return (q.page - 1) * size, size


def _check(q: RequestQuery, cfg: Open311Settings) -> None:
    unknown = set(q.statuses) - {"open", "closed"}
    if unknown:
        raise InvalidInput(f"status must be open or closed, not {', '.join(sorted(unknown))}")
    if len(q.service_request_ids) > cfg.max_requests:
        raise InvalidInput(f"at most {cfg.max_requests} service_request_id values")


def list_requests(
    hotline: Hotline, cfg: Open311Settings, q: RequestQuery, now: datetime
) -> list[dict[str, Any]]:
    """Newest first; at most ``page_size`` (default and maximum 1000) per page."""
    _check(q, cfg)
    offset, size = _page(q, cfg)
    stmt = _filtered(q, now, cfg).order_by(Case.created_at.desc(), Case.id.desc())
    with hotline.db.transaction() as session:
        cases = list(session.scalars(stmt.offset(offset).limit(size)))
        lookups = load_lookups(session, cases, cfg)
        return [request_view(hotline, case, lookups, cfg, q.extensions) for case in cases]


def public_case(session: Session, number: str, cfg: Open311Settings) -> Case:
    """A published case by number; anything else is 404."""
    if looks_like_case_number(number):
        stmt = select(Case).where(Case.number == number, published(cfg))
        case = session.scalars(stmt).first()
        if case is not None:
            return case
    raise NotFound(f"service_request_id {number} not found（未找到该诉求）")


def filed_case(session: Session, number: str) -> Case:
    """A non-confidential case by number, published or not: a partner updating a case it filed
    (the caller of the check that it did) may reach it; anything else is 404."""
    if looks_like_case_number(number):
        stmt = select(Case).where(Case.number == number, Case.confidential.is_(False))
        case = session.scalars(stmt).first()
        if case is not None:
            return case
    raise NotFound(f"service_request_id {number} not found（未找到该诉求）")


def get_request(
    hotline: Hotline, cfg: Open311Settings, number: str, extensions: bool = False
) -> list[dict[str, Any]]:
    with hotline.db.transaction() as session:
        case = public_case(session, number, cfg)
        lookups = load_lookups(session, [case], cfg)
        return [request_view(hotline, case, lookups, cfg, extensions)]


def resolve_token(hotline: Hotline, cfg: Open311Settings, token: str) -> list[dict[str, Any]]:
    """Requests are realtime, so no token is ever issued; a case number used as a token
    resolves to itself, anything else is 404."""
    with hotline.db.transaction() as session:
        case = public_case(session, token, cfg)
        return [{"service_request_id": case.number, "token": token}]


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for index in range(0, len(values), CHUNK):
        yield values[index : index + CHUNK]


def flip_filter() -> ColumnElement[bool]:
    closed = list(CLOSED_STATUSES)
    opened_before = or_(CaseEvent.from_status.is_(None), CaseEvent.from_status.not_in(closed))
    return or_(
        and_(CaseEvent.to_status.in_(closed), opened_before),
        and_(CaseEvent.from_status.in_(closed), CaseEvent.to_status.not_in(closed)),
    )


def load_events(
    session: Session, case_ids: Sequence[int], cfg: Open311Settings
) -> dict[int, list[EventRow]]:
    """Public steps, steps that open or close a case, and partner submissions, per case."""
    wanted = [*cfg.public_steps, SUBMISSION]
    found: dict[int, list[EventRow]] = {}
    for ids in _chunks(list(case_ids)):
        stmt = (
            select(
                CaseEvent.id,
                CaseEvent.case_id,
                CaseEvent.seq,
                CaseEvent.action,
                CaseEvent.at,
                CaseEvent.from_status,
                CaseEvent.to_status,
                CaseEvent.details,
            )
            .where(CaseEvent.case_id.in_(ids), or_(CaseEvent.action.in_(wanted), flip_filter()))
            .order_by(CaseEvent.case_id, CaseEvent.seq)
        )
        for row in session.execute(stmt):
            found.setdefault(row.case_id, []).append(EventRow(*row))
    return found


def _names(session: Session, column: Any, key: Any, keys: set[Any]) -> dict[Any, str]:
    names: dict[Any, str] = {}
    for chunk in _chunks(sorted(keys)):
        names.update(
            {k: name for k, name in session.execute(select(key, column).where(key.in_(chunk)))}
        )
    return names


def _first_cases(session: Session, problem_ids: set[int], cfg: Open311Settings) -> dict[int, str]:
    """The earliest public case of each problem: the parent its repeats point to."""
    first: dict[int, str] = {}
    for chunk in _chunks(sorted(problem_ids)):
        stmt = (
            select(Case.problem_id, Case.number)
            .where(Case.problem_id.in_(chunk), published(cfg))
            .order_by(Case.created_at, Case.id)
        )
        for problem_id, number in session.execute(stmt):
            if problem_id is not None:
                first.setdefault(problem_id, number)
    return first


def load_lookups(session: Session, cases: Sequence[Case], cfg: Open311Settings) -> Lookups:
    events = load_events(session, [case.id for case in cases], cfg)
    dispatched = {
        str(e.details.get("unit"))
        for rows in events.values()
        for e in rows
        if e.action == "dispatch"
    }
    return Lookups(
        categories=load_categories(session),
        unit_names=_names(session, Unit.name, Unit.id, {c.lead_unit_id for c in cases} - {None}),
        unit_names_by_code=_names(session, Unit.name, Unit.code, dispatched),
        region_names=_names(
            session, Region.name, Region.code, {c.district_code for c in cases} - {None}
        ),
        events=events,
        first_cases=_first_cases(session, {c.problem_id for c in cases if c.problem_id}, cfg),
    )
