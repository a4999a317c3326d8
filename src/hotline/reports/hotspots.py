"""Hotspot early warning (热点预警): problems and street × category cells whose complaint count
jumps against their own history.

For a day D and each recent window of ``w`` days ending on D (default 1 and 7), a cell's
observed count is compared with what its trailing baseline (default 84 days = 12 weeks, ending
the day before the window) predicts: ``expected = (baseline_count + prior) / baseline_days × w``.
The score is the Poisson tail turned into a z-score, ``score = −Φ⁻¹(P(X ≥ observed | expected))``:
exact for the small counts a street sees (a normal approximation overstates 3 calls against
0.1 expected and understates 5 against 2), and the prior pseudo-case keeps a brand-new cell from
dividing by zero. A cell is a hotspot when observed ≥ ``min_count``, observed / expected ≥
``min_ratio`` and score ≥ ``min_score``; of its windows the one with the highest score is kept.
Void cases (作废) are not complaints and count nowhere. Read-only.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from statistics import NormalDist
from typing import Any

from sqlalchemy import and_, func, select, tuple_
from sqlalchemy.orm import Session

from hotline.adapters.db.database import Database
from hotline.adapters.db.models import Case, CaseIntakeCell, Category, Problem, Region
from hotline.domain.errors import InvalidInput
from hotline.domain.indicators import supported_day
from hotline.domain.lifecycle import Status

MAX_SCORE = 37.0  # z of a tail near 1e-300, where doubles end; beyond it ties break by count


@dataclass(frozen=True)
class HotspotParams:
    """Detection settings; the defaults are documented in docs/reports.md."""

    windows: tuple[int, ...] = (1, 7)
    baseline_days: int = 84
    min_count: int = 3
    min_ratio: float = 2.0
    min_score: float = 3.0
    prior_cases: float = 1.0
    limit: int = 20
    samples: int = 5

    def __post_init__(self) -> None:
        if not self.windows or min(self.windows) < 1 or max(self.windows) > 31:
            raise InvalidInput("近期窗口须为 1–31 天", fields=("windows",))
        if not 7 <= self.baseline_days <= 366:
            raise InvalidInput("基线期须为 7–366 天", fields=("baseline_days",))
        if self.min_count < 1 or self.min_ratio < 1 or self.prior_cases <= 0:
            raise InvalidInput("最少件数须 ≥ 1、倍数须 ≥ 1、先验件数须 > 0", fields=("params",))
        if not 1 <= self.limit <= 500 or not 0 <= self.samples <= 50:
            raise InvalidInput("条数上限须为 1–500，样例件数 0–50", fields=("limit",))

    @property
    def span_days(self) -> int:
        return max(self.windows) + self.baseline_days


@dataclass(frozen=True)
class Hotspot:
    kind: str  # problem | cell
    key: str  # problem id, or "street:category"
    label: str
    district_code: str
    district: str
    window_days: int
    observed: int
    baseline_count: int
    baseline_days: int
    baseline_rate: float  # complaints per day in the baseline
    expected: float
    ratio: float
    score: float
    samples: tuple[str, ...] = ()

    def as_data(self) -> dict[str, Any]:
        return {**asdict(self), "samples": list(self.samples)}


def poisson_tail(observed: int, expected: float) -> float:
    """P(X ≥ observed) for X ~ Poisson(expected), summed on the side that keeps precision."""
    if observed <= 0:
        return 1.0
    log_pmf = -expected + observed * math.log(expected) - math.lgamma(observed + 1)
    if observed > expected:  # upper tail: the terms shrink, sum them directly
        total, term, k = 0.0, math.exp(log_pmf), observed
        while term > 1e-300 and (total == 0 or term > total * 1e-17):
            total += term
            k += 1
            term *= expected / k
        return min(total, 1.0)
    lower = sum(
        math.exp(-expected + k * math.log(expected) - math.lgamma(k + 1)) for k in range(observed)
    )
    return max(1.0 - lower, 0.0)


def jump_score(observed: int, expected: float) -> float:
    """The Poisson tail as a one-sided z-score (0 when nothing unusual)."""
    tail = poisson_tail(observed, expected)
    if tail >= 0.5:
        return 0.0
    return min(-NormalDist().inv_cdf(max(tail, 1e-300)), MAX_SCORE)


@dataclass(frozen=True)
class _Cell:
    kind: str
    key: str
    daily: dict[date, int]


def _judge(cell: _Cell, day: date, params: HotspotParams) -> Hotspot | None:
    best: Hotspot | None = None
    for window in params.windows:
        start = day - timedelta(days=window - 1)
        base_start = start - timedelta(days=params.baseline_days)
        observed = sum(n for d, n in cell.daily.items() if start <= d <= day)
        baseline = sum(n for d, n in cell.daily.items() if base_start <= d < start)
        rate = (baseline + params.prior_cases) / params.baseline_days
        expected = rate * window
        ratio, score = observed / expected, jump_score(observed, expected)
        if observed < params.min_count or ratio < params.min_ratio or score < params.min_score:
            continue
        if best is None or score > best.score:
            best = Hotspot(
                cell.kind,
                cell.key,
                "",
                "",
                "",
                window,
                observed,
                baseline,
                params.baseline_days,
                round(baseline / params.baseline_days, 4),
                round(expected, 4),
                round(ratio, 2),
                round(score, 2),
            )
    return best


def _counts(session: Session, day: date, params: HotspotParams) -> list[_Cell]:
    """Daily counts over the whole span of the cells that can be hotspots: a cell needs at
    least ``min_count`` complaints in its widest recent window, so the others (most of a city's
    street × category cells and nearly all its problems on a given day) are never read.
    Street × category counts come from ``case_intake_cells`` (one row per cell and day, kept by
    the database: adapters/db/intake_cells.py), problems from the cases."""
    first = day - timedelta(days=params.span_days - 1)
    recent = day - timedelta(days=max(params.windows) - 1)
    cells: dict[tuple[str, str], dict[date, int]] = defaultdict(dict)
    for street, category, on, n in session.execute(_cell_counts(first, recent, day, params)):
        cells["cell", f"{street}:{category}"][on] = n
    live = and_(Case.received_on.between(first, day), Case.status != Status.VOID.value)
    busy_problems = (
        select(Case.problem_id)
        .where(Case.received_on.between(recent, day), Case.status != Status.VOID.value)
        .where(Case.problem_id.is_not(None))
        .group_by(Case.problem_id)
        .having(func.count() >= params.min_count)
    )
    by_problem = (
        select(Case.problem_id, Case.received_on, func.count())
        .where(live, Case.problem_id.in_(busy_problems))
        .group_by(Case.problem_id, Case.received_on)
    )
    for problem_id, on, n in session.execute(by_problem):
        cells["problem", str(problem_id)][on] = n
    return [_Cell(kind, key, daily) for (kind, key), daily in cells.items()]


def _cell_counts(first: date, recent: date, day: date, params: HotspotParams) -> Any:
    """(street, category, day, count) over [first, day] for the cells, street and category
    both known, with at least ``min_count`` complaints in [recent, day]."""
    cell = CaseIntakeCell
    place = (cell.street_code, cell.category_code)
    known = and_(cell.street_code != "", cell.category_code != "")
    busy = (
        select(*place)
        .where(cell.received_on.between(recent, day), known)
        .group_by(*place)
        .having(func.sum(cell.n) >= params.min_count)
    )
    return select(*place, cell.received_on, cell.n).where(
        cell.received_on.between(first, day), cell.n > 0, tuple_(*place).in_(busy)
    )


def _names(session: Session, model: Any, codes: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(codes) - {""})
    if not wanted:
        return {}
    rows = session.execute(select(model.code, model.name).where(model.code.in_(wanted)))
    return {str(code): str(name) for code, name in rows}


def _cell_places(session: Session, hotspots: Sequence[Hotspot]) -> dict[str, tuple[str, str]]:
    """key → (label, district code) for street × category cells."""
    pairs = [h.key.split(":", 1) for h in hotspots if h.kind == "cell"]
    streets = session.execute(
        select(Region.code, Region.name, Region.parent_code).where(
            Region.code.in_([street for street, _ in pairs])
        )
    ).all()
    street_of = {code: (name, parent or "") for code, name, parent in streets}
    categories = _names(session, Category, [category for _, category in pairs])
    places = {}
    for street, category in pairs:
        name, district = street_of.get(street, (street, ""))
        places[f"{street}:{category}"] = (
            f"{name} · {categories.get(category, category)}",
            district,
        )
    return places


def _problem_places(session: Session, hotspots: Sequence[Hotspot]) -> dict[str, tuple[str, str]]:
    ids = [int(h.key) for h in hotspots if h.kind == "problem"]
    rows = session.execute(
        select(Problem.id, Problem.title, Problem.district_code).where(Problem.id.in_(ids))
    )
    return {str(pid): (f"问题 #{pid} {title}", district or "") for pid, title, district in rows}


def _samples(session: Session, hotspot: Hotspot, day: date, limit: int) -> tuple[str, ...]:
    """Newest case numbers of the window; confidential cases are counted but never named."""
    start = day - timedelta(days=hotspot.window_days - 1)
    if hotspot.kind == "problem":
        which = Case.problem_id == int(hotspot.key)
    else:
        street, category = hotspot.key.split(":", 1)
        which = and_(Case.street_code == street, Case.category_code == category)
    stmt = (
        select(Case.number)
        .where(which, Case.received_on.between(start, day), Case.status != Status.VOID.value)
        .where(Case.confidential.is_(False))
        # the day first, so the planner reads the window's range (not the whole ledger's
        # creation-time index from the newest case back)
        .order_by(Case.received_on.desc(), Case.created_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return tuple(session.scalars(stmt))


def _dressed(
    session: Session, found: list[Hotspot], day: date, params: HotspotParams
) -> list[Hotspot]:
    places = {**_cell_places(session, found), **_problem_places(session, found)}
    districts = _names(session, Region, [district for _, district in places.values()])
    dressed = []
    for hotspot in found:
        label, district = places.get(hotspot.key, (hotspot.key, ""))
        samples = _samples(session, hotspot, day, params.samples) if params.samples else ()
        dressed.append(
            Hotspot(
                **{
                    **asdict(hotspot),
                    "label": label,
                    "district_code": district,
                    "district": districts.get(district, "（未知）"),
                    "samples": samples,
                }
            )
        )
    return dressed


def detect_in(session: Session, day: date, params: HotspotParams) -> list[Hotspot]:
    """Hotspots of one local day, best score first (ties: the larger count, then the key)."""
    supported_day(day, "date")  # the baseline reaches 13 weeks back
    cells = _counts(session, day, params)
    found = [hit for cell in cells if (hit := _judge(cell, day, params)) is not None]
    found.sort(key=lambda h: (-h.score, -h.observed, h.kind, h.key))
    return _dressed(session, found[: params.limit], day, params)


def detect_hotspots(db: Database, day: date, params: HotspotParams | None = None) -> list[Hotspot]:
    with db.snapshot() as session:
        return detect_in(session, day, params or HotspotParams())


def hotspot_report(db: Database, day: date, params: HotspotParams | None = None) -> dict[str, Any]:
    """The ranked list as one JSON-ready document, with the settings that produced it."""
    settings = params or HotspotParams()
    found = detect_hotspots(db, day, settings)
    return {
        "date": day.isoformat(),
        "params": {**asdict(settings), "windows": list(settings.windows)},
        "count": len(found),
        "hotspots": [h.as_data() for h in found],
    }
