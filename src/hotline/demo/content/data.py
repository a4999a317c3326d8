"""The demo's data files (package data under ``data/``), read once and checked on the way in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

from hotline.demo.content.draws import DistrictQuality


class ContentDataError(ValueError):
    """A data file of the demo content is malformed (names the file and the entry)."""


@dataclass(frozen=True)
class Street:
    name: str
    lon: float
    lat: float
    roads: tuple[str, ...]
    places: tuple[str, ...]


@dataclass(frozen=True)
class District:
    code: str
    name: str
    short: str  # how callers say it: 高新区 rather than 济南高新技术产业开发区
    weight: float
    streets: tuple[Street, ...]


@dataclass(frozen=True)
class CategoryText:
    code: str
    weight: float
    season: dict[int, float]  # month → multiplier (missing: 1.0)
    heating: bool  # only in the heating season
    indoor: bool  # callers report it, patrols do not see it
    evening: float
    repeat: float
    urgent: float
    short: tuple[str, ...]
    what: tuple[str, ...]
    effects: tuple[str, ...]
    wants: tuple[str, ...]
    mix: tuple[str, ...]


@dataclass(frozen=True)
class Generic:
    openings: tuple[str, ...]
    written_openings: tuple[str, ...]
    callers: tuple[str, ...]
    where_forms: tuple[str, ...]
    estate_forms: tuple[str, ...]
    estate_suffixes: tuple[str, ...]
    since: tuple[str, ...]
    effects: tuple[str, ...]
    wants: tuple[str, ...]
    closings: tuple[str, ...]
    buildings: tuple[str, ...]
    slips: tuple[tuple[str, str], ...]
    fillers: tuple[str, ...]


@dataclass(frozen=True)
class Settings:
    quality: dict[str, DistrictQuality]
    channels: dict[str, float]
    no_caller_channels: frozenset[str]
    gps_channels: dict[str, float]
    spring_festival: dict[int, date]
    surnames: str
    given: str


def _read(name: str) -> dict[str, Any]:
    text = resources.files("hotline.demo.content").joinpath("data", name).read_text("utf-8")
    loaded = yaml.safe_load(text)
    if not isinstance(loaded, dict):
        raise ContentDataError(f"{name}: expected a mapping at the top")
    return loaded


def _street(district: str, name: str, raw: dict[str, Any]) -> Street:
    try:
        lon, lat = (float(v) for v in raw["at"])
        return Street(name, lon, lat, tuple(raw["roads"]), tuple(raw["places"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ContentDataError(f"gazetteer.yaml: {district} {name}: {exc!r}") from exc


@cache
def districts() -> tuple[District, ...]:
    found = []
    for raw in _read("gazetteer.yaml")["districts"]:
        name = raw["name"]
        streets = tuple(_street(name, s, v) for s, v in raw["streets"].items())
        if not streets:
            raise ContentDataError(f"gazetteer.yaml: {name} has no streets")
        short = raw.get("short", name)
        found.append(District(str(raw["code"]), name, short, float(raw["weight"]), streets))
    return tuple(found)


def _category(code: str, raw: dict[str, Any]) -> CategoryText:
    season = raw.get("season", {})
    heating = bool(season.pop("heating", False)) if isinstance(season, dict) else False
    try:
        return CategoryText(
            code=code,
            weight=float(raw["weight"]),
            season={int(m): float(v) for m, v in season.items()},
            heating=heating,
            indoor=bool(raw.get("indoor", False)),
            evening=float(raw.get("evening", 0.0)),
            repeat=float(raw.get("repeat", 0.15)),
            urgent=float(raw.get("urgent", 0.0)),
            short=tuple(raw["short"]),
            what=tuple(raw["what"]),
            effects=tuple(raw.get("effects", ())),
            wants=tuple(raw.get("wants", ())),
            mix=tuple(raw.get("mix", ())),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ContentDataError(f"texts.yaml: category {code}: {exc!r}") from exc


@cache
def categories() -> dict[str, CategoryText]:
    raw = _read("texts.yaml")["categories"]
    found = {str(code): _category(str(code), dict(entry)) for code, entry in raw.items()}
    for text in found.values():
        if unknown := [code for code in text.mix if code not in found]:
            raise ContentDataError(f"texts.yaml: {text.code} mixes unknown {unknown}")
    return found


@cache
def generic() -> Generic:
    raw = _read("texts.yaml")["generic"]
    simple = {key: tuple(str(v) for v in value) for key, value in raw.items() if key != "slips"}
    slips = tuple((str(a), str(b)) for a, b in raw["slips"])
    return Generic(slips=slips, **simple)


def _quality(code: str, name: str, raw: dict[str, Any]) -> DistrictQuality:
    return DistrictQuality(district=code, name=name, **{k: float(v) for k, v in raw.items()})


@cache
def settings() -> Settings:
    raw = _read("quality.yaml")
    names = {d.code: d.name for d in districts()}
    if missing := set(names) - set(map(str, raw["quality"])):
        raise ContentDataError(f"quality.yaml: no quality for {sorted(missing)}")
    return Settings(
        quality={str(c): _quality(str(c), names[str(c)], q) for c, q in raw["quality"].items()},
        channels={str(k): float(v) for k, v in raw["channels"].items()},
        no_caller_channels=frozenset(str(c) for c in raw["no_caller_channels"]),
        gps_channels={str(k): float(v) for k, v in raw["gps_channels"].items()},
        spring_festival={int(y): d for y, d in raw["spring_festival"].items()},
        surnames=str(raw["surnames"]),
        given=str(raw["given"]),
    )
