"""When cases arrive: cases per local day, their order within the day, which are open, and the
chunks the workers generate.

Closed cases spread over the whole range with weekday, holiday, season and trend factors; open
cases over the last weeks, more of them the more recent the day. Within a day, case ``seq`` (the
number's daily sequence) grows with the time of day, drawn from a 24-hour intake profile, so
numbers follow creation order exactly as ``create_case`` hands them out. Everything here is
decided in the main process and is cheap (per day, not per case), except the roles of open
cases, which are per case but only for open ones.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from calendar import monthrange
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import accumulate

from hotline.demo.engine.clock import FastClock, from_us, to_us
from hotline.domain.calendar import DayReason, WorkingCalendar

# Calls per local hour (relative): a 24-hour hotline, busiest mid-morning and mid-afternoon.
HOURLY = (
    0.4,
    0.25,
    0.15,
    0.12,
    0.12,
    0.2,
    0.5,
    1.2,
    2.6,
    3.6,
    3.8,
    3.3,
    2.2,
    2.4,
    3.2,
    3.4,
    3.2,
    2.6,
    1.9,
    1.8,
    1.9,
    1.6,
    1.1,
    0.7,
)
_CUM = [0.0, *accumulate(HOURLY)]
_CUM = [c / _CUM[-1] for c in _CUM]
WEEKDAY = (1.1, 1.0, 1.0, 1.0, 1.0, 0.75, 0.7)
MONTH = (0.95, 0.85, 0.95, 1.0, 1.05, 1.15, 1.25, 1.2, 1.05, 0.95, 1.05, 1.0)
OPEN_WINDOW_DAYS = 28
OPEN_DECAY_DAYS = 6.0

CLOSED, OPEN = 0, 1
ACCEPT_WARNING, ACCEPT_BREACH, REPLY_WARNING, REPLY_BREACH = 2, 3, 4, 5
ROLE_KEYS = {
    ACCEPT_WARNING: "accept_warning",
    ACCEPT_BREACH: "accept_breach",
    REPLY_WARNING: "reply_warning",
    REPLY_BREACH: "reply_breach",
}
# Working minutes a case must have been around (before the sweep stopped) to play a role.
ROLE_MIN_AGE = {ACCEPT_WARNING: 100, ACCEPT_BREACH: 130, REPLY_WARNING: 420, REPLY_BREACH: 560}
ROLE_MAX_AGE = {ACCEPT_WARNING: 480, ACCEPT_BREACH: 480}


def seconds_into_day(u: float) -> float:
    """The local time of day (seconds) at intake quantile ``u`` ∈ [0, 1)."""
    hour = bisect_right(_CUM, u) - 1
    hour = min(max(hour, 0), 23)
    span = _CUM[hour + 1] - _CUM[hour]
    return 3600.0 * (hour + (u - _CUM[hour]) / span)


def quantile_at(seconds: float) -> float:
    """The inverse of :func:`seconds_into_day`."""
    hour = min(int(seconds // 3600), 23)
    return _CUM[hour] + (_CUM[hour + 1] - _CUM[hour]) * (seconds / 3600 - hour)


@dataclass(frozen=True)
class Segment:
    """``count`` consecutive cases of one local day, from daily sequence ``first_seq``."""

    day: int  # proleptic ordinal of the local date
    first_seq: int
    count: int
    day_total: int
    u_max: float  # the last day stops at ``now``


@dataclass(frozen=True)
class ChunkSpec:
    index: int
    first_id: int
    segments: tuple[Segment, ...]
    roles: bytes  # one per case: CLOSED, OPEN or a designated sweep role
    draws: tuple[object, ...] = ()  # the demo content's CaseDraw per case (empty: drawn here)

    @property
    def size(self) -> int:
        return len(self.roles)


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to ``weights`` summing to ``total`` (largest remainder)."""
    scale = sum(weights)
    if total == 0 or scale <= 0:
        return [0] * len(weights)
    raw = [total * w / scale for w in weights]
    counts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass
class Plan:
    days: list[int]  # ordinals, oldest first
    totals: list[int]  # cases per day
    open_roles: dict[int, bytearray]  # day ordinal → role per seq (days with open cases)
    u_last: float
    designated: dict[str, int]

    @property
    def cases(self) -> int:
        return sum(self.totals)


class Timeline:
    def __init__(
        self,
        calendar: WorkingCalendar,
        clock: FastClock,
        tz: tzinfo,
        now: datetime,
        months: int,
        start: date | None = None,
    ) -> None:
        """Days from ``start`` (default: ``months`` back) to ``now``'s local day."""
        self.calendar, self.clock, self.tz, self.now = calendar, clock, tz, now
        self.last_day = now.astimezone(tz).date()
        self.first_day = start or _months_back(self.last_day, months)
        local_now = now.astimezone(tz)
        self.u_last = quantile_at(local_now.hour * 3600 + local_now.minute * 60) * 0.999999

    @property
    def span_days(self) -> float:
        """Days covered, the last one counted up to ``now``."""
        return (self.last_day - self.first_day).days + self.u_last

    def day_start_us(self, ordinal: int) -> int:
        return to_us(datetime.combine(date.fromordinal(ordinal), time(0), self.tz))

    def _closed_weights(self, days: list[int], rng: random.Random) -> list[float]:
        weights = []
        for ordinal in days:
            day = date.fromordinal(ordinal)
            weight = WEEKDAY[day.weekday()] * MONTH[day.month - 1]
            if self.calendar.days.verdict(day).reason is DayReason.OFFICIAL_HOLIDAY:
                weight *= 0.6
            weight *= 1 + 0.08 * (ordinal - days[0]) / 365
            weights.append(weight * (0.9 + 0.2 * rng.random()))
        weights[-1] *= self.u_last
        return weights

    def _open_weights(self, days: list[int]) -> list[float]:
        weights = []
        for ordinal in days:
            age = days[-1] - ordinal
            day = date.fromordinal(ordinal)
            weights.append(WEEKDAY[day.weekday()] * math.exp(-age / OPEN_DECAY_DAYS))
        weights[-1] *= self.u_last
        return weights

    def plan(
        self, cases: int, open_cases: int, roles: dict[int, int], sweep_stop: datetime, seed: int
    ) -> Plan:
        """``cases`` spread over the days by weekday, season, holiday and trend."""
        rng = random.Random(f"{seed}-timeline")
        days = self.days()
        closed = _apportion(cases - open_cases, self._closed_weights(days, rng))
        window = days[-OPEN_WINDOW_DAYS:]
        opened = _apportion(open_cases, self._open_weights(window))
        totals = list(closed)
        for offset, count in enumerate(opened):
            totals[len(days) - len(window) + offset] += count
        return self._with_open(days, totals, opened, roles, sweep_stop, rng)

    def plan_given(
        self, totals: list[int], open_cases: int, roles: dict[int, int], sweep_stop: datetime,
        seed: int,
    ) -> Plan:  # fmt: skip
        """The days' totals given (the demo's content draws them); ``open_cases`` of them,
        the more recent the more, stay open at ``now``."""
        rng = random.Random(f"{seed}-{self.first_day}-timeline")
        days = self.days()
        window = days[-OPEN_WINDOW_DAYS:]
        room = totals[len(days) - len(window) :]
        weights = [w * n for w, n in zip(self._open_weights(window), room, strict=True)]
        opened = [min(n, k) for n, k in zip(room, _apportion(open_cases, weights), strict=True)]
        return self._with_open(days, list(totals), opened, roles, sweep_stop, rng)

    def days(self) -> list[int]:
        return list(range(self.first_day.toordinal(), self.last_day.toordinal() + 1))

    def _with_open(
        self,
        days: list[int],
        totals: list[int],
        opened: list[int],
        roles: dict[int, int],
        sweep_stop: datetime,
        rng: random.Random,
    ) -> Plan:
        """Mark ``opened[i]`` cases of the window's i-th day open, at random positions."""
        window = days[-len(opened) :] if opened else []
        open_roles: dict[int, bytearray] = {}
        for offset, count in enumerate(opened):
            if count == 0:
                continue
            index = len(days) - len(window) + offset
            marks = bytearray(totals[index])
            for seq in rng.sample(range(totals[index]), count):
                marks[seq] = OPEN
            open_roles[days[index]] = marks
        plan = Plan(days, totals, open_roles, self.u_last, {})
        plan.designated = self._designate(plan, roles, sweep_stop, rng)
        return plan

    def approx_created(self, plan: Plan, ordinal: int, seq: int) -> datetime:
        total = plan.totals[ordinal - plan.days[0]]
        u = (seq + 0.5) / total * (plan.u_last if ordinal == plan.days[-1] else 1.0)
        return from_us(self.day_start_us(ordinal) + int(seconds_into_day(u) * 1e6))

    def _designate(
        self, plan: Plan, roles: dict[int, int], sweep_stop: datetime, rng: random.Random
    ) -> dict[str, int]:
        """Give the designated sweep roles to open cases old enough to play them."""
        wanted = {role: n for role, n in roles.items() if n > 0}
        if not wanted:
            return {}
        candidates: dict[int, list[tuple[int, int]]] = {role: [] for role in wanted}
        for ordinal, marks in plan.open_roles.items():
            for seq, mark in enumerate(marks):
                if mark != OPEN:
                    continue
                created = self.approx_created(plan, ordinal, seq)
                if created >= sweep_stop:
                    continue
                age = self.clock.working_minutes_between(created, sweep_stop)
                for role in wanted:
                    if ROLE_MIN_AGE[role] <= age <= ROLE_MAX_AGE.get(role, 10**9):
                        candidates[role].append((ordinal, seq))
        taken: set[tuple[int, int]] = set()
        achieved: dict[str, int] = {}
        for role in sorted(wanted, key=lambda r: len(candidates[r])):  # scarcest first
            pool = [c for c in candidates[role] if c not in taken]
            chosen = rng.sample(pool, min(wanted[role], len(pool)))
            for ordinal, seq in chosen:
                plan.open_roles[ordinal][seq] = role
                taken.add((ordinal, seq))
            achieved[ROLE_KEYS[role]] = len(chosen)
        return achieved

    def chunks(
        self,
        plan: Plan,
        size: int,
        first_id: int,
        draws: Mapping[int, Sequence[object]] | None = None,
    ) -> Iterator[ChunkSpec]:
        """Yield :class:`ChunkSpec` of ``size`` cases, oldest first, case ids from
        ``first_id``; with ``draws`` (per day ordinal, in creation order) each chunk carries
        its cases' draws."""
        index, case_id = 0, first_id
        segments: list[Segment] = []
        roles = bytearray()
        carried: list[object] = []
        for ordinal, total in zip(plan.days, plan.totals, strict=True):
            seq = 0
            u_max = plan.u_last if ordinal == plan.days[-1] else 1.0
            marks = plan.open_roles.get(ordinal)
            while seq < total:
                take = min(size - len(roles), total - seq)
                segments.append(Segment(ordinal, seq + 1, take, total, u_max))
                roles += marks[seq : seq + take] if marks else bytes(take)
                if draws is not None:
                    carried += draws[ordinal][seq : seq + take]
                seq += take
                if len(roles) == size:
                    yield ChunkSpec(index, case_id, tuple(segments), bytes(roles), tuple(carried))
                    index, case_id = index + 1, case_id + len(roles)
                    segments, roles, carried = [], bytearray(), []
        if roles:
            yield ChunkSpec(index, case_id, tuple(segments), bytes(roles), tuple(carried))


def _months_back(day: date, months: int) -> date:
    """The first day of the ``months`` months ending with ``day`` (2026-11-30, 24 → 2024-12-01)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last)) + timedelta(days=1)


def created_at(start_us: int, seq: int, total: int, u_max: float, jitter: float) -> datetime:
    """The creation instant of the ``seq``-th (1-based) case of a day of ``total`` cases."""
    u = (seq - 1 + jitter) / total * u_max
    return from_us(start_us + int(seconds_into_day(u) * 1_000_000)).astimezone(UTC)
