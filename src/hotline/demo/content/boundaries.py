"""The district outlines the project installs, as an ``Inside`` test for scattering points.

Functional zones have no outline of their own: their streets lie inside statutory districts
(南部山区 in 历城区; 起步区 in 天桥区 and 济阳区; 高新区 across 历下区, 历城区 and 章丘区), so a
zone's point must fall inside one of those.
"""

from __future__ import annotations

from hotline.demo.content.geography import Inside
from hotline.geo.boundaries import BoundaryIndex
from hotline.geo.crs import wgs84_to_gcj02

ZONE_COUNTIES = {
    "370172": ("370112",),
    "370173": ("370105", "370115"),
    "370176": ("370102", "370112", "370114"),
}


def inside_of(boundaries: BoundaryIndex) -> Inside | None:
    """None when no outline is installed (the content then trusts the street centres)."""
    if not boundaries.districts:
        return None

    def inside(district: str, lon: float, lat: float) -> bool:
        found = boundaries.district_at(*wgs84_to_gcj02(lon, lat))
        return found is not None and found.code in ZONE_COUNTIES.get(district, (district,))

    return inside
