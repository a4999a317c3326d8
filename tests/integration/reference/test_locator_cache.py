"""The place locator is a lasting entry of the reference cache, keyed by the boundary files it
is built from: an import is used at once, in every context of the process, with no one to
remember to clear a module-global dict."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from hotline.services.context import Hotline
from hotline.services.reference.cache import ReferenceCache
from hotline.services.reference.routing import BOUNDARY_DIR, locator_for

# A square far from Jinan, so that only the imported file can place a point in it.
SQUARE = [[[100.0, 30.0], [100.1, 30.0], [100.1, 30.1], [100.0, 30.1], [100.0, 30.0]]]


def _import_boundary(hotline: Hotline, code: str) -> Path:
    """What ``hotline org import-boundaries`` leaves under the var dir."""
    feature = {
        "type": "Feature",
        "properties": {"adcode": code, "name": "市中区"},
        "geometry": {"type": "Polygon", "coordinates": SQUARE},
    }
    target = hotline.settings.var_dir / BOUNDARY_DIR / "districts.geojson"
    target.parent.mkdir(parents=True, exist_ok=True)
    document = {"type": "FeatureCollection", "features": [feature]}
    target.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return target


def test_one_locator_per_set_of_files_shared_by_every_context(hotline: Hotline) -> None:
    first = locator_for(hotline)
    other = replace(hotline)  # another context of the process: its own reference cache
    assert other.reference is not hotline.reference
    assert locator_for(other) is first
    assert first.boundaries.district_at(100.05, 30.05) is None

    _import_boundary(hotline, "370103")
    imported = locator_for(hotline)
    assert imported is not first
    area = imported.boundaries.district_at(100.05, 30.05)
    assert area is not None and area.code == "370103"
    assert locator_for(other) is imported


def test_a_lasting_value_is_built_once_per_key_and_the_oldest_go_first() -> None:
    builds: list[str] = []

    def build(name: str) -> Callable[[], str]:
        def made() -> str:
            builds.append(name)
            return name

        return made

    first, second = ReferenceCache(60), ReferenceCache(60)
    assert first.lasting(("test", "a"), build("a")) == "a"
    assert second.lasting(("test", "a"), build("a again")) == "a"  # shared by every cache
    assert builds == ["a"]
    for index in range(ReferenceCache.LASTING_LIMIT):
        first.lasting(("test", index), build(str(index)))
    assert first.lasting(("test", "a"), build("a rebuilt")) == "a rebuilt"  # it was the oldest
