"""``Locator``: coordinates and/or address text → district, street and community.

Coordinates are tested against the boundaries first (they are where the citizen stood); the text
then narrows inside the district they fell in. Text alone resolves by names. Output is the
``hotline locate`` document: {"input", "resolved", "district", "street", "community", "method",
"candidates"}; anything not pinned down is null, and ambiguity gives candidates, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hotline.geo.boundaries import Area, BoundaryIndex, read_areas
from hotline.geo.crs import to_gcj02
from hotline.geo.divisions import (
    Division,
    DivisionsUnavailable,
    find_node_modules,
    load_city_divisions,
)
from hotline.geo.gazetteer import LEVEL_DEPTH, Gazetteer, Place, TextMatch
from hotline.geo.places import alias_keys, city_places
from hotline.profile import BoundarySource, CityProfile


@dataclass
class Location:
    input: dict[str, Any]
    resolved: bool = False
    method: str = "none"
    district: Place | None = None
    street: Place | None = None
    community: Place | None = None
    county: Place | None = None  # the statutory district where a zone administers the place
    candidates: list[Place] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "resolved": self.resolved,
            "district": _ref(self.district),
            "street": _ref(self.street),
            "community": _ref(self.community),
            "county": _ref(self.county),
            "method": self.method,
            "candidates": [_candidate(place) for place in self.candidates],
            "reasons": self.reasons,
        }


def _ref(place: Place | None) -> dict[str, str] | None:
    return {"code": place.code, "name": place.name} if place else None


def _candidate(place: Place) -> dict[str, Any]:
    return {"code": place.code, "name": place.name, "level": place.level, **place_path(place)}


def place_path(place: Place) -> dict[str, str | None]:
    return {"district_code": place.district, "street_code": place.street}


class Locator:
    def __init__(
        self,
        gazetteer: Gazetteer,
        boundaries: BoundaryIndex,
        warnings: Sequence[str] = (),
        overlays: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.gazetteer = gazetteer
        self.boundaries = boundaries
        self.warnings = list(warnings)
        self.places = gazetteer.places
        outlined = {area.code for area in boundaries.districts}
        # zone code → the districts it lies across, for zones no boundary file outlines
        self.overlays = {
            zone: frozenset(districts)
            for zone, districts in (overlays or {}).items()
            if zone not in outlined
        }

    def locate(
        self,
        text: str | None = None,
        lon: float | None = None,
        lat: float | None = None,
        crs: str = "wgs84",
    ) -> Location:
        """Resolve what is given; ``crs`` says which system ``lon``/``lat`` are in."""
        result = Location(input=_input(text, lon, lat, crs))
        anchor = None
        if lon is not None and lat is not None:
            anchor = self._point(result, *to_gcj02(lon, lat, crs))
        match = self.gazetteer.match(text, within=anchor) if text else TextMatch()
        if text and anchor is not None:
            match = self._zone_reading(text, anchor) or match
        self._settle(result, anchor, match)
        return result

    def _point(self, result: Location, lon: float, lat: float) -> Place | None:
        if not self.boundaries.districts:
            result.reasons.append("未载入区县边界，无法按坐标定位")
            return None
        street = self.boundaries.street_at(lon, lat)
        if street is not None and street.code in self.places:
            return self.places[street.code]
        district = self.boundaries.district_at(lon, lat)
        if district is None or district.code not in self.places:
            result.reasons.append("坐标不在本市任何区县边界内")
            near = self.boundaries.nearest_districts(lon, lat)
            result.candidates = [self.places[a.code] for a, _m in near if a.code in self.places]
            return None
        return self.places[district.code]

    def _settle(self, result: Location, anchor: Place | None, match: TextMatch) -> None:
        found = [self.places.get(place.code, place) for place in match.places]
        deepest = max(found, key=lambda p: LEVEL_DEPTH[p.level], default=anchor)
        if anchor is not None and deepest is not None and self._contradicts(deepest, anchor):
            deepest = anchor  # the coordinates win over a contradicting text
        if deepest is not None:
            self._fill(result, deepest)
        result.candidates = match.candidates or result.candidates
        result.resolved = deepest is not None and not match.candidates
        result.method = _method(anchor, match, deepest)
        if match.candidates:
            result.reasons.append(f"地址「{'、'.join(match.names)}」对应多个地点，请选择")

    def _zone_reading(self, text: str, anchor: Place) -> TextMatch | None:
        """The text read without the coordinates, where it names one place of a zone that lies
        across the district the point fell in: with no outline of the zone, the point cannot
        tell the zone's streets from the district's, and narrowing by it would drop them."""
        if not any(anchor.district in districts for districts in self.overlays.values()):
            return None
        free = self.gazetteer.match(text)
        named = free.places[0] if len(free.places) == 1 else None
        if named is None or anchor.district not in self.overlays.get(named.district, ()):
            return None
        return free

    def _contradicts(self, named: Place, anchor: Place) -> bool:
        """Whether the place the text names lies outside where the coordinates fell. A place of
        a zone with no outline lies across the districts the profile lists for it."""
        if named.within(anchor):
            return False
        return anchor.district not in self.overlays.get(named.district, frozenset())

    def _fill(self, result: Location, place: Place) -> None:
        result.district = self.places.get(place.district)
        if place.level in ("street", "community") and place.street:
            result.street = self.places.get(place.street)
        if place.level == "community":
            result.community = place
        if place.county and place.county != place.district:
            result.county = self.places.get(place.county)


def _input(text: str | None, lon: float | None, lat: float | None, crs: str) -> dict[str, Any]:
    given: dict[str, Any] = {"text": text} if text else {}
    if lon is not None and lat is not None:
        given.update(lon=lon, lat=lat, crs=crs)
    return given


def _method(anchor: Place | None, match: TextMatch, deepest: Place | None) -> str:
    from_text = bool(match.places or match.candidates)
    if anchor is not None and from_text and deepest is not anchor:
        return "coordinates+address"
    if anchor is not None:
        return "coordinates"
    if from_text:
        return "address" if match.exact else "address_partial"
    return "none"


def _boundary_path(source: BoundarySource, node_modules: Path | None) -> Path | None:
    path = Path(source.path)
    if not path.is_absolute():
        path = (node_modules / path) if node_modules else path
    return path if path.exists() else None


def load_boundaries(
    profile: CityProfile, sources: Sequence[BoundarySource], node_modules: Path | None
) -> BoundaryIndex:
    """Areas from every source that exists; for an area code the first source wins, so an
    imported file (listed first) replaces the package's outline of the areas it has."""
    names = {r.name: r.code for r in profile.regions}
    chosen: dict[str, Area] = {}
    used: list[str] = []
    for source in sources:
        path = _boundary_path(source, node_modules)
        if path is None:
            continue
        fresh = [
            area
            for area in read_areas(path, names.get, crs=source.crs, rename=source.rename)
            if area.code not in chosen
        ]
        chosen.update((area.code, area) for area in fresh)
        used += [str(path)] if fresh else []
    return BoundaryIndex(chosen.values(), used)


def read_divisions(profile: CityProfile, node_modules: Path | None) -> list[Division]:
    """The package's divisions for the city; [] when the profile uses none (raises if absent)."""
    if profile.org.divisions == "none":
        return []
    return load_city_divisions(node_modules, profile.city_code)


def build_locator(
    profile: CityProfile,
    *,
    node_modules: Path | None = None,
    boundary_files: Sequence[Path] = (),
) -> Locator:
    """A locator from the profile, the divisions package and boundary files (imported first)."""
    node_modules = node_modules or find_node_modules()
    warnings: list[str] = []
    try:
        divisions = read_divisions(profile, node_modules)
    except DivisionsUnavailable as exc:
        divisions, warnings = [], [str(exc)]
    places = city_places(profile, divisions)
    by_code = {place.code: place for place in places}
    prefixes = ("山东省", profile.name, profile.name.removesuffix("市"))
    gazetteer = Gazetteer(places, alias_keys(profile, divisions, by_code), prefixes)
    sources = [BoundarySource(path=str(path)) for path in boundary_files]
    boundaries = load_boundaries(profile, [*sources, *profile.geo.boundaries], node_modules)
    if not boundaries.districts:
        warnings.append("未找到区县边界数据：坐标定位不可用（make install 或导入 GeoJSON）")
    return Locator(gazetteer, boundaries, warnings, profile.geo.overlays)
