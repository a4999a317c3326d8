"""The interface between the demo's content and its engine.

The engine asks :class:`DemoContent` for the cases of one local day and plays each
:class:`CaseDraw` through the pure handlers: create it at ``created`` on ``channel``, register it
under ``category``, route it, and let the handling follow ``outcome`` and the district's
:class:`DistrictQuality`. Draws are a pure function of (seed, day): the same seed gives the same
cases for a day whatever days were drawn before, so a catch-up run that draws only the days since
the demo's end continues the same city (recurring problems included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

Urgency = Literal["normal", "urgent", "emergency"]
ReturnReason = Literal["not_our_duty", "wrong_location", "duplicate", "insufficient_info", "other"]


@dataclass(frozen=True)
class DistrictQuality:
    """How well a district's units handle cases: the knobs that make evaluation scores differ.

    Rates are probabilities per case; ``reply_share`` is the mean share of the reply time limit a
    unit takes (above 1.0: late).
    """

    district: str  # region code (370102 …, zones 370172/370173/370176)
    name: str
    reply_share: float
    late_rate: float  # replies after the deadline
    return_rate: float  # 退单 by the first unit
    extension_rate: float  # 延期 asked for
    unsolved_rate: float  # replied but the problem is not solved
    unsatisfied_rate: float  # the caller says 不满意 on the callback
    reopen_rate: float  # closed, then reopened (citizen comes back / verification fails)


@dataclass(frozen=True)
class Outcome:
    """What the engine should play for this case (each flag independent; most are False)."""

    returned: ReturnReason | None = None  # first unit sends it back, with this reason
    extension: bool = False  # the unit asks for more time (延期)
    late: bool = False  # the reply misses its deadline
    reply_share: float = 0.5  # share of the reply limit used before replying (> 1.0 → late)
    unsolved: bool = False  # replied, but not solved
    unsatisfied: bool = False  # the caller is not satisfied on the callback
    unreachable: bool = False  # every callback attempt fails (无法联系)
    reopen: bool = False  # reopened after closing
    media: bool = False  # a media case (channel "media"; the engine may flag attention)


@dataclass(frozen=True)
class CaseDraw:
    """One case as a citizen (or patrol) brings it in."""

    created: datetime  # aware, in the city's time zone
    channel: str  # a channel code of the profile (12345, 12319, 16039, web, app, wechat, media …)
    category: str  # minor category code of src/hotline/profiles/jinan/taxonomy.yaml
    urgency: Urgency
    district: str  # region code the place belongs to (zones: the zone's code)
    district_name: str
    street: (
        str | None
    )  # the street (街道/镇) the place lies in, e.g. 泉城路街道 (the address may omit it)
    address: str  # as the caller would say it
    lon: float  # WGS-84, inside the district (its statutory county for zones)
    lat: float
    has_coordinates: bool  # False: a phone call without a map pick (lon/lat still the truth)
    caller_name: str | None  # synthetic; None for patrol channels
    caller_phone: str | None  # synthetic: random digits in a mobile number's shape
    subject: str
    content: str
    problem_key: str  # same place + same kind → same key: the intended repeat problem
    recurrence: bool  # this complaint comes back after the problem was closed (written off)
    outcome: Outcome


class DemoContent(Protocol):
    """What the engine draws from (implemented by hotline.demo.content.city.JinanContent)."""

    seed: int

    def draw_day(self, day: date) -> list[CaseDraw]:
        """The cases created on local ``day``, in creation order."""
        ...

    def quality(self, district: str) -> DistrictQuality:
        """The quality profile of a region code."""
        ...

    def shape(self, day: date) -> DayShape:
        """Why ``day`` has the volume it has."""
        ...


@dataclass(frozen=True)
class DayShape:
    """Why a day has the volume it has (the realism report prints these)."""

    day: date
    expected: float  # mean number of cases
    workday: bool
    reason: str  # the calendar's DayReason value, or "spring_festival"
