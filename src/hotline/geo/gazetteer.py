"""Chinese address text → district, street and community, by the names of the divisions.

Every division is indexed under its full name and, where it is distinctive, a shorter form:
``泉城路街道`` also as ``泉城路``, ``芙蓉街社区居民委员会`` as ``芙蓉街社区`` and ``芙蓉街``.
A scan finds the longest names in the text (so ``大明湖路`` finds ``大明湖``, the 大明湖街道), then
the named places narrow each other: a district narrows streets, a street narrows communities.
A name that fits several places that do not nest (``解放路``: a street and, elsewhere, a
community) is ambiguous: the caller gets the candidates instead of a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

LEVEL_DEPTH = {"district": 0, "street": 1, "community": 2}
STREET_SUFFIXES = ("街道办事处", "办事处", "街道", "镇", "乡")
DISTRICT_SUFFIXES = ("区", "县")
# Short forms that are everyday words (天桥: footbridge; 市中: 市中心) are not indexed.
STOP_CORES = frozenset(
    {"天桥", "市中", "中心", "新区", "城区", "东区", "西区", "南区", "北区", "花园", "小区", "新村"}
)


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str  # district | street | community
    district: str  # the district or functional zone that administers it
    street: str | None = None  # own code for a street; the parent street for a community
    county: str | None = None  # the statutory district, where a zone administers the place

    def within(self, other: Place) -> bool:
        """True when ``other`` is this place or one that contains it."""
        if other.level == "district":
            return other.code in (self.district, self.county)
        if other.level == "street":
            return self.street == other.code
        return self.code == other.code


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    places: tuple[Place, ...]
    exact: bool  # the full name, not a shortened form


@dataclass
class TextMatch:
    """The outcome: the places the text pins down, or candidates when it does not."""

    places: list[Place] = field(default_factory=list)  # nested, outermost first
    candidates: list[Place] = field(default_factory=list)
    exact: bool = True
    names: list[str] = field(default_factory=list)


def _cores(place: Place) -> list[tuple[str, bool]]:
    """(key, exact) pairs under which a place is found."""
    # Two-character community names (南市, 北园) are everyday words inside other names.
    keys = [(place.name, True)] if place.level != "community" or len(place.name) > 2 else []
    suffixes = {"district": DISTRICT_SUFFIXES, "street": STREET_SUFFIXES}.get(place.level, ())
    if place.level == "community" and place.name.endswith("社区"):
        suffixes = ("社区",)
    for suffix in suffixes:
        core = place.name.removesuffix(suffix)
        shortest = 3 if place.level == "community" else 2
        if core != place.name and len(core) >= shortest and core not in STOP_CORES:
            keys.append((core, False))
            break
    return keys


class Gazetteer:
    def __init__(
        self,
        places: Iterable[Place],
        aliases: Iterable[tuple[str, Place]] = (),
        prefixes: Iterable[str] = (),
    ) -> None:
        self.places = {place.code: place for place in places}
        self.prefixes = tuple(prefixes)  # the province and city, which name no district
        self._keys: dict[str, dict[str, bool]] = {}  # key → {place code: exact}
        for place in self.places.values():
            for key, exact in _cores(place):
                self._add(key, place, exact)
        for key, place in aliases:
            self._add(key, place, True)
        self._lengths: dict[str, tuple[int, ...]] = {}
        for key in self._keys:
            lengths = {*self._lengths.get(key[:2], ()), len(key)}
            self._lengths[key[:2]] = tuple(sorted(lengths, reverse=True))

    def _add(self, key: str, place: Place, exact: bool) -> None:
        entries = self._keys.setdefault(key, {})
        entries[place.code] = entries.get(place.code, False) or exact

    def scan(self, text: str) -> list[Hit]:
        """The longest indexed names in ``text``, left to right, not overlapping."""
        found: list[Hit] = []
        position = 0
        while position < len(text) - 1:
            hit = self._longest_at(text, position)
            if hit is None:
                position += 1
                continue
            found.append(hit)
            position = hit.end
        return found

    def _longest_at(self, text: str, start: int) -> Hit | None:
        for length in self._lengths.get(text[start : start + 2], ()):
            entries = self._keys.get(text[start : start + length])
            if entries:
                places = tuple(self.places[code] for code in entries)
                return Hit(start, start + length, places, all(entries.values()))
        return None

    def match(self, text: str, *, within: Place | None = None) -> TextMatch:
        """Resolve ``text``; ``within`` (e.g. the district a coordinate fell in) narrows it."""
        hits = self.scan(_strip_city(text, self.prefixes))
        anchors = [within] if within else []
        # Broad places anchor first: a named district then rules out a same-named street
        # or community elsewhere, whatever order the text names them in.
        for hit in sorted(hits, key=_broadest_first):
            options = _narrow(hit.places, anchors)
            if len(options) == 1:
                anchors.append(options[0])
        pool = [p for hit in hits for p in _narrow(hit.places, anchors)]
        result = _resolve(_deepest(pool or anchors))
        # A full address names its district; a bare road or community name is a partial form.
        result.exact = all(hit.exact for hit in hits) or any(
            hit.exact and hit.places[0].level == "district" for hit in hits
        )
        result.names = [text[hit.start : hit.end] for hit in hits]
        return result


def _strip_city(text: str, prefixes: tuple[str, ...]) -> str:
    text = "".join(text.split())
    for prefix in prefixes:
        text = text.removeprefix(prefix)
    return text


def _broadest_first(hit: Hit) -> tuple[int, int, int]:
    depth = min(LEVEL_DEPTH[place.level] for place in hit.places)
    return depth, -(hit.end - hit.start), hit.start


def _narrow(places: tuple[Place, ...], anchors: list[Place]) -> list[Place]:
    """The places consistent with every anchor (each inside, or containing, the anchor)."""
    return [
        place
        for place in places
        if all(place.within(anchor) or anchor.within(place) for anchor in anchors)
    ]


def _deepest(places: list[Place]) -> list[Place]:
    """Drop places that merely contain another named place; keep the most specific ones."""
    unique = list({place.code: place for place in places}.values())
    return [
        place
        for place in unique
        if not any(other is not place and other.within(place) for other in unique)
    ]


def _resolve(places: list[Place]) -> TextMatch:
    if len(places) == 1:
        return TextMatch(places=[places[0]])
    if not places:
        return TextMatch()
    common = _common_district(places)
    return TextMatch(places=[common] if common else [], candidates=places)


def _common_district(places: list[Place]) -> Place | None:
    """Where the candidates all lie in one district, that much is still known."""
    districts = {place.district for place in places}
    if len(districts) != 1:
        return None
    code = districts.pop()
    return Place(code, "", "district", code)
