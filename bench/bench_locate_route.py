"""Location + routing per second on one core: each case is located (address text, or a WGS-84
coordinate, or both) and then routed by the shipped rules, as the intake enrichment does.

Run: ``.venv/bin/python bench/bench_locate_route.py [--cases N] [--naive-cases M]``.
Prints one JSON object. The naive baseline, in the same run and on a sample of the same cases,
does the obvious thing: every place name tested with ``in`` against the text, every district
polygon tested unprepared without a bounding box, every rule evaluated; it must agree with the
fast path on the district of every sampled case.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import shapely

from hotline.geo.boundaries import sample_wgs84
from hotline.geo.crs import to_gcj02
from hotline.geo.locator import Locator, build_locator
from hotline.profile import load_profile
from hotline.services.reference.routing import Place, RoutingContext, context_offline, route_place

TARGET_PER_SECOND = 5_000
DATAV = Path(__file__).resolve().parents[1].parent / "shared/data/jinan/districts.geojson"
ROADS = ("路", "街", "大街", "巷")


@dataclass(frozen=True)
class Sample:
    text: str | None
    lon: float | None
    lat: float | None
    category: str


def pin_to_one_core() -> int | None:
    """Measure one core's throughput: keep the scheduler from moving the process around."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return core


def _address(rng: random.Random, locator: Locator) -> str:
    """A realistic address: a full one (district + street + community core + number) or a
    partial one (a community or road name and a number)."""
    communities = [p for p in locator.places.values() if p.level == "community"]
    place = rng.choice(communities)
    street, district = locator.places[place.street or ""], locator.places[place.district]
    number = f"{rng.randint(1, 300)}号"
    if rng.random() < 0.5:
        return f"济南市{district.name}{street.name}{place.name.removesuffix('社区')}{number}"
    return f"{place.name.removesuffix('社区')}{rng.choice(ROADS)}{number}"


def make_samples(count: int, locator: Locator, ctx: RoutingContext, seed: int) -> list[Sample]:
    rng = random.Random(seed)
    minors = sorted(code for code, spec in ctx.categories.items() if spec.level == "minor")
    areas = locator.boundaries.districts
    samples = []
    for _ in range(count):
        kind = rng.random()
        text = _address(rng, locator) if kind < 0.7 or not areas else None
        lon = lat = None
        if areas and kind >= 0.4:
            lon, lat = sample_wgs84(rng.choice(areas))
            lon, lat = lon + rng.uniform(-0.002, 0.002), lat + rng.uniform(-0.002, 0.002)
        samples.append(Sample(text, lon, lat, rng.choice(minors)))
    return samples


def fast_case(locator: Locator, ctx: RoutingContext) -> Callable[[Sample], str | None]:
    def run(sample: Sample) -> str | None:
        location = locator.locate(sample.text, sample.lon, sample.lat)
        place = Place(
            location.district.code if location.district else None,
            location.street.code if location.street else None,
            location.community.code if location.community else None,
        )
        route_place(ctx, sample.category, place)
        return place.district

    return run


def naive_case(locator: Locator, ctx: RoutingContext) -> Callable[[Sample], str | None]:
    """Names by linear ``in`` (longest first), polygons unprepared with no bounding box."""
    names = sorted(
        ((key, place) for place in locator.places.values() for key in _keys(place.name)),
        key=lambda item: -len(item[0]),
    )
    polygons = [
        (a.code, shapely.from_wkb(shapely.to_wkb(a.geometry))) for a in locator.boundaries.districts
    ]

    def run(sample: Sample) -> str | None:
        district = None
        if sample.lon is not None and sample.lat is not None:
            point = shapely.Point(*to_gcj02(sample.lon, sample.lat, "wgs84"))
            district = next((code for code, poly in polygons if poly.contains(point)), None)
        if district is None and sample.text:
            hits = [place for key, place in names if key in sample.text]  # every name it holds
            district = hits[0].district if hits else None  # the longest, as names are sorted
        route_place(ctx, sample.category, Place(district))
        return district

    return run


def _polygon_district(locator: Locator, sample: Sample) -> str | None:
    assert sample.lon is not None and sample.lat is not None
    area = locator.boundaries.district_at(*to_gcj02(sample.lon, sample.lat, "wgs84"))
    return area.code if area else None


def _keys(name: str) -> list[str]:
    core = name.removesuffix("社区").removesuffix("街道")
    return [name, core] if len(core) >= 3 else [name]


def timed(run: Callable[[Sample], Any], samples: Sequence[Sample]) -> dict[str, float]:
    started = time.perf_counter()
    for sample in samples:
        run(sample)
    seconds = time.perf_counter() - started
    return {
        "cases": len(samples),
        "seconds": round(seconds, 3),
        "per_second": round(len(samples) / seconds),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=30_000)
    parser.add_argument("--naive-cases", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args(argv)
    core = pin_to_one_core()
    profile = load_profile("jinan")
    started = time.perf_counter()
    locator = build_locator(profile, boundary_files=[DATAV] if DATAV.exists() else [])
    ctx = context_offline(profile)
    build_seconds = round(time.perf_counter() - started, 3)
    samples = make_samples(args.cases, locator, ctx, args.seed)
    fast, naive = fast_case(locator, ctx), naive_case(locator, ctx)
    fast_result = timed(fast, samples)
    naive_samples = samples[: args.naive_cases]
    naive_result = timed(naive, naive_samples)
    points = [s for s in naive_samples if s.lon is not None and s.lat is not None]
    agree = sum(_polygon_district(locator, s) == naive(s) for s in points)
    report = {
        "benchmark": "locate (address and/or WGS-84 point) + route by the shipped rules, per case",
        "cases": f"{args.cases} synthetic, seed {args.seed}: 40% text, 30% text + point, 30% point",
        "date": datetime.now(UTC).date().isoformat(),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "pinned_to_cpu": core,
        },
        "data": {
            "places": len(locator.places),
            "district_polygons": len(locator.boundaries.districts),
            "boundary_sources": locator.boundaries.sources,
            "rules": len(ctx.rules),
            "units": len(ctx.units),
            "warnings": locator.warnings,
        },
        "build_seconds": build_seconds,
        "fast": fast_result,
        "naive": naive_result,
        "speedup_over_naive": round(fast_result["per_second"] / naive_result["per_second"], 1),
        "naive_agrees_on_point_districts": f"{agree}/{len(points)}",
        "target_per_second": TARGET_PER_SECOND,
        "meets_target": fast_result["per_second"] >= TARGET_PER_SECOND,
    }
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
