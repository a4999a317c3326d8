"""The cockpit's tiles of one local day, counted per district, and the cases behind each.

Every tile is one selection — of cases, or for 3+ problems of problems — written once and used
twice: grouped by district it is the figure, restricted to a district and the caller's scope it
is the drill-down list, so a list always holds what its figure counts (less what the caller may
not see, reported as hidden). The conditions are the daily notice's (reports/notices/queries.py),
so the cockpit and the 当日通报 of a day agree; instants are compared in UTC, days are local.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, union_all
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Callback, Case, CaseEvent, Category, Problem, Region
from hotline.domain.errors import InvalidInput
from hotline.domain.lifecycle import Action, Status
from hotline.domain.roles import Actor
from hotline.reports.hotspots import HotspotParams, detect_in
from hotline.reports.notices import queries as notice
from hotline.services.accounts.scope import restrict_to_scope

VOID = Status.VOID.value
PROBLEM_THRESHOLD = 3  # 3+ complaints: priority supervision (重点督办), as the notices count
ALL_HOTSPOTS = HotspotParams(limit=500, samples=3)  # every district's, not the city's first 20


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    unit: str = "件"
    hint: str = ""


TILES = (
    Tile("received", "受理", hint="当日受理的诉求（作废件除外），按受理日期"),
    Tile("registered", "立案", hint="当日立案的工单"),
    Tile("dispatched", "派遣", hint="当日派遣给承办单位的工单"),
    Tile("replied", "办结", hint="当日办结答复或直接答复的工单"),
    Tile("closed", "结案", hint="当日结案的工单（作废件除外）"),
    Tile("overdue", "超期未办结", hint="截至统计时刻已过答复期限仍未答复的工单"),
    Tile("unsatisfied", "不满意回访", hint="当日回访接通且过程或结果不满意的工单"),
    Tile("media", "媒体曝光", hint="当日受理的媒体曝光件"),
    Tile(
        "problems",
        f"{PROBLEM_THRESHOLD} 次及以上投诉问题",
        "个",
        f"截至当日累计投诉达 {PROBLEM_THRESHOLD} 次且当日有新投诉的问题",
    ),
    Tile("hotspots", "热点预警", "处", "当日投诉量较其近 12 周基线异常升高的街道 × 类别与问题"),
)
TILE_KEYS = tuple(tile.key for tile in TILES)
LISTED = tuple(key for key in TILE_KEYS if key != "hotspots")  # hotspots list their samples

Selection = Select[int, str | None]  # (case_id, district_code)


def _events(window: notice.Window, *actions: Action) -> Selection:
    return (
        select(CaseEvent.case_id.label("case_id"), Case.district_code.label("district_code"))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.action.in_([action.value for action in actions]))
        .where(CaseEvent.at >= window.start_at, CaseEvent.at < window.end_at)
        .distinct()
    )


def _cases(*where: ColumnElement[bool]) -> Selection:
    return select(Case.id.label("case_id"), Case.district_code.label("district_code")).where(*where)


def _received(window: notice.Window) -> Selection:
    return _cases(
        Case.received_on.between(window.period.start, window.period.end), Case.status != VOID
    )


def _closed(window: notice.Window) -> Selection:
    return _cases(
        Case.closed_at >= window.start_at, Case.closed_at < window.end_at, Case.status != VOID
    )


def _overdue(window: notice.Window) -> Selection:
    # the notice's two disjoint branches (still waiting; answered only after the moment)
    waiting, answered_later = notice._overdue_branches(window)
    columns = (Case.id.label("case_id"), Case.district_code.label("district_code"))
    both = union_all(
        waiting.with_only_columns(*columns), answered_later.with_only_columns(*columns)
    ).subquery()
    return select(both.c.case_id, both.c.district_code)


def _unsatisfied(window: notice.Window) -> Selection:
    return (
        select(Case.id.label("case_id"), Case.district_code.label("district_code"))
        .select_from(Callback)
        .join(Case, Case.id == Callback.case_id)
        .where(notice._unsatisfied_filter(window))
        .distinct()
    )


def _media(window: notice.Window) -> Selection:
    return _cases(notice._media_filter(window))


def problems_over_threshold(window: notice.Window) -> Select[Any]:
    """Problems with ≥ the threshold of complaints by the day's end and one of them that day
    (the notice's 多次投诉问题, without its ordering)."""
    period = window.period
    in_period = select(Case.problem_id).where(
        Case.received_on.between(period.start, period.end), Case.problem_id.is_not(None)
    )
    candidates = select(Problem.id).where(
        Problem.case_count >= PROBLEM_THRESHOLD,
        Problem.last_case_at >= window.start_at,
        Problem.id.in_(in_period),
    )
    return (
        select(Case.problem_id)
        .where(Case.problem_id.in_(candidates), Case.received_on <= period.end)
        .where(Case.status != VOID)
        .group_by(Case.problem_id)
        .having(func.count() >= PROBLEM_THRESHOLD, func.max(Case.received_on) >= period.start)
    )


def _problem_cases(window: notice.Window) -> Selection:
    """The day's complaints about those problems, under the problem's district."""
    return (
        select(Case.id.label("case_id"), Problem.district_code.label("district_code"))
        .join(Problem, Problem.id == Case.problem_id)
        .where(Case.problem_id.in_(problems_over_threshold(window)))
        .where(Case.received_on.between(window.period.start, window.period.end))
        .where(Case.status != VOID)
    )


SELECTIONS: dict[str, Callable[[notice.Window], Selection]] = {
    "received": _received,
    "registered": lambda window: _events(window, Action.REGISTER),
    "dispatched": lambda window: _events(window, Action.DISPATCH),
    "replied": lambda window: _events(window, Action.REPLY, Action.ANSWER_DIRECTLY),
    "closed": _closed,
    "overdue": _overdue,
    "unsatisfied": _unsatisfied,
    "media": _media,
    "problems": _problem_cases,
}


def _per_district(session: Session, stmt: Select[str | None, int]) -> dict[str, int]:
    return {district or "": int(n) for district, n in session.execute(stmt) if n}


def count_selection(session: Session, selection: Selection) -> dict[str, int]:
    rows = selection.subquery()
    stmt = select(rows.c.district_code, func.count()).group_by(rows.c.district_code)
    return _per_district(session, stmt)


def count_problems(session: Session, window: notice.Window) -> dict[str, int]:
    stmt = (
        select(Problem.district_code, func.count())
        .where(Problem.id.in_(problems_over_threshold(window)))
        .group_by(Problem.district_code)
    )
    return _per_district(session, stmt)


@dataclass(frozen=True)
class DayFigures:
    counts: dict[str, dict[str, int]]  # tile → district code ('' unknown) → n
    hotspots: list[dict[str, Any]]


def hotspot_counts(hotspots: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for hotspot in hotspots:
        district = str(hotspot.get("district_code") or "")
        counts[district] = counts.get(district, 0) + 1
    return counts


def day_figures(session: Session, window: notice.Window) -> DayFigures:
    """Every tile of the window's day, per district, and the day's hotspots (all districts)."""
    counts = {
        key: count_selection(session, select_for(window))
        for key, select_for in SELECTIONS.items()
        if key != "problems"
    }
    counts["problems"] = count_problems(session, window)
    found = detect_in(session, window.period.end, ALL_HOTSPOTS)
    hotspots = [hotspot.as_data() for hotspot in found]
    counts["hotspots"] = hotspot_counts(hotspots)
    return DayFigures(counts, hotspots)


# -- the drill-down ------------------------------------------------------------------------------

LIST_LIMIT = 500


@dataclass(frozen=True)
class TileQuery:
    tile: str
    district: str = ""  # '' the whole city
    limit: int = 100
    offset: int = 0

    def __post_init__(self) -> None:
        if self.tile not in LISTED:
            raise InvalidInput(
                f"未知或不可下钻的指标块「{self.tile}」，应为 {'/'.join(LISTED)} 之一",
                fields=("tile",),
            )
        if not 1 <= self.limit <= LIST_LIMIT or self.offset < 0:
            raise InvalidInput(f"limit 须为 1–{LIST_LIMIT}，offset 不能为负", fields=("limit",))


def tile_cases(
    session: Session, window: notice.Window, query: TileQuery, actor: Actor
) -> dict[str, Any]:
    """The cases behind one tile (in one district, or the city): how many there are, how many
    the caller sees, and a page of those, newest case first."""
    rows = SELECTIONS[query.tile](window).subquery()
    chosen = select(rows.c.case_id)
    if query.district:
        chosen = chosen.where(rows.c.district_code == query.district)
    count = session.scalar(select(func.count()).select_from(chosen.subquery())) or 0
    visible = restrict_to_scope(session, select(Case).where(Case.id.in_(chosen)), actor)
    shown = session.scalar(select(func.count()).select_from(visible.subquery())) or 0
    page = (
        visible.with_only_columns(
            Case.number, Case.status, Case.received_on, Region.name, Category.name
        )
        .outerjoin(Region, Region.code == Case.district_code)
        .outerjoin(Category, Category.code == Case.category_code)
        .order_by(Case.id.desc())
        .limit(query.limit)
        .offset(query.offset)
    )
    items = [
        {
            "number": number,
            "status": status,
            "received_on": received.isoformat() if received else None,
            "district": district,
            "category": category,
        }
        for number, status, received, district, category in session.execute(page)
    ]
    return {
        "count": int(count),
        "visible": int(shown),
        "hidden": int(count - shown),
        "items": items,
    }
