"""The seeded reference data the generator draws from, read once from the database.

A :class:`Reference` is plain picklable data (it travels to the worker processes): channels with
their callback/verification flags, the unit hierarchy, the leaf categories (小类) with their limits
and the topic their texts are written from, and the places (district → street → community).
Routing uses the application's own rules (``hotline.services.reference.routing``) where they
load, and a simple territory/owner fallback where they do not.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Category, Channel, Region, Unit
from hotline.demo.engine.text import topic_for
from hotline.profile import CityProfile

# How often each channel brings a case (relative); channels not listed get 0.5.
CHANNEL_WEIGHTS = {
    "12345": 55.0,
    "12319": 9.0,
    "16039": 8.0,
    "web": 4.0,
    "app": 5.0,
    "wechat": 8.0,
    "media": 0.8,
    "deputy": 0.4,
    "leader_patrol": 0.6,
    "patrol": 7.0,
    "meeting": 1.0,
}
# Inspectors and meetings work in the daytime: their weight off those hours.
DAYTIME_CHANNELS = frozenset({"16039", "patrol", "leader_patrol", "meeting"})
# Rough centres (GCJ-02) of Jinan's districts and zones, for synthetic coordinates.
CENTRES = {
    "370102": (117.08, 36.67), "370103": (116.99, 36.63), "370104": (116.90, 36.65),
    "370105": (116.99, 36.70), "370112": (117.12, 36.69), "370113": (116.75, 36.55),
    "370114": (117.53, 36.68), "370115": (117.17, 36.98), "370116": (117.66, 36.21),
    "370117": (117.81, 36.06), "370124": (116.45, 36.29), "370126": (117.16, 37.31),
    "370176": (117.15, 36.68), "370172": (117.08, 36.45), "370173": (117.05, 36.78),
}  # fmt: skip
CITY_CENTRE = (117.0, 36.65)


@dataclass(frozen=True)
class ChannelRef:
    code: str
    name: str
    needs_callback: bool
    requires_verification: bool


@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    region_code: str | None
    head_name: str | None
    head_title: str | None


@dataclass(frozen=True)
class CategoryRef:
    code: str
    name: str
    kind: str
    parent: str | None
    keywords: tuple[str, ...]
    limits: dict[str, Any]
    routing: str
    default_unit_kind: str | None
    topic: str


@dataclass(frozen=True)
class Place:
    district: str
    street: str | None
    community: str | None


@dataclass
class Reference:
    channels: list[ChannelRef]
    units: dict[str, UnitRef]
    categories: list[CategoryRef]
    places: list[Place]
    district_names: dict[str, str]
    return_reasons: dict[str, str]
    channel_cum: list[float] = field(default_factory=list)
    daytime_cum: list[float] = field(default_factory=list)
    category_cum: list[float] = field(default_factory=list)
    units_by_id: dict[int, UnitRef] = field(default_factory=dict)
    children: dict[int, list[UnitRef]] = field(default_factory=dict)
    by_kind: dict[tuple[str, ...], list[UnitRef]] = field(default_factory=dict)
    street_names: dict[tuple[str, str], str] = field(default_factory=dict)  # (district, name)
    channel_by_code: dict[str, ChannelRef] = field(default_factory=dict)
    category_by_code: dict[str, CategoryRef] = field(default_factory=dict)
    by_street: dict[str, list[Place]] = field(default_factory=dict)
    by_district: dict[str, list[Place]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.channel_by_code = {c.code: c for c in self.channels}
        self.category_by_code = {c.code: c for c in self.categories}
        for place in self.places:
            self.by_district.setdefault(place.district, []).append(place)
            if place.street is not None:
                self.by_street.setdefault(place.street, []).append(place)
        weights = [CHANNEL_WEIGHTS.get(c.code, 0.5) for c in self.channels]
        self.channel_cum = list(accumulate(weights))
        daytime = [
            w * (0.05 if c.code in DAYTIME_CHANNELS else 1)
            for c, w in zip(self.channels, weights, strict=True)
        ]
        self.daytime_cum = list(accumulate(daytime))
        self.category_cum = list(accumulate(_category_weights(self.categories)))
        self.units_by_id = {unit.id: unit for unit in self.units.values()}
        for unit in self.units.values():
            if unit.parent_id is not None:
                self.children.setdefault(unit.parent_id, []).append(unit)

    def channel(self, rng: random.Random, night: bool) -> ChannelRef:
        cum = self.daytime_cum if night else self.channel_cum
        return self.channels[bisect_right(cum, rng.random() * cum[-1])]

    def category(self, rng: random.Random) -> CategoryRef:
        cum = self.category_cum
        return self.categories[bisect_right(cum, rng.random() * cum[-1])]

    def place(self, rng: random.Random) -> Place:
        return self.places[int(rng.random() * len(self.places))]

    def place_in(self, rng: random.Random, district: str, street_name: str | None) -> Place:
        """A place of ``district``, in the street called ``street_name`` where it is known."""
        street = self.street_names.get((district, street_name)) if street_name else None
        found = self.by_street.get(street, []) if street else self.by_district.get(district, [])
        if not found:
            return Place(district, street, None)
        return found[int(rng.random() * len(found))]

    def coordinates(self, rng: random.Random, district: str) -> tuple[float, float]:
        lon, lat = CENTRES.get(district, CITY_CENTRE)
        return lon + (rng.random() - 0.5) * 0.08, lat + (rng.random() - 0.5) * 0.06

    def is_below(self, unit: UnitRef, ancestor: UnitRef) -> bool:
        """As ``hotline.services.reference.units.is_below``: strictly under ``ancestor``."""
        parent = unit.parent_id
        while parent is not None:
            if parent == ancestor.id:
                return True
            parent = self.units_by_id[parent].parent_id if parent in self.units_by_id else None
        return False

    def other_unit(self, rng: random.Random, not_id: int, kinds: tuple[str, ...]) -> UnitRef:
        """Another unit of the same kind (a dispatcher's wrong pick, a re-dispatch)."""
        pool = self.by_kind.get(kinds) or [u for u in self.units.values() if u.kind in kinds]
        self.by_kind[kinds] = pool
        for _ in range(8):
            unit = pool[int(rng.random() * len(pool))] if pool else None
            if unit is not None and unit.id != not_id:
                return unit
        return next(u for u in self.units.values() if u.id != not_id)


def _category_weights(categories: list[CategoryRef]) -> list[float]:
    """A topic's weight is shared by the categories written from it."""
    from hotline.demo.engine.vocabulary import GENERIC, TOPICS

    by_key = {topic.key: topic.weight for topic in (*TOPICS, GENERIC)}
    shares: dict[str, int] = {}
    for category in categories:
        shares[category.topic] = shares.get(category.topic, 0) + 1
    return [by_key[c.topic] / shares[c.topic] for c in categories]


def _places(regions: list[Region]) -> tuple[list[Place], dict[str, str]]:
    """Every community (so districts weigh by how many they have), else every street, else
    every district; zones without streets of their own get a few bare entries."""
    by_code = {r.code: r for r in regions}
    districts = {r.code: r.name for r in regions if r.level in ("district", "zone")}
    places: list[Place] = []
    for region in regions:
        if region.level == "community" and region.parent_code in by_code:
            street = by_code[region.parent_code]
            if street.parent_code in districts:
                places.append(Place(street.parent_code, street.code, region.code))
    with_streets = {p.street for p in places}
    for region in regions:
        if region.level == "street" and region.parent_code in districts:
            copies = 1 if region.code in with_streets else 3
            places.extend([Place(region.parent_code, region.code, None)] * copies)
    for code in districts:
        places.extend([Place(code, None, None)] * (3 if places else 1))
    return places, districts


def load_reference(session: Session, profile: CityProfile) -> Reference:
    channels = [
        ChannelRef(c.code, c.name, c.needs_callback, c.requires_verification)
        for c in session.scalars(select(Channel).where(Channel.active).order_by(Channel.code))
    ]
    units = {
        u.code: UnitRef(
            u.id, u.code, u.name, u.kind, u.parent_id, u.region_code, u.head_name, u.head_title
        )
        for u in session.scalars(select(Unit).where(Unit.active).order_by(Unit.id))
    }
    rows = list(session.scalars(select(Category).where(Category.active).order_by(Category.code)))
    parents = {row.parent_code for row in rows}
    categories = [
        CategoryRef(
            row.code,
            row.name,
            row.kind,
            row.parent_code,
            tuple(row.keywords or ()),
            dict(row.limits or {}),
            row.routing,
            row.default_unit_kind,
            topic_for(row.name, list(row.keywords or ())).key,
        )
        for row in rows
        if row.code not in parents and row.level not in ("type", "major")
    ]
    regions = list(session.scalars(select(Region).order_by(Region.code)))
    places, districts = _places(regions)
    streets = {
        (r.parent_code, r.name): r.code
        for r in regions
        if r.level == "street" and r.parent_code is not None
    }
    if not (channels and units and categories and places):
        raise RuntimeError("参考数据不全：请先运行 hotline seed（渠道、单位、类别、区划）")
    return Reference(
        channels,
        units,
        categories,
        places,
        districts,
        dict(profile.return_reasons),
        street_names=streets,
    )
