"""Where a case is: a district, street, road and place from the gazetteer, a point inside the
district, and the address as a caller would say it."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from hotline.demo.content.data import District, Street, districts

# (district code, WGS-84 lon, lat) → True when the point lies inside that district; None when no
# boundary data is installed (points then scatter around the street centres unchecked).
Inside = Callable[[str, float, float], bool]
URBAN_SPREAD, RURAL_SPREAD = 0.006, 0.015  # degrees (≈ 0.6 km / 1.5 km)
POOL_SIZE = 48  # accepted points per street
JITTER_METRES = 100.0  # a case's point around a pooled one
CALLER_METRES = 80.0  # a recurring problem's callers around its point
MARGIN_DEGREES = 0.0025  # ≈ 250 m: more than the two moves together
ZONES = frozenset({"370172", "370173", "370176"})


@dataclass(frozen=True)
class Spot:
    """A place a problem happens at: fixed for a recurring problem."""

    district: District
    street: Street
    road: str
    road2: str
    place: str
    lon: float
    lat: float
    building: str

    @property
    def key(self) -> str:
        return f"{self.district.code}:{self.street.name}:{self.place}"


def pick_district(rng: random.Random) -> District:
    known = districts()
    return rng.choices(known, weights=[d.weight for d in known])[0]


class Scatter:
    """Points well inside each street's district, around the street's centre.

    Testing points against the outlines is the costliest part of a draw, so each street gets a
    pool of accepted points once, drawn from its own name (the same pool whatever the content's
    seed or the order streets are used in), and a case takes one and moves it a little.
    """

    def __init__(self, inside: Inside | None) -> None:
        self.inside = inside
        self._pools: dict[str, tuple[tuple[float, float], ...]] = {}

    def around(self, rng: random.Random, district: District, street: Street) -> tuple[float, float]:
        key = f"{district.code}:{street.name}"
        pool = self._pools.get(key) or self._fill(key, district, street)
        lon, lat = rng.choice(pool)
        return _moved(rng, lon, lat, JITTER_METRES)

    def _fill(
        self, key: str, district: District, street: Street
    ) -> tuple[tuple[float, float], ...]:
        rng = random.Random(key)
        spread = URBAN_SPREAD if len(street.roads) >= 3 else RURAL_SPREAD
        found: list[tuple[float, float]] = []
        for _attempt in range(POOL_SIZE * 8):
            lon = street.lon + rng.gauss(0, spread)
            lat = street.lat + rng.gauss(0, spread * 0.8)
            if self.inside is None or _well_inside(self.inside, district.code, lon, lat):
                found.append((lon, lat))
                if len(found) == POOL_SIZE:
                    break
        # Centres lie well inside their district (tests/unit/demo checks them).
        pool = tuple(found) or ((street.lon, street.lat),)
        self._pools[key] = pool
        return pool


def _moved(rng: random.Random, lon: float, lat: float, metres: float) -> tuple[float, float]:
    """A point up to ``metres`` away, evenly over the disc."""
    distance = metres * math.sqrt(rng.random()) / 111_000
    angle = rng.uniform(0, 2 * math.pi)
    lon += distance * math.cos(angle) / math.cos(math.radians(lat))
    return round(lon, 6), round(lat + distance * math.sin(angle), 6)


def _well_inside(inside: Inside, district: str, lon: float, lat: float) -> bool:
    """Inside with a margin wider than a case's and a caller's moves together."""
    margin = MARGIN_DEGREES
    around = ((0, 0), (margin, 0), (-margin, 0), (0, margin), (0, -margin))
    return all(inside(district, lon + dx, lat + dy) for dx, dy in around)


def pick_spot(rng: random.Random, scatter: Scatter, buildings: tuple[str, ...]) -> Spot:
    district = pick_district(rng)
    street = rng.choice(district.streets)
    roads = [road for s in district.streets for road in s.roads]
    lon, lat = scatter.around(rng, district, street)
    return Spot(
        district,
        street,
        rng.choice(street.roads),
        rng.choice(roads),
        rng.choice(street.places),
        lon,
        lat,
        rng.choice(buildings),
    )


def near(rng: random.Random, spot: Spot) -> tuple[float, float]:
    """Where one caller of a recurring problem stands: within a few dozen metres of it (well
    inside the ledger's radius, so their complaints can be linked)."""
    return _moved(rng, spot.lon, spot.lat, CALLER_METRES)


def address(rng: random.Random, spot: Spot, form: str, building2: str) -> str:
    """The address in ``form``; zones are always named with their street (callers do, and the
    locator needs it: the zone's streets lie inside a statutory district's outline)."""
    district_name = rng.choice((spot.district.short, spot.district.name, ""))
    street = spot.street.name if rng.random() < 0.5 or spot.district.code in ZONES else ""
    road2 = spot.road2 if spot.road2 != spot.road else rng.choice(spot.street.roads)
    text = form.format(
        district=district_name,
        street=street,
        road=spot.road,
        road2=road2,
        place=spot.place,
        building=spot.building,
        building2=building2,
        number=rng.randrange(1, 300),
        unit=rng.randrange(1, 7),
    )
    if spot.district.code in ZONES and spot.street.name not in text:
        text = f"{spot.district.short}{spot.street.name}{text}"
    return text
