"""WGS-84 ↔ GCJ-02: published vectors, the inverse, and points outside China."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.geo.crs import gcj02_to_wgs84, to_gcj02, wgs84_to_gcj02

# (wgs lon, wgs lat, gcj lon, gcj lat): the vectors other implementations test against.
VECTORS = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing
]


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), VECTORS)
def test_known_vectors(wlon: float, wlat: float, glon: float, glat: float) -> None:
    assert wgs84_to_gcj02(wlon, wlat) == pytest.approx((glon, glat), abs=1e-9)
    assert gcj02_to_wgs84(glon, glat) == pytest.approx((wlon, wlat), abs=1e-8)


@given(st.floats(116.0, 118.5), st.floats(35.9, 37.6))
def test_the_inverse_returns_to_the_start_within_a_centimetre(lon: float, lat: float) -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert back == pytest.approx((lon, lat), abs=1e-7)


def test_the_shift_in_jinan_is_a_few_hundred_metres() -> None:
    glon, glat = wgs84_to_gcj02(117.0, 36.65)
    assert 0.003 < glon - 117.0 < 0.008 and 0.0 < glat - 36.65 < 0.003


def test_outside_china_nothing_moves_and_unknown_systems_are_refused() -> None:
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert to_gcj02(117.0, 36.6, "gcj02") == (117.0, 36.6)
    with pytest.raises(ValueError):
        to_gcj02(117.0, 36.6, "bd09")
