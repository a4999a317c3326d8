"""Read-only SQL behind the notices: intake, handling, overdue, unsatisfied callbacks, media
reports, problems with many complaints. Periods are local dates; instants are compared in UTC.

Counts include confidential cases (the notices are internal); the named lists leave them out
(保密件只计数、不列明细), because a notice is forwarded by mail.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from hotline.adapters.db.models import (
    PENDING_REPLY,
    Callback,
    Case,
    CaseEvent,
    Category,
    Channel,
    Problem,
    Region,
    Supervision,
    Unit,
    reply_pending,
)
from hotline.domain.indicators import Period
from hotline.domain.lifecycle import Status
from hotline.domain.supervision import MARKS_CASE_SUPERVISED

VOID = Status.VOID.value
NOT_PENDING = (Status.VOID.value, Status.ANSWERED_DIRECTLY.value)
UNSATISFIED = "unsatisfied"
LIST_LIMIT = 50  # rows of a named list; the counts are always complete


@dataclass(frozen=True)
class Window:
    """A period of local dates as UTC instants, and the moment the notice speaks for."""

    period: Period
    tz: ZoneInfo
    now: datetime
    # a district's cut (区县版): its named lists and figures; the per-district counts stay
    # city-wide, so the district sees itself beside the others
    district: str | None = None

    def in_district(self, column: Any) -> list[Any]:
        """The condition restricting a named list to the cut's district (none: city-wide)."""
        return [] if self.district is None else [column == self.district]

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time.min, self.tz).astimezone(UTC)

    @property
    def start_at(self) -> datetime:
        return self._midnight(self.period.start)

    @property
    def end_at(self) -> datetime:
        return self._midnight(self.period.end + timedelta(days=1))

    @property
    def as_of(self) -> datetime:
        """The end of the period, or now while the period is still running."""
        return min(self.end_at, self.now)

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()


def names(session: Session, model: Any, codes: Iterable[str | None]) -> dict[str, str]:
    wanted = sorted({code for code in codes if code})
    if not wanted:
        return {}
    rows = session.execute(select(model.code, model.name).where(model.code.in_(wanted)))
    return {str(code): str(name) for code, name in rows}


def district_names(session: Session) -> dict[str, str]:
    rows = session.execute(
        select(Region.code, Region.name).where(Region.level.in_(("district", "county", "zone")))
    )
    return {str(code): str(name) for code, name in rows}


def channel_names(session: Session) -> dict[str, str]:
    rows = session.execute(select(Channel.code, Channel.name).order_by(Channel.sort_order))
    return {str(code): str(name) for code, name in rows}


HEAD_COLUMNS = (Unit.head_title, Unit.head_name, Unit.head_phone, Unit.duty_phone)
BUREAU_KINDS = ("district_bureau", "zone_bureau")


def _head(title: str | None, name: str | None, phone: str | None, duty: str | None) -> str | None:
    """「局长李建华 0531-80200201」; None for a unit with no named head."""
    if not name:
        return None
    return f"{title or '负责人'}{name}" + (f" {phone or duty}" if phone or duty else "")


def unit_heads(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Who answers for each unit, by name and phone where the records have them
    (「局长李建华 0531-80200201」); a unit with no named head is left out."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = session.execute(select(Unit.id, *HEAD_COLUMNS).where(Unit.id.in_(wanted)))
    return {unit_id: head for unit_id, *contact in rows if (head := _head(*contact))}


def district_heads(session: Session) -> dict[str, str]:
    """Who answers for each district or zone: the head of its city-management bureau."""
    stmt = select(Unit.region_code, *HEAD_COLUMNS).where(
        Unit.kind.in_(BUREAU_KINDS), Unit.active.is_(True)
    )
    return {
        region: head
        for region, *contact in session.execute(stmt)
        if region and (head := _head(*contact))
    }


def unit_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(wanted)))
    return {int(uid): str(name) for uid, name in rows}


def category_names(session: Session, codes: Iterable[str | None]) -> dict[str, str]:
    return names(session, Category, codes)


def intake(session: Session, window: Window) -> Counter[tuple[str, str]]:
    """Cases received in the period (void ones excluded) per (district, channel)."""
    stmt = (
        select(Case.district_code, Case.channel_code, func.count())
        .where(Case.received_on.between(window.period.start, window.period.end))
        .where(Case.status != VOID)
        .group_by(Case.district_code, Case.channel_code)
    )
    return Counter({(d or "", c): n for d, c, n in session.execute(stmt)})


def handled(session: Session, window: Window) -> dict[str, Counter[str]]:
    """Per district: cases answered (办结: a reply or a direct answer) and closed (结案)."""
    answered = (
        select(Case.district_code, func.count(func.distinct(CaseEvent.case_id)))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.action.in_(("reply", "answer_directly")))
        .where(CaseEvent.at >= window.start_at, CaseEvent.at < window.end_at)
        .group_by(Case.district_code)
    )
    closed = (
        select(Case.district_code, func.count())
        .where(Case.closed_at >= window.start_at, Case.closed_at < window.end_at)
        .where(Case.status != VOID)  # a void case is closed too, but nothing was handled
        .group_by(Case.district_code)
    )
    result: dict[str, Counter[str]] = {}
    for district, n in session.execute(answered):
        result.setdefault(district or "", Counter())["answered"] = n
    for district, n in session.execute(closed):
        result.setdefault(district or "", Counter())["closed"] = n
    return result


def _overdue_branches(window: Window) -> tuple[Any, Any]:
    """Past the reply deadline and not answered at the notice's moment, as two disjoint sets of
    cases (id, district, deadline, confidential): those still waiting for a reply now
    (``PENDING_REPLY_INDEX``: only the waiting cases whose deadline has passed are read), and
    those answered since the moment (``REPLIED_INDEX``: only replies after the moment are
    read). Both read index-only on PostgreSQL.

    What the lifecycle guarantees, and the tests rely on: ``replied_at`` is the latest reply,
    cleared (with ``closed_at``) by a rework or reopen; a waiting case is never closed; a case
    is closed only after its reply. So neither branch needs a test on ``closed_at`` — and with
    one, the planner mixes in the closed-at index and fetches every candidate row."""
    moment = window.as_of
    columns = (Case.id, Case.district_code, Case.reply_due_at, Case.confidential)
    waiting = select(*columns).where(
        reply_pending(),
        Case.reply_due_at < moment,
        or_(Case.replied_at.is_(None), Case.replied_at > moment),
    )
    answered_later = select(*columns).where(
        Case.replied_at > moment,
        Case.replied_at.is_not(None),  # the REPLIED_INDEX predicate, for the planner
        Case.reply_due_at < moment,
        Case.status.not_in((*PENDING_REPLY, *NOT_PENDING)),
    )
    return waiting, answered_later


@dataclass(frozen=True)
class Overdue:
    counts: Counter[str]  # per district, confidential cases included
    first: list[Case]  # the first LIST_LIMIT by deadline, confidential cases left out


def overdue(session: Session, window: Window, *, named: bool = True) -> Overdue:
    """Open cases past their reply deadline at the notice's moment: counted per district in
    SQL and, if ``named``, the first by deadline (confidential cases left out)."""
    counts: Counter[str] = Counter()
    branches = _overdue_branches(window)
    for branch in branches:
        late = branch.subquery()
        for district, n in session.execute(
            select(late.c.district_code, func.count()).group_by(late.c.district_code)
        ):
            counts[district or ""] += n
    if not named:
        return Overdue(counts, [])
    # the first of each branch by deadline, merged: each branch walks its own index (a UNION
    # sorted as a whole made the planner fetch every candidate row)
    firsts = sorted(
        (due, case_id)
        for branch in branches
        for case_id, due in session.execute(
            branch.with_only_columns(Case.id, Case.reply_due_at)
            .where(Case.confidential.is_(False), *window.in_district(Case.district_code))
            .order_by(Case.reply_due_at, Case.id)
            .limit(LIST_LIMIT)
        )
    )
    ids = [case_id for _due, case_id in firsts[:LIST_LIMIT]]
    by_id = {case.id: case for case in session.scalars(select(Case).where(Case.id.in_(ids)))}
    return Overdue(counts, [by_id[case_id] for case_id in ids])


def _unsatisfied_filter(window: Window) -> Any:
    """Reached callbacks in the period that answered 不满意 on the process or the result."""
    return and_(
        Callback.at >= window.start_at,
        Callback.at < window.end_at,
        Callback.outcome == "reached",
        or_(
            Callback.result_satisfaction == UNSATISFIED,
            Callback.process_satisfaction == UNSATISFIED,
        ),
    )


def unsatisfied_counts(session: Session, window: Window) -> Counter[str]:
    """Unsatisfied callbacks per district (all of them, confidential ones included)."""
    stmt = (
        select(Case.district_code, func.count())
        .select_from(Callback)
        .join(Case, Case.id == Callback.case_id)
        .where(_unsatisfied_filter(window))
        .group_by(Case.district_code)
    )
    return Counter({d or "": n for d, n in session.execute(stmt)})


def unsatisfied_list(session: Session, window: Window) -> list[tuple[Callback, Case]]:
    """The first of them, in callback order, confidential cases left out."""
    stmt = (
        select(Callback, Case)
        .join(Case, Case.id == Callback.case_id)
        .where(_unsatisfied_filter(window), Case.confidential.is_(False))
        .where(*window.in_district(Case.district_code))
        .order_by(Callback.at, Callback.id)
        .limit(LIST_LIMIT)
    )
    return [(cb, case) for cb, case in session.execute(stmt)]


def _media_filter(window: Window) -> Any:
    """Media-reported issues received in the period (媒体曝光), void ones excluded."""
    return and_(
        Case.received_on.between(window.period.start, window.period.end),
        Case.status != VOID,
        or_(Case.channel_code == "media", Case.media_outlet.is_not(None)),
        *window.in_district(Case.district_code),
    )


def media_count(session: Session, window: Window) -> int:
    return session.scalar(select(func.count()).select_from(Case).where(_media_filter(window))) or 0


def media_cases(session: Session, window: Window) -> list[Case]:
    """The first of them in order of receipt, confidential cases left out. Ordered by the day
    first: ordered by creation time alone, PostgreSQL walked the creation-time index from the
    oldest case of the ledger looking for the period's few media cases (9.7 s at 10 M cases)."""
    stmt = (
        select(Case)
        .where(_media_filter(window), Case.confidential.is_(False))
        .order_by(Case.received_on, Case.created_at, Case.id)
        .limit(LIST_LIMIT)
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class ProblemCount:
    problem: Problem
    total: int  # complaints up to the end of the period
    in_period: int  # of them received in the period


def problems_with_many(
    session: Session, window: Window, threshold: int, limit: int
) -> tuple[list[ProblemCount], int]:
    """Problems with ≥ threshold complaints by the period's end and at least one in it, most
    complaints in the period first: the first ``limit`` of them, and how many there are.

    Candidates are the problems of the period's cases (read index-only) that the ledger's own
    counts allow (``case_count`` now ≥ the count at the period's end, ``last_case_at`` ≥ any
    complaint in the period), so only their cases are counted, never every linked case."""
    period = window.period
    in_period_problems = select(Case.problem_id).where(
        Case.received_on.between(period.start, period.end), Case.problem_id.is_not(None)
    )
    candidates = select(Problem.id).where(
        Problem.case_count >= threshold,
        Problem.last_case_at >= window.start_at,
        Problem.id.in_(in_period_problems),
        *window.in_district(Problem.district_code),
    )
    total = func.count()
    in_period = func.sum(sql_case((Case.received_on >= period.start, 1), else_=0))
    stmt = (
        select(Case.problem_id, total, in_period, func.count().over())
        .where(Case.problem_id.in_(candidates), Case.received_on <= period.end)
        .where(Case.status != VOID)
        .group_by(Case.problem_id)
        .having(total >= threshold, func.max(Case.received_on) >= period.start)
        .order_by(in_period.desc(), total.desc(), Case.problem_id)
        .limit(limit)
    )
    rows = session.execute(stmt).all()
    counts = {pid: (int(n), int(fresh or 0)) for pid, n, fresh, _ in rows}
    problems = {p.id: p for p in session.scalars(select(Problem).where(Problem.id.in_(counts)))}
    found = [ProblemCount(problems[pid], *counts[pid]) for pid, *_ in rows]
    return found, int(rows[0][3]) if rows else 0


def daily_series(session: Session, window: Window) -> dict[date, Counter[str]]:
    """Per local day of the period: intake and answered cases (for the trend chart)."""
    days: dict[date, Counter[str]] = {}
    stmt = (
        select(Case.received_on, func.count())
        .where(Case.received_on.between(window.period.start, window.period.end))
        .where(Case.status != VOID)
        .group_by(Case.received_on)
    )
    for on, n in session.execute(stmt):
        days.setdefault(on, Counter())["intake"] = n
    replies = (
        select(CaseEvent.at)
        .where(CaseEvent.action.in_(("reply", "answer_directly")))
        .where(CaseEvent.at >= window.start_at, CaseEvent.at < window.end_at)
    )
    for (at,) in session.execute(replies):
        days.setdefault(window.local_day(at), Counter())["answered"] += 1
    return days


SUPERVISED_LEVELS = sorted(MARKS_CASE_SUPERVISED)  # 督办 and up; 催办 reminders are only counted


@dataclass(frozen=True)
class Supervisions:
    counts: Counter[str]  # per level, every one opened in the period (confidential included)
    first: list[tuple[Supervision, str | None]]  # 督办 and up, oldest first, with case numbers


def supervisions_opened(session: Session, window: Window) -> Supervisions:
    """The supervisions (督办单) opened in the period: counted per level, and the first of
    those from 督办 up named (a case's number only when it is not confidential)."""
    opened = and_(
        Supervision.created_at >= window.start_at,
        Supervision.created_at < window.end_at,
        *window.in_district(Supervision.district_code),
    )
    counts = Counter(
        {
            level: n
            for level, n in session.execute(
                select(Supervision.level, func.count()).where(opened).group_by(Supervision.level)
            )
        }
    )
    stmt = (
        select(Supervision, Case.number)
        .outerjoin(Case, Case.id == Supervision.case_id)
        .where(opened, Supervision.level.in_(SUPERVISED_LEVELS))
        .where(or_(Case.id.is_(None), Case.confidential.is_(False)))
        .order_by(Supervision.created_at, Supervision.id)
        .limit(LIST_LIMIT)
    )
    return Supervisions(counts, [(record, number) for record, number in session.execute(stmt)])
