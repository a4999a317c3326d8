"""WGS-84 ↔ GCJ-02 (the "Mars" offset Chinese maps are published in), written from the public
formula. GCJ-02 adds a deterministic, position-dependent shift of a few hundred metres inside
mainland China and nothing outside it; the inverse has no closed form, so it is iterated.
"""

from __future__ import annotations

from math import cos, pi, sin, sqrt

CRS_NAMES = ("wgs84", "gcj02")
_A = 6378245.0  # the Krasovsky 1940 semi-major axis the formula uses
_EE = 0.00669342162296594323  # its first eccentricity squared


def out_of_china(lon: float, lat: float) -> bool:
    """The formula only shifts points inside this box; elsewhere both systems coincide."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(abs(x))
    ret += (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
    ret += (20.0 * sin(y * pi) + 40.0 * sin(y / 3.0 * pi)) * 2.0 / 3.0
    ret += (160.0 * sin(y / 12.0 * pi) + 320.0 * sin(y * pi / 30.0)) * 2.0 / 3.0
    return ret


def _shift_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(abs(x))
    ret += (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
    ret += (20.0 * sin(x * pi) + 40.0 * sin(x / 3.0 * pi)) * 2.0 / 3.0
    ret += (150.0 * sin(x / 12.0 * pi) + 300.0 * sin(x / 30.0 * pi)) * 2.0 / 3.0
    return ret


def _offset(lon: float, lat: float) -> tuple[float, float]:
    dlat = _shift_lat(lon - 105.0, lat - 35.0)
    dlon = _shift_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * pi
    magic = 1 - _EE * sin(radlat) ** 2
    sqrt_magic = sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * cos(radlat) * pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if out_of_china(lon, lat):
        return lon, lat
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float, *, tolerance: float = 1e-9) -> tuple[float, float]:
    """Invert by fixed-point iteration: the shift varies slowly, so a few rounds reach 1e-9°."""
    if out_of_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(10):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = lon - glon, lat - glat
        wlon, wlat = wlon + dlon, wlat + dlat
        if abs(dlon) < tolerance and abs(dlat) < tolerance:
            break
    return wlon, wlat


def to_gcj02(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """Boundaries are kept in GCJ-02 (as Chinese map data is published); convert input to it."""
    if crs == "gcj02":
        return lon, lat
    if crs == "wgs84":
        return wgs84_to_gcj02(lon, lat)
    raise ValueError(f"坐标系须为 {' 或 '.join(CRS_NAMES)}")
