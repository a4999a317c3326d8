"""How the classifier does in production: its suggestions at intake against the category the
centre registered (立案) and the final category after any re-sorting, for the cases received
in a period (local dates, both ends inclusive). Read-only; every figure is a numerator over a
denominator with its formula.

Two grouped queries do the counting in the database: one by (model version, final category),
from which the totals, the per-version and the per-category figures are sums; one by the model's
first choice, for precision. Internal figures, city-wide for every role that may read them,
as the indicator report (no case content or number appears).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, func, or_, select
from sqlalchemy.orm import Session

from hotline.adapters.db.database import Database
from hotline.adapters.db.models import Case, CaseClassification, Category
from hotline.domain.errors import InvalidInput
from hotline.domain.indicators import Period, asked_period

MAX_DAYS = 3 * 366  # as the indicator report: a longer period is a mistake more often than a wish
NO_CATEGORY = "（未分类）"

C = CaseClassification
FINAL = Case.category_code  # after any re-sorting
SUGGESTED = C.model_version.is_not(None)
CHOSEN = and_(SUGGESTED, C.registered_code.is_not(None))
JUDGED = and_(SUGGESTED, FINAL.is_not(None))

CHOSEN_CASES = "有建议且立案定了类别的工单数"
JUDGED_CASES = "有建议且有最终类别的工单数"
FORMULAS = {
    "coverage": ("建议覆盖率", "有模型建议的工单数 / 受理工单数"),
    "top1_agreement": ("首选采纳率", f"立案类别 = 模型首选 的工单数 / {CHOSEN_CASES}"),
    "top3_agreement": ("前三命中率(立案)", f"立案类别在模型前三之内的工单数 / {CHOSEN_CASES}"),
    "override_rate": ("改判率", f"立案类别 ≠ 模型首选 的工单数 / {CHOSEN_CASES}"),
    "resort_rate": ("重新分类率", f"最终类别 ≠ 立案类别 的工单数 / {CHOSEN_CASES}"),
    "accuracy": ("准确率(最终类别)", f"最终类别 = 模型首选 的工单数 / {JUDGED_CASES}"),
    "top3_accuracy": ("前三准确率(最终类别)", f"最终类别在模型前三之内的工单数 / {JUDGED_CASES}"),
    "precision": ("精确率", "模型首选为该类且最终为该类的工单数 / 模型首选为该类的工单数"),
}


def _count(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0), type_=Integer)


def _in_top3(code: Any) -> ColumnElement[bool]:
    return or_(code == C.top1_code, code == C.top2_code, code == C.top3_code)


# The counted columns, in the order of ``Counts``'s fields.
COUNTED = (
    func.count(Case.id),
    _count(SUGGESTED),
    _count(CHOSEN),
    _count(and_(CHOSEN, C.registered_code == C.top1_code)),
    _count(and_(CHOSEN, _in_top3(C.registered_code))),
    _count(and_(CHOSEN, FINAL.is_not(None), C.registered_code != FINAL)),
    _count(JUDGED),
    _count(and_(JUDGED, C.top1_code == FINAL)),
    _count(and_(JUDGED, _in_top3(FINAL))),
)


@dataclass
class Counts:
    cases: int = 0
    suggested: int = 0
    chosen: int = 0  # suggested, and registered with a category
    chosen_top1: int = 0
    chosen_top3: int = 0
    resorted: int = 0  # final category differs from the registered one
    judged: int = 0  # suggested, with a final category
    final_top1: int = 0
    final_top3: int = 0
    suggested_top1: int = 0  # precision: the model's first choice was this category …
    suggested_top1_right: int = 0  # … and so was the final category

    def add(self, other: Counts) -> None:
        for name in (f.name for f in fields(self)):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def fraction(numerator: int, denominator: int) -> dict[str, Any]:
    value = numerator / denominator if denominator else None
    return {"numerator": numerator, "denominator": denominator, "value": value}


def _figures(counts: Counts) -> dict[str, Any]:
    return {
        "cases": counts.cases,
        "suggested": counts.suggested,
        "coverage": fraction(counts.suggested, counts.cases),
        "top1_agreement": fraction(counts.chosen_top1, counts.chosen),
        "top3_agreement": fraction(counts.chosen_top3, counts.chosen),
        "override_rate": fraction(counts.chosen - counts.chosen_top1, counts.chosen),
        "resort_rate": fraction(counts.resorted, counts.chosen),
        "accuracy": fraction(counts.final_top1, counts.judged),
        "top3_accuracy": fraction(counts.final_top3, counts.judged),
    }


@dataclass
class Tally:
    total: Counts = field(default_factory=Counts)
    by_version: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_category: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))


def _in_period(period: Period) -> ColumnElement[bool]:
    return Case.received_on.between(period.start, period.end)


def _tally(session: Session, period: Period) -> Tally:
    grouped = (
        select(C.model_version, FINAL, *COUNTED)
        .select_from(Case)
        .outerjoin(C, C.case_id == Case.id)
        .where(_in_period(period))
        .group_by(C.model_version, FINAL)
    )
    tally = Tally()
    for version, final, *numbers in session.execute(grouped):
        counts = Counts(*(int(number or 0) for number in numbers))
        tally.total.add(counts)
        if version is not None:
            tally.by_version[version].add(counts)
        tally.by_category[final or NO_CATEGORY].add(counts)
    _add_precision(session, period, tally)
    return tally


def _add_precision(session: Session, period: Period, tally: Tally) -> None:
    """How often each category was the model's first choice, and rightly so (cases with a
    final category only, as for accuracy)."""
    stmt = (
        select(C.top1_code, func.count(), _count(C.top1_code == FINAL))
        .join(Case, C.case_id == Case.id)
        .where(_in_period(period), JUDGED, C.top1_code.is_not(None))
        .group_by(C.top1_code)
    )
    for code, suggested, right in session.execute(stmt):
        counts = tally.by_category[code]
        counts.suggested_top1 += int(suggested)
        counts.suggested_top1_right += int(right or 0)


def _category_rows(tally: Tally, names: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for code, counts in sorted(tally.by_category.items()):
        figures = _figures(counts)
        rows.append(
            {
                "code": code,
                "name": names.get(code, code),
                "cases": counts.cases,
                "suggested": counts.suggested,
                "accuracy": figures["accuracy"],
                "top3_accuracy": figures["top3_accuracy"],
                "override_rate": figures["override_rate"],
                "precision": fraction(counts.suggested_top1_right, counts.suggested_top1),
            }
        )
    return rows


def _version_rows(versions: Iterable[tuple[str, Counts]]) -> list[dict[str, Any]]:
    return [{"model_version": version, **_figures(counts)} for version, counts in sorted(versions)]


def check_period(period: Period) -> None:
    # each end named on its own first; the span checked after
    asked_period(period.start, period.end)
    if period.days > MAX_DAYS:
        raise InvalidInput(f"统计期不能超过 {MAX_DAYS} 天", fields=("from", "to"))


def classifier_report(db: Database, period: Period) -> dict[str, Any]:
    """The production-accuracy report of the cases received in ``period``."""
    check_period(period)
    with db.snapshot() as session:
        tally = _tally(session, period)
        names = {code: name for code, name in session.execute(select(Category.code, Category.name))}
    return {
        "period": period.as_data(),
        "total": _figures(tally.total),
        "per_model_version": _version_rows(tally.by_version.items()),
        "per_category": _category_rows(tally, names),
        "definitions": {
            key: {"name": name, "formula": formula} for key, (name, formula) in FORMULAS.items()
        },
    }
