"""``JinanContent``: the cases of a living Jinan, one local day at a time.

A day's cases are a pure function of (seed, day). Most are fresh complaints about a place drawn
from the gazetteer; about a fifth belong to recurring problems planned week by week — the same
place and the same kind, brought by different callers days or weeks apart, some coming back
after the problem was closed. A problem born in week *w* is planned from (seed, *w*) alone, so
any day can find the complaints scheduled for it by re-planning the weeks before it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path

from hotline.demo.content.data import CategoryText, categories, settings
from hotline.demo.content.draws import (
    CaseDraw,
    DayShape,
    DistrictQuality,
    Outcome,
    ReturnReason,
    Urgency,
)
from hotline.demo.content.geography import Inside, Scatter, Spot, near, pick_spot
from hotline.demo.content.rhythm import day_shape, poisson, season_weight, seconds_of_day
from hotline.demo.content.texts import (
    caller_name,
    caller_phone,
    content_text,
    spoken_address,
    subject_text,
    voice,
)
from hotline.domain.calendar import DayKindSource, WorkingCalendar
from hotline.profile import CityProfile

PROBLEM_SHARE = 0.2  # share of cases that belong to planned recurring problems
LOOKBACK_WEEKS = 30  # the longest plan (complaints + a recurrence) spans fewer weeks
COMPLAINTS = (2, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7)  # complaints per recurring problem
RECURRENCE_RATE = 0.25  # problems that come back after being closed
MEAN_COMPLAINTS = sum(COMPLAINTS) / len(COMPLAINTS) + RECURRENCE_RATE
RETURN_REASONS: tuple[ReturnReason, ...] = (
    "not_our_duty",
    "wrong_location",
    "insufficient_info",
    "other",
)
UNREACHABLE_RATE = 0.05
EMERGENCY_MAJORS = ("E06",)


@dataclass(frozen=True)
class Complaint:
    day: date
    recurrence: bool


@dataclass(frozen=True)
class Problem:
    key: str
    category: str
    spot: Spot
    core: int  # the index of the sentence every caller of this problem uses
    complaints: tuple[Complaint, ...]


class JinanContent:
    """Implements :class:`hotline.demo.content.draws.DemoContent`."""

    def __init__(
        self,
        days: DayKindSource,
        tz: tzinfo,
        *,
        seed: int = 0,
        per_day: float = 40.0,
        inside: Inside | None = None,
    ) -> None:
        if per_day <= 0:
            raise ValueError(f"per_day must be positive, got {per_day}")
        self.days, self.tz, self.seed, self.per_day, self.inside = days, tz, seed, per_day, inside
        self.scatter = Scatter(inside)
        self._plans = lru_cache(maxsize=64)(self._plan_week)
        self._by_day = lru_cache(maxsize=64)(self._complaints_by_day)

    # --- the interface ---------------------------------------------------------------------

    def shape(self, day: date) -> DayShape:
        return day_shape(day, self.days, self.per_day)

    def quality(self, district: str) -> DistrictQuality:
        try:
            return settings().quality[district]
        except KeyError:
            raise KeyError(f"no quality profile for region {district!r}") from None

    def draw_day(self, day: date) -> list[CaseDraw]:
        rng = random.Random(f"{self.seed}:day:{day.isoformat()}")
        total = poisson(rng, self.shape(day).expected)
        scheduled = list(self.scheduled(day))
        draws = [self._recurring(rng, day, problem, complaint) for problem, complaint in scheduled]
        weights = self._category_weights(day)
        fresh = range(max(0, total - len(draws)))
        draws += [self._fresh(rng, day, weights, f"{day.isoformat()}#{n}") for n in fresh]
        return sorted(draws, key=lambda draw: draw.created)

    # --- recurring problems ----------------------------------------------------------------

    def scheduled(self, day: date) -> Iterator[tuple[Problem, Complaint]]:
        week = day.toordinal() // 7
        for born in range(week - LOOKBACK_WEEKS, week + 1):
            yield from self._by_day(born).get(day, ())

    def _complaints_by_day(self, week: int) -> dict[date, list[tuple[Problem, Complaint]]]:
        found: dict[date, list[tuple[Problem, Complaint]]] = {}
        for problem in self._plans(week):
            for complaint in problem.complaints:
                found.setdefault(complaint.day, []).append((problem, complaint))
        return found

    def _plan_week(self, week: int) -> tuple[Problem, ...]:
        rng = random.Random(f"{self.seed}:week:{week}")
        start = date.fromordinal(week * 7)
        expected = self.per_day * 7 * PROBLEM_SHARE / MEAN_COMPLAINTS
        weights = self._category_weights(start, repeat=True)
        count = poisson(rng, expected)
        return tuple(self._problem(rng, start, weights, f"w{start}#{n}") for n in range(count))

    def _problem(
        self, rng: random.Random, start: date, weights: dict[str, float], tag: str
    ) -> Problem:
        code = rng.choices(list(weights), weights=list(weights.values()))[0]
        text = categories()[code]
        spot = pick_spot(rng, self.scatter, _buildings())
        day = start + timedelta(days=rng.randrange(7))
        complaints = []
        for _ in range(rng.choice(COMPLAINTS)):
            complaints.append(Complaint(day, recurrence=False))
            day += timedelta(days=rng.randint(4, 24))
        if rng.random() < RECURRENCE_RATE:
            complaints.append(Complaint(day + timedelta(days=rng.randint(30, 70)), recurrence=True))
        kept = tuple(c for c in complaints if season_weight(text, c.day) > 0)
        key = f"{spot.key}:{code}:{tag}"
        return Problem(key, code, spot, rng.randrange(len(text.what)), kept)

    # --- one case --------------------------------------------------------------------------

    def _category_weights(self, day: date, repeat: bool = False) -> dict[str, float]:
        weights = {}
        for code, text in categories().items():
            weight = season_weight(text, day) * (text.repeat if repeat else 1.0)
            if weight > 0:
                weights[code] = weight
        return weights

    def _fresh(
        self, rng: random.Random, day: date, weights: dict[str, float], tag: str
    ) -> CaseDraw:
        code = rng.choices(list(weights), weights=list(weights.values()))[0]
        text = categories()[code]
        spot = pick_spot(rng, self.scatter, _buildings())
        core = rng.randrange(len(text.what))
        # A one-off complaint: its own problem (its point is not where an earlier one stood).
        return self._case(rng, day, text, spot, core, f"{spot.key}:{code}:{tag}", recurrence=False)

    def _recurring(
        self, rng: random.Random, day: date, problem: Problem, complaint: Complaint
    ) -> CaseDraw:
        text = categories()[problem.category]
        return self._case(
            rng, day, text, problem.spot, problem.core, problem.key, complaint.recurrence
        )

    def _case(
        self,
        rng: random.Random,
        day: date,
        text: CategoryText,
        spot: Spot,
        core: int,
        key: str,
        recurrence: bool,
    ) -> CaseDraw:
        known = settings()
        channels = {
            code: weight
            for code, weight in known.channels.items()
            if not (text.indoor and code in known.no_caller_channels)
        }
        channel = rng.choices(list(channels), weights=list(channels.values()))[0]
        lon, lat = near(rng, spot)
        anonymous = channel in known.no_caller_channels
        midnight = datetime(day.year, day.month, day.day, tzinfo=self.tz)
        where = spoken_address(rng, spot)
        words, words_core = voice(rng, text, core)
        return CaseDraw(
            created=midnight + timedelta(seconds=seconds_of_day(rng, text.evening)),
            channel=channel,
            category=text.code,
            urgency=_urgency(rng, text),
            district=spot.district.code,
            district_name=spot.district.name,
            street=spot.street.name,
            address=where,
            lon=lon,
            lat=lat,
            has_coordinates=rng.random() < known.gps_channels.get(channel, 0.0),
            caller_name=None if anonymous else caller_name(rng, known.surnames, known.given),
            caller_phone=None if anonymous else caller_phone(rng),
            subject=subject_text(rng, words, spot),
            content=content_text(rng, channel, words, where, words_core),
            problem_key=key,
            recurrence=recurrence,
            outcome=_outcome(rng, self.quality(spot.district.code), channel, anonymous),
        )


@lru_cache(maxsize=1)
def _buildings() -> tuple[str, ...]:
    from hotline.demo.content.data import generic

    return generic().buildings


def _urgency(rng: random.Random, text: CategoryText) -> Urgency:
    if rng.random() >= text.urgent:
        return "normal"
    if text.code.startswith(EMERGENCY_MAJORS) and rng.random() < 0.15:
        return "emergency"
    return "urgent"


def _outcome(
    rng: random.Random, quality: DistrictQuality, channel: str, anonymous: bool
) -> Outcome:
    late = rng.random() < quality.late_rate
    share = (
        rng.uniform(1.05, 2.0)
        if late
        else min(0.98, rng.lognormvariate(math.log(quality.reply_share), 0.5))
    )
    unsolved = rng.random() < quality.unsolved_rate
    unsatisfied = rng.random() < (0.7 if unsolved else quality.unsatisfied_rate * 0.5)
    return Outcome(
        returned=rng.choice(RETURN_REASONS) if rng.random() < quality.return_rate else None,
        extension=rng.random() < quality.extension_rate,
        late=late,
        reply_share=round(share, 3),
        unsolved=unsolved,
        unsatisfied=unsatisfied and not anonymous,
        unreachable=not anonymous and rng.random() < UNREACHABLE_RATE,
        reopen=rng.random() < quality.reopen_rate * (2 if unsolved else 1),
        media=channel == "media",
    )


def load_content(
    calendar: WorkingCalendar,
    profile: CityProfile,
    *,
    seed: int = 0,
    per_day: float = 40.0,
    node_modules: Path | None = None,
) -> JinanContent:
    """The content for the engine: the calendar's days and time zone, points kept inside the
    district outlines the profile names (when `make install` has put them in node_modules)."""
    from hotline.demo.content.boundaries import inside_of
    from hotline.geo.divisions import find_node_modules
    from hotline.geo.locator import load_boundaries

    modules = node_modules or find_node_modules()
    inside = inside_of(load_boundaries(profile, profile.geo.boundaries, modules))
    return JinanContent(calendar.days, calendar.tz, seed=seed, per_day=per_day, inside=inside)
