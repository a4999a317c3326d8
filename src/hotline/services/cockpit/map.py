"""The cockpit's map of the city: outlines from the locator's own boundaries, zones as markers.

The outlines are the polygons `locate` and routing test points against (``locator_for``: an
imported boundary file first, then the package's), so the map and the routing agree on which
district a place is in. Streets are drawn only where an imported file has them (the package has
none). A district or zone without an outline — the functional zones, which no package outlines —
is a labelled marker at the profile's point (geo.yaml ``markers``), or, with none configured,
listed as unplaced: it is still ranked beside the others. Built once per process and set of
boundary files (a lasting reference-cache entry, like the locator).
"""

from __future__ import annotations

from typing import Any

from hotline.geo.locator import Locator
from hotline.geo.outlines import outline_collection, representative_point
from hotline.services.context import Hotline
from hotline.services.reference.routing import imported_boundaries, locator_for

MAPPED_LEVELS = ("district", "zone")


def _regions(hotline: Hotline) -> list[tuple[str, str, str]]:
    return [
        (region.code, region.name, region.level)
        for region in hotline.profile.regions
        if region.level in MAPPED_LEVELS
    ]


def build_map(hotline: Hotline, locator: Locator) -> dict[str, Any]:
    boundaries = locator.boundaries
    outlines = outline_collection(boundaries)
    outlined = {area.code: area for area in boundaries.districts}
    markers, unplaced = [], []
    for code, name, level in _regions(hotline):
        if code in outlined:
            continue
        point = hotline.profile.geo.markers.get(code)
        if point is None:
            unplaced.append({"code": code, "name": name, "level": level})
        else:
            markers.append({"code": code, "name": name, "level": level, "lon": point[0],
                            "lat": point[1]})  # fmt: skip
    labels = [
        {"code": code, "name": area.name, "point": list(representative_point(area))}
        for code, area in sorted(outlined.items())
    ]
    return {
        "crs": "gcj02",
        "outlines": outlines,
        "labels": labels,
        "markers": markers,
        "unplaced": unplaced,
        "streets": bool(boundaries.streets),
        "sources": [_source_name(path) for path in boundaries.sources],
        "warnings": list(locator.warnings),
    }


def _source_name(path: str) -> str:
    """Where the outlines came from, without the machine's folders."""
    marker = "node_modules/"
    return path.split(marker, 1)[1] if marker in path else path.rsplit("/", 1)[-1]


def city_map(hotline: Hotline) -> dict[str, Any]:
    """The map document (outlines, labels, markers), built once per locator."""
    files = tuple(
        (str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in imported_boundaries(hotline)
    )
    key = ("cockpit-map", hotline.settings.city, files)
    locator = locator_for(hotline)  # outside: the lasting cache's lock is not re-entrant
    document: dict[str, Any] = hotline.reference.lasting(key, lambda: build_map(hotline, locator))
    return document
