"""Outlines for a map: the areas `locate` tests points against, as light GeoJSON features.

The map draws exactly the polygons the locator uses (the same ``BoundaryIndex``: an imported file
first, then the package's), so a point the map shows inside a district is routed to it. They are
simplified for drawing only — a tolerance of about 100 m, the package's own precision — and
coordinates rounded to 5 decimals (about 1 m), which cuts a district outline to a few hundred
points; routing keeps the full polygons.
"""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from hotline.geo.boundaries import Area, BoundaryIndex

DRAW_TOLERANCE_DEGREES = 0.001  # ≈ 100 m at Jinan's latitude
DECIMALS = 5


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Only the areas: repairing a self-touching outline (``make_valid``) leaves a collection of
    polygons and stray lines, and a map draws Polygon and MultiPolygon only."""
    polygons: list[Polygon] = []
    for part in shapely.get_parts(geometry):
        if isinstance(part, Polygon) and not part.is_empty:
            polygons.append(part)
        elif isinstance(part, MultiPolygon):
            polygons.extend(part.geoms)
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def _rounded(geometry: BaseGeometry) -> dict[str, Any]:
    drawn = _polygonal(shapely.set_precision(geometry, 10**-DECIMALS))
    shape: dict[str, Any] = mapping(drawn)
    return shape


def _drawn(area: Area, tolerance: float) -> BaseGeometry:
    simple = area.geometry.simplify(tolerance, preserve_topology=True)
    return simple if not simple.is_empty else area.geometry


def outline_feature(area: Area, tolerance: float = DRAW_TOLERANCE_DEGREES) -> dict[str, Any]:
    """One area as a GeoJSON feature: ``properties`` code, name, level; GCJ-02 lon/lat."""
    return {
        "type": "Feature",
        "properties": {"code": area.code, "name": area.name, "level": area.level},
        "geometry": _rounded(_drawn(area, tolerance)),
    }


def representative_point(area: Area) -> tuple[float, float]:
    """A point inside the area (GCJ-02) where a label can stand."""
    point = area.geometry.representative_point()
    return round(point.x, DECIMALS), round(point.y, DECIMALS)


def outline_collection(
    index: BoundaryIndex, *, levels: tuple[str, ...] = ("district", "street")
) -> dict[str, Any]:
    """The index's areas of the given levels as a FeatureCollection, districts first."""
    order = {level: n for n, level in enumerate(levels)}
    areas = sorted(
        (area for area in index.areas if area.level in order),
        key=lambda area: (order[area.level], area.code),
    )
    return {"type": "FeatureCollection", "features": [outline_feature(area) for area in areas]}
