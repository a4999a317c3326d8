"""Hotspot detection on cases built through the intake service (the street set as the locator
would set it): a jump is found with its evidence, a steady cell is not.

Day D = 2026-11-25. Cells (street × category):

* 泉城路街道 × 占道经营 (E0401): one complaint every 14 days over the 12 weeks before, then 5 on D
  → expected (6 + 1) / 84 per day; 5 against 0.083 is a jump (1-day window).
* 解放路街道 × 夜间施工噪音 (E0301): one a day for 13 weeks, two on D → steady, never flagged.
* A new problem: 4 linked complaints in the last 7 days, none before → a problem hotspot.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from hotline.adapters.db.models import Case, Problem
from hotline.domain.errors import InvalidInput
from hotline.domain.roles import Actor
from hotline.reports.hotspots import (
    MAX_SCORE,
    HotspotParams,
    detect_hotspots,
    hotspot_report,
    jump_score,
    poisson_tail,
)
from hotline.services.cases.intake import NewCase, create_case
from hotline.services.context import Hotline
from tests.conftest import FakeClock

D = date(2026, 11, 25)
QCL, JFL = "370102004", "370102001"  # 泉城路街道, 解放路街道


class Builder:
    def __init__(self, hotline: Hotline, operator: Actor, clock: FakeClock) -> None:
        self.hotline, self.operator, self.clock = hotline, operator, clock

    def case(self, day: date, street: str, category: str, hour: int = 10, **extra: object) -> str:
        local = datetime.combine(day, time(hour, 0), self.hotline.settings.tz)
        self.clock.current = local.astimezone(UTC)
        data = NewCase(
            channel="12345",
            content=f"{street} {category} 投诉 {day}",
            category_code=category,
            district_code="370102",
            **extra,
        )  # type: ignore[arg-type]
        number = create_case(self.hotline, data, self.operator, self.clock())
        with self.hotline.db.transaction() as session:  # what the locator step writes
            session.execute(update(Case).where(Case.number == number).values(street_code=street))
        return number

    def problem(self, numbers: list[str], title: str) -> int:
        with self.hotline.db.transaction() as session:
            now = self.clock()
            problem = Problem(
                status="open",
                title=title,
                district_code="370102",
                first_case_at=now,
                last_case_at=now,
                case_count=len(numbers),
            )
            session.add(problem)
            session.flush()
            session.execute(
                update(Case).where(Case.number.in_(numbers)).values(problem_id=problem.id)
            )
            return problem.id


@pytest.fixture
def built(hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> dict[str, object]:
    b = Builder(hotline, actors["operator"], clock)
    for weeks_back in range(1, 7):  # 6 quiet complaints, every 14 days
        b.case(D - timedelta(days=14 * weeks_back), QCL, "E0401")
    jump = [b.case(D, QCL, "E0401", hour=9 + n) for n in range(5)]
    for back in range(1, 91):
        b.case(D - timedelta(days=back), JFL, "E0301")
    b.case(D, JFL, "E0301", hour=9)
    b.case(D, JFL, "E0301", hour=11)
    fresh = [b.case(D - timedelta(days=n), JFL, "E0601") for n in (0, 2, 4, 6)]
    problem_id = b.problem(fresh, "解放路垃圾满溢")
    return {"jump": jump, "problem_id": problem_id, "fresh": fresh}


def test_a_jump_is_found_and_a_steady_cell_is_not(
    hotline: Hotline, built: dict[str, object]
) -> None:
    found = detect_hotspots(hotline.db, D)
    keys = [(h.kind, h.key) for h in found]
    assert ("cell", f"{QCL}:E0401") in keys
    assert ("cell", f"{JFL}:E0301") not in keys  # steady: 2 today against 1 a day
    jump = next(h for h in found if h.key == f"{QCL}:E0401")
    assert (jump.window_days, jump.observed, jump.baseline_count) == (1, 5, 6)
    assert jump.expected == pytest.approx(7 / 84, abs=1e-4)
    assert jump.ratio == pytest.approx(5 / (7 / 84), abs=0.01)
    assert jump.score >= 5
    assert jump.label == "泉城路街道 · 占道经营" and jump.district == "历下区"
    assert set(jump.samples) == set(built["jump"])  # type: ignore[arg-type]


def test_a_new_problem_is_a_hotspot_with_its_evidence(
    hotline: Hotline, built: dict[str, object]
) -> None:
    found = detect_hotspots(hotline.db, D)
    problem = next(h for h in found if h.kind == "problem")
    assert problem.key == str(built["problem_id"])
    assert (problem.window_days, problem.observed, problem.baseline_count) == (7, 4, 0)
    assert problem.label.endswith("解放路垃圾满溢")
    assert list(problem.samples) == built["fresh"]  # newest first
    ranked = [h.score for h in found]
    assert ranked == sorted(ranked, reverse=True)


def test_the_day_before_the_jump_is_quiet(hotline: Hotline, built: dict[str, object]) -> None:
    found = detect_hotspots(hotline.db, D - timedelta(days=1))
    assert f"{QCL}:E0401" not in [h.key for h in found]


def test_confidential_and_void_cases(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    b = Builder(hotline, actors["operator"], clock)
    secret = [b.case(D, QCL, "E0401", hour=9 + n, confidential=True) for n in range(4)]
    (only,) = detect_hotspots(hotline.db, D)
    assert only.observed == 4 and only.samples == ()  # counted, never named
    with hotline.db.transaction() as session:
        session.execute(update(Case).where(Case.number.in_(secret[:2])).values(status="void"))
    assert detect_hotspots(hotline.db, D) == []  # 2 left: under the minimum count


def test_the_report_document_and_settings(hotline: Hotline, built: dict[str, object]) -> None:
    strict = HotspotParams(min_score=6.0)
    report = hotspot_report(hotline.db, D, strict)
    assert report["params"]["min_score"] == 6.0 and report["params"]["windows"] == [1, 7]
    assert all(h["score"] >= 6.0 for h in report["hotspots"])
    assert report["count"] == len(report["hotspots"])
    with hotline.db.transaction() as session:
        assert session.scalar(select(Problem.id)) == built["problem_id"]


@pytest.mark.parametrize(
    "bad",
    [
        {"windows": ()},
        {"windows": (0,)},
        {"baseline_days": 3},
        {"min_ratio": 0.5},
        {"prior_cases": 0},
        {"limit": 0},
    ],
)
def test_bad_settings_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        HotspotParams(**bad)  # type: ignore[arg-type]


def test_poisson_tail_and_score() -> None:
    assert poisson_tail(0, 2.0) == 1.0
    assert poisson_tail(1, 0.5) == pytest.approx(1 - math.exp(-0.5))
    assert poisson_tail(3, 2.0) == pytest.approx(1 - math.exp(-2) * (1 + 2 + 2))
    lam = 7 / 84  # the tail beyond 5 is the pmf at 5 times 1 + λ/6 + λ²/42 + …
    assert poisson_tail(5, lam) == pytest.approx(
        math.exp(-lam) * lam**5 / 120 * (1 + lam / 6 + lam**2 / 42), rel=1e-4
    )
    assert jump_score(2, 2.0) == 0.0  # at or below what is expected
    assert jump_score(3, 0.1) > jump_score(3, 1.0) > 0
    assert jump_score(200, 0.001) == MAX_SCORE  # capped, no underflow
