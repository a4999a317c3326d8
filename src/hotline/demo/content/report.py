"""The demo's realism, measured on the draws alone (no database): ``python -m
hotline.demo.content.report`` prints each figure of issue 17's "realism you can check" that the
content decides — places, locating, text variety, classifier separability, rhythm, repeats,
outcomes — with its threshold. The ledger's and the evaluations' figures need a built demo.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean
from typing import Protocol

from hotline.demo.content.city import JinanContent
from hotline.demo.content.data import districts
from hotline.demo.content.draws import CaseDraw
from hotline.demo.content.rhythm import in_heating_season, in_spring_festival

BARBECUE_FUMES = ("E0103", "E0104")
HEATING = ("E0901",)


class Text(Protocol):
    """What the text figures read (a CaseDraw, or a baseline generator's text)."""

    @property
    def category(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def content(self) -> str: ...
    @property
    def problem_key(self) -> str: ...


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    rule: str  # the threshold, as text
    ok: bool

    def line(self) -> str:
        mark = "✓" if self.ok else "✗"
        return f"{mark} {self.name}: {self.value:.4g}  ({self.rule})"


@dataclass(frozen=True)
class Year:
    content: JinanContent
    first: date
    last: date
    draws: list[CaseDraw]


def generate(content: JinanContent, last: date, days: int = 365) -> Year:
    first = last - timedelta(days=days - 1)
    draws = [draw for i in range(days) for draw in content.draw_day(first + timedelta(days=i))]
    return Year(content, first, last, draws)


# --- places ---------------------------------------------------------------------------------


def gazetteer_figures() -> list[Figure]:
    roads = {road for d in districts() for s in d.streets for road in s.roads}
    places = {place for d in districts() for s in d.streets for place in s.places}
    return [
        Figure("gazetteer roads", len(roads), "≥ 200", len(roads) >= 200),
        Figure("gazetteer estates/landmarks", len(places), "≥ 300", len(places) >= 300),
        Figure("districts and zones covered", len(districts()), "= 15", len(districts()) == 15),
    ]


Locate = Callable[[str, float, float], str | None]  # (address, lon, lat) → district code


def locate_rates(draws: Sequence[CaseDraw], locate: Locate) -> tuple[float, dict[str, float]]:
    """The share of draws located to the district that generated them, overall and per district."""
    hits: dict[str, list[bool]] = defaultdict(list)
    for draw in draws:
        hits[draw.district].append(locate(draw.address, draw.lon, draw.lat) == draw.district)
    overall = fmean(hit for found in hits.values() for hit in found)
    return overall, {code: fmean(found) for code, found in sorted(hits.items())}


# --- texts ----------------------------------------------------------------------------------


def shingles(text: str, size: int = 5) -> frozenset[str]:
    return frozenset(text[i : i + size] for i in range(max(1, len(text) - size + 1)))


def near_duplicate_rate(draws: Sequence[Text], threshold: float = 0.8) -> float:
    """Share of pairs from different problems whose texts' 5-gram Jaccard is ≥ ``threshold``."""
    sets = [(draw.problem_key, shingles(draw.content)) for draw in draws]
    pairs = close = 0
    for i, (key_a, a) in enumerate(sets):
        for key_b, b in sets[i + 1 :]:
            if key_a == key_b:
                continue
            pairs += 1
            close += len(a & b) >= threshold * len(a | b)
    return close / pairs if pairs else 0.0


def classifier_macro_f1(draws: Sequence[Text], largest: int = 30, seed: int = 0) -> float:
    """Macro-F1 of the project's classifier trained on 80 % of the draws of the ``largest``
    categories and scored on the other 20 %."""
    from hotline.classify.evaluate import score_rankings
    from hotline.classify.model import TrainingConfig, fit_linear

    top = {code for code, _n in Counter(d.category for d in draws).most_common(largest)}
    chosen = [d for d in draws if d.category in top]
    random.Random(seed).shuffle(chosen)
    cut = len(chosen) * 4 // 5
    train, test = chosen[:cut], chosen[cut:]
    model = fit_linear([case_text(d) for d in train], [d.category for d in train], TrainingConfig())
    rankings = model.rank([case_text(d) for d in test])
    return score_rankings([d.category for d in test], rankings).macro_f1


def case_text(draw: Text) -> str:
    return f"{draw.subject}。{draw.content}"


# --- rhythm ---------------------------------------------------------------------------------


def _per_day(draws: Iterable[CaseDraw], days: Iterable[date], codes: Sequence[str] = ()) -> float:
    wanted = set(days)
    count = sum(
        1 for d in draws if d.created.date() in wanted and (not codes or d.category in codes)
    )
    return count / len(wanted) if wanted else 0.0


def _days(year: Year, keep: Callable[[date], bool]) -> list[date]:
    span = (year.last - year.first).days + 1
    return [day for i in range(span) if keep(day := year.first + timedelta(days=i))]


def rhythm_figures(year: Year) -> list[Figure]:
    draws = year.draws
    summer = _per_day(draws, _days(year, lambda d: d.month in (6, 7, 8)), BARBECUE_FUMES)
    january = _per_day(draws, _days(year, lambda d: d.month == 1), BARBECUE_FUMES)
    ratio = summer / january if january else float("inf")
    off_season = sum(
        1 for d in draws if d.category in HEATING and not in_heating_season(d.created.date())
    )
    festival = _per_day(draws, _days(year, in_spring_festival))
    average = _per_day(draws, _days(year, lambda d: True))
    shapes = {day: year.content.shape(day) for day in _days(year, lambda d: True)}
    workday = _per_day(
        draws, [d for d, s in shapes.items() if s.workday and s.reason != "spring_festival"]
    )
    holiday = _per_day(draws, [d for d, s in shapes.items() if s.reason == "official_holiday"])
    makeup = _per_day(draws, [d for d, s in shapes.items() if s.reason == "makeup_workday"])
    weekend = _per_day(draws, [d for d, s in shapes.items() if s.reason == "weekend"])
    return [
        Figure("cases per day (mean)", average, "≈ per-day setting", average > 0),
        Figure("barbecue/fumes Jun–Aug ÷ January (per day)", ratio, "≥ 2", ratio >= 2),
        Figure("heating complaints outside 15 Nov–15 Mar", off_season, "= 0", off_season == 0),
        Figure(
            "Spring Festival week ÷ average week",
            festival / average,
            "≤ 0.5",
            festival <= 0.5 * average,
        ),
        Figure(
            "official holiday ÷ workday (per day)",
            holiday / workday if workday else 0,
            "< 1",
            holiday < workday,
        ),
        Figure(
            "weekend ÷ workday (per day)",
            weekend / workday if workday else 0,
            "< 1",
            weekend < workday,
        ),
        Figure(
            "调休 make-up workday ÷ workday (per day)",
            makeup / workday if workday else 0,
            "> weekend share",
            makeup > weekend or not makeup,
        ),
    ]


# --- repeats and outcomes -------------------------------------------------------------------


def intended_problems(draws: Iterable[CaseDraw], at_least: int = 3) -> dict[str, int]:
    """Problem key → complaints, for the problems the content meant to recur ``at_least`` times."""
    counts = Counter(draw.problem_key for draw in draws)
    return {key: n for key, n in counts.items() if n >= at_least}


@dataclass(frozen=True)
class LedgerComparison:
    """Intended 3+ problems against what the ledger linked (for the report after a full demo)."""

    intended: int  # problems the content meant to reach 3+ complaints
    found: int  # of those, how many have 3+ of their complaints in one ledger problem
    ledger_three_plus: int  # ledger problems with 3+ cases, intended or not

    def line(self) -> str:
        share = self.found / self.intended if self.intended else 0.0
        return (
            f"intended 3+ problems {self.intended}; found by the ledger {self.found} "
            f"({share:.0%}); ledger problems with 3+ cases {self.ledger_three_plus}"
        )


def compare_with_ledger(
    draws: Sequence[CaseDraw], ledger_problem: Sequence[int | None]
) -> LedgerComparison:
    """``ledger_problem[i]`` is the ledger's problem id of the case made from ``draws[i]`` (None
    when it is linked to none)."""
    if len(draws) != len(ledger_problem):
        raise ValueError(f"{len(draws)} draws but {len(ledger_problem)} ledger entries")
    intended = intended_problems(draws)
    together: dict[str, Counter[int]] = defaultdict(Counter)
    for draw, problem in zip(draws, ledger_problem, strict=True):
        if draw.problem_key in intended and problem is not None:
            together[draw.problem_key][problem] += 1
    found = sum(1 for counts in together.values() if counts.most_common(1)[0][1] >= 3)
    sizes = Counter(problem for problem in ledger_problem if problem is not None)
    return LedgerComparison(len(intended), found, sum(1 for n in sizes.values() if n >= 3))


def repeat_figures(draws: Sequence[CaseDraw]) -> list[Figure]:
    three = intended_problems(draws)
    recurring = sum(1 for d in draws if d.recurrence)
    callers = defaultdict(set)
    for draw in draws:
        callers[draw.problem_key].add(draw.caller_phone)
    multi_caller = sum(1 for key in three if len(callers[key]) >= 2)
    return [
        Figure("problems with 3+ complaints (intended)", len(three), "> 0", bool(three)),
        Figure("of those, with 2+ different callers", multi_caller, "> 0", multi_caller > 0),
        Figure("complaints after write-off (recurrence)", recurring, "> 0", recurring > 0),
    ]


def outcome_figures(year: Year) -> list[Figure]:
    draws = year.draws
    flags = {
        "returned": sum(1 for d in draws if d.outcome.returned),
        "extension": sum(1 for d in draws if d.outcome.extension),
        "late": sum(1 for d in draws if d.outcome.late),
        "reopen": sum(1 for d in draws if d.outcome.reopen),
        "unsatisfied": sum(1 for d in draws if d.outcome.unsatisfied),
        "unreachable": sum(1 for d in draws if d.outcome.unreachable),
        "media": sum(1 for d in draws if d.outcome.media),
    }
    figures = [Figure(f"cases flagged {name}", n, "> 0", n > 0) for name, n in flags.items()]
    late = [year.content.quality(d.code).late_rate for d in districts()]
    figures.append(
        Figure(
            "district late-rate spread (max − min)",
            max(late) - min(late),
            "≥ 0.15",
            max(late) - min(late) >= 0.15,
        )
    )
    return figures


# --- the script -----------------------------------------------------------------------------


def locator_function() -> tuple[Locate | None, list[str]]:
    from hotline.config import Settings
    from hotline.geo.locator import build_locator

    locator = build_locator(Settings().profile)
    if not locator.boundaries.districts:
        return None, locator.warnings

    def locate(text: str, lon: float, lat: float) -> str | None:
        found = locator.locate(text, lon, lat)
        return found.district.code if found.resolved and found.district else None

    return locate, locator.warnings


def build_content(seed: int, per_day: float) -> JinanContent:
    from hotline.adapters.cncalendar import official_day_kinds
    from hotline.config import Settings
    from hotline.demo.content.city import load_content
    from hotline.domain.calendar import WorkingCalendar

    settings = Settings()
    calendar = WorkingCalendar(settings.tz, official_day_kinds([], []))
    return load_content(calendar, settings.profile, seed=seed, per_day=per_day)


def report(
    year: Year, *, locate_sample: int, pair_sample: int, locate: Locate | None
) -> list[Figure]:
    rng = random.Random(year.content.seed)
    figures = gazetteer_figures()
    if locate is not None:
        overall, per_district = locate_rates(
            rng.sample(year.draws, min(locate_sample, len(year.draws))), locate
        )
        figures.append(
            Figure("addresses located to their district", overall, "≥ 0.90", overall >= 0.9)
        )
        figures += [
            Figure(f"  located: {code}", rate, "per district", True)
            for code, rate in per_district.items()
        ]
    sample = rng.sample(year.draws, min(pair_sample, len(year.draws)))
    duplicates = near_duplicate_rate(sample)
    figures.append(
        Figure(
            "pairs from different problems with 5-gram Jaccard ≥ 0.8",
            duplicates,
            "≤ 0.01",
            duplicates <= 0.01,
        )
    )
    f1 = classifier_macro_f1(year.draws, seed=year.content.seed)
    figures.append(
        Figure(
            "classifier macro-F1, 30 largest categories, 80/20",
            f1,
            "≥ 0.80 and < 0.98",
            0.8 <= f1 < 0.98,
        )
    )
    return figures + rhythm_figures(year) + repeat_figures(year.draws) + outcome_figures(year)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hotline.demo.content.report", description=__doc__
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-day", type=float, default=40.0)
    parser.add_argument(
        "--end", type=date.fromisoformat, default=date.today(), help="last day (YYYY-MM-DD)"
    )
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--locate-sample", type=int, default=2000)
    parser.add_argument("--pair-sample", type=int, default=1500)
    args = parser.parse_args(argv)
    if args.days < 28 or args.per_day <= 0:
        parser.error("--days must be at least 28 and --per-day above 0")
    locate, warnings = locator_function()
    for warning in warnings:
        print(f"note: {warning}", file=sys.stderr)
    year = generate(
        build_content(args.seed, args.per_day),
        args.end,
        args.days,
    )
    print(f"demo content: seed {args.seed}, {len(year.draws)} cases, {year.first} – {year.last}")
    figures = report(
        year, locate_sample=args.locate_sample, pair_sample=args.pair_sample, locate=locate
    )
    for figure in figures:
        print(figure.line())
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
