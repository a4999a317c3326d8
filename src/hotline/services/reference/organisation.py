"""The organisation as data: regions and units from the profile plus the divisions package,
stored by upsert, listed for the API, imported and exported (YAML/xlsx), and turned into the
routing :class:`~hotline.domain.routing.Directory`.

Street offices and community workstations are derived from the package for every street and
urban community the profile does not name itself; their codes follow the profile's patterns
(``JD-{code}``, ``SQ-{code}``), which is also how routing knows what each one covers. A
hand-named unit says what it covers with ``covers``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Region, Unit
from hotline.domain.errors import InvalidInput
from hotline.domain.routing import Directory
from hotline.geo.divisions import Division, DivisionsUnavailable, find_node_modules
from hotline.geo.divisions import is_residents_committee as is_urban
from hotline.geo.locator import read_divisions
from hotline.geo.places import zone_streets
from hotline.profile import CityProfile, RegionSpec, UnitSpec
from hotline.services.context import Hotline
from hotline.services.reference.demo_contacts import demo_contacts
from hotline.services.reference.tabular import read_tables, write_tables

BUREAU_KINDS = ("district_bureau", "zone_bureau")
SHEETS = {"regions": "区划", "units": "单位"}
REGION_COLUMNS = ["code", "name", "level", "parent"]
UNIT_COLUMNS = [
    "code",
    "name",
    "kind",
    "parent",
    "region",
    "covers",
    "head_title",
    "head_name",
    "head_phone",
    "deputy_name",
    "deputy_phone",
    "duty_phone",
    "phone",
    "active",
]
CONTACTS = ("head_name", "head_phone", "deputy_name", "deputy_phone", "duty_phone")


@dataclass
class OrgData:
    regions: list[RegionSpec] = field(default_factory=list)
    units: list[UnitSpec] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def package_divisions(profile: CityProfile) -> tuple[list[Division], list[str]]:
    """The divisions package's rows for the city, or none and a warning when not installed."""
    try:
        return read_divisions(profile, find_node_modules()), []
    except DivisionsUnavailable as exc:
        return [], [str(exc)]


def _unit_from_code(pattern: str, unit_code: str) -> str | None:
    prefix, _, suffix = pattern.partition("{code}")
    if unit_code.startswith(prefix) and unit_code.endswith(suffix):
        return unit_code[len(prefix) : len(unit_code) - len(suffix)] or None
    return None


def covers_of(unit: UnitSpec, profile: CityProfile) -> str | None:
    """The street or community a unit serves: its ``covers``, else what its code says."""
    if unit.covers:
        return unit.covers
    if unit.kind == "street_office":
        return _unit_from_code(profile.org.street_unit_code, unit.code)
    if unit.kind == "community_station":
        return _unit_from_code(profile.org.station_unit_code, unit.code)
    return None


def _demo(profile: CityProfile, code: str) -> dict[str, str]:
    """Fictional contacts for a derived unit when the (demo) profile asks for them."""
    prefix = profile.org.demo_contacts_phone
    return demo_contacts(code, prefix) if prefix else {}


def _office_name(street: Division, county: str, profile: CityProfile) -> tuple[str, str]:
    org = profile.org
    if street.name.endswith(("镇", "乡")):
        return f"{county}{street.name}{org.town_office_suffix}", org.town_head_title
    return f"{county}{street.name}{org.street_office_suffix}", org.street_head_title


def _street_offices(
    profile: CityProfile, streets: list[Division], taken: set[str], names: dict[str, str]
) -> list[UnitSpec]:
    zones = zone_streets(profile, streets)
    bureaus = {u.region: u.code for u in profile.units if u.kind in BUREAU_KINDS}
    offices = []
    for street in (s for s in streets if s.code not in taken):
        region = zones.get(street.code) or street.parent or ""
        if region not in bureaus:
            continue
        name, title = _office_name(street, names.get(street.parent or "", ""), profile)
        code = profile.org.street_unit_code.format(code=street.code)
        offices.append(
            UnitSpec(
                code=code,
                name=name,
                kind="street_office",
                parent=bureaus[region],
                region=region,
                head_title=title,
                **_demo(profile, code),
            )
        )
    return offices


def _stations(
    profile: CityProfile, communities: list[Division], offices: dict[str, UnitSpec], taken: set[str]
) -> list[UnitSpec]:
    org = profile.org
    wanted: dict[str, Callable[[str], bool]] = {
        "residents": is_urban,
        "all": lambda _name: True,
        "none": lambda _name: False,
    }
    stations = []
    for community in communities:
        office = offices.get(community.parent or "")
        listed = org.station_communities.get(office.region or "") if office else None
        if (
            office is None
            or community.code in taken
            or not wanted[org.stations_for](community.name)
            or (listed is not None and community.code not in listed)
        ):
            continue
        short = community.name.removesuffix("居民委员会").removesuffix("村民委员会")
        stations.append(
            UnitSpec(
                code=org.station_unit_code.format(code=community.code),
                name=f"{short}{org.station_suffix}",
                kind="community_station",
                parent=office.code,
                region=office.region,
                head_title=org.station_head_title,
                **_demo(profile, org.station_unit_code.format(code=community.code)),
            )
        )
    return stations


def expand_org(profile: CityProfile, divisions: Iterable[Division]) -> OrgData:
    """The profile's regions and units, plus what the divisions package adds to them."""
    divisions = list(divisions)
    known = {r.code for r in profile.regions}
    extra = [
        RegionSpec(code=d.code, name=d.name, level=d.level, parent=d.parent)
        for d in divisions
        if d.level != "district" and d.code not in known
    ]
    names = {r.code: r.name for r in profile.regions} | {d.code: d.name for d in divisions}
    taken = {c for c in (covers_of(u, profile) for u in profile.units) if c}
    streets = [d for d in divisions if d.level == "street"]
    offices = _street_offices(profile, streets, taken, names)
    covering = {c: u for u in [*profile.units, *offices] if (c := covers_of(u, profile))}
    communities = [d for d in divisions if d.level == "community"]
    stations = _stations(profile, communities, covering, taken)
    return OrgData([*profile.regions, *extra], [*profile.units, *offices, *stations])


def build_directory(units: Iterable[UnitSpec], profile: CityProfile) -> Directory:
    """Routing's view of the organisation: who covers each district, street and community."""
    active = [unit for unit in units if unit.active]
    levels: dict[str, dict[str, str]] = {
        kind: {} for kind in (*BUREAU_KINDS, "street_office", "community_station")
    }
    for unit in active:
        key = unit.region if unit.kind in BUREAU_KINDS else covers_of(unit, profile)
        if unit.kind in levels and key:
            levels[unit.kind].setdefault(key, unit.code)
    city = next((u.code for u in active if u.kind == "city_bureau"), "")
    return Directory(
        city_unit=city,
        district_units=levels["district_bureau"] | levels["zone_bureau"],
        street_units=levels["street_office"],
        community_units=levels["community_station"],
        units=frozenset(unit.code for unit in active),
    )


# ── Database ─────────────────────────────────────────────────────────────────────────────


def _depth(code: str, parents: dict[str, str | None]) -> int:
    depth, seen = 0, {code}
    while (code := parents.get(code) or "") and code not in seen:
        depth, seen = depth + 1, seen | {code}
    return depth


def upsert_regions(session: Session, specs: list[RegionSpec]) -> int:
    """Insert or update by code, parents first (the parent column is a foreign key)."""
    rows = {row.code: row for row in session.scalars(select(Region))}
    parents = {spec.code: spec.parent for spec in specs}
    for spec in sorted(specs, key=lambda s: _depth(s.code, parents)):
        row = rows.get(spec.code) or Region(code=spec.code)
        row.name, row.level, row.parent_code = spec.name, spec.level, spec.parent
        rows[spec.code] = row
        session.add(row)
    session.flush()
    return len(specs)


def _apply_unit(row: Unit, spec: UnitSpec, parent_id: int | None, *, admin: bool) -> None:
    row.name, row.kind, row.region_code, row.parent_id = (
        spec.name,
        spec.kind,
        spec.region,
        parent_id,
    )
    row.head_title, row.phone = spec.head_title, spec.phone
    for name in CONTACTS:  # seeding fills in people, never replaces one already recorded
        kept = None if admin else getattr(row, name)
        setattr(row, name, kept or getattr(spec, name))
    if admin or row.active is None:  # seeding leaves an administrator's deactivation alone
        row.active = spec.active


def upsert_units(session: Session, specs: list[UnitSpec], *, admin: bool = False) -> int:
    """Insert or update by code, one tree level at a time so parents have ids first."""
    rows = {row.code: row for row in session.scalars(select(Unit))}
    parents = {spec.code: spec.parent for spec in specs}
    by_depth: dict[int, list[UnitSpec]] = {}
    for spec in specs:
        by_depth.setdefault(_depth(spec.code, parents), []).append(spec)
    for depth in sorted(by_depth):
        for spec in by_depth[depth]:
            row = rows.get(spec.code) or Unit(code=spec.code)
            parent = rows.get(spec.parent) if spec.parent else None
            _apply_unit(row, spec, parent.id if parent else None, admin=admin)
            rows[spec.code] = row
            session.add(row)
        session.flush()
    return len(specs)


def unit_specs(session: Session, profile: CityProfile) -> list[UnitSpec]:
    """The stored units as specs (parent by code), with coverage from the profile."""
    rows = list(session.scalars(select(Unit).order_by(Unit.id)))
    codes = {row.id: row.code for row in rows}
    declared = {unit.code: unit.covers for unit in profile.units if unit.covers}
    return [
        UnitSpec(
            code=row.code,
            name=row.name,
            kind=row.kind,
            parent=codes.get(row.parent_id or 0),
            region=row.region_code,
            covers=declared.get(row.code),
            head_name=row.head_name,
            head_title=row.head_title,
            phone=row.phone,
            head_phone=row.head_phone,
            deputy_name=row.deputy_name,
            deputy_phone=row.deputy_phone,
            duty_phone=row.duty_phone,
            active=bool(row.active),
        )
        for row in rows
    ]


def region_specs(session: Session) -> list[RegionSpec]:
    rows = session.scalars(select(Region).order_by(Region.code))
    return [RegionSpec(code=r.code, name=r.name, level=r.level, parent=r.parent_code) for r in rows]


def directory_from_db(session: Session, profile: CityProfile) -> Directory:
    return build_directory(unit_specs(session, profile), profile)


# ── API, import and export ───────────────────────────────────────────────────────────────


def _unit_row(spec: UnitSpec, profile: CityProfile) -> dict[str, Any]:
    return spec.model_dump(include=set(UNIT_COLUMNS)) | {"covers": covers_of(spec, profile)}


def list_units(
    hotline: Hotline,
    *,
    kind: str | None = None,
    region: str | None = None,
    parent: str | None = None,
    query: str | None = None,
    include_inactive: bool = False,
) -> list[dict[str, Any]]:
    """Units for ``GET /api/v1/units``: filters by kind, region (district/zone), parent code and
    a name or code fragment; each with parent, region, what it covers and its head's title."""
    with hotline.db.transaction() as session:
        specs = unit_specs(session, hotline.profile)
    return [
        _unit_row(spec, hotline.profile)
        for spec in specs
        if (include_inactive or spec.active)
        and kind in (None, spec.kind)
        and region in (None, spec.region)
        and parent in (None, spec.parent)
        and (not query or query in spec.name or query in spec.code)
    ]


def export_org(hotline: Hotline, path: Path) -> dict[str, int]:
    with hotline.db.transaction() as session:
        regions = [spec.model_dump(include=set(REGION_COLUMNS)) for spec in region_specs(session)]
        units = [_unit_row(spec, hotline.profile) for spec in unit_specs(session, hotline.profile)]
    columns = {"regions": REGION_COLUMNS, "units": UNIT_COLUMNS}
    write_tables(path, {"regions": regions, "units": units}, SHEETS, columns)
    return {"regions": len(regions), "units": len(units)}


def _parse(
    rows: list[dict[str, Any]], model: type[RegionSpec] | type[UnitSpec], label: str
) -> list[Any]:
    parsed = []
    for number, row in enumerate(rows, start=2):
        clean = {k: (str(v) if k != "active" and v is not None else v) for k, v in row.items()}
        try:
            parsed.append(model.model_validate({k: v for k, v in clean.items() if v is not None}))
        except ValueError as exc:
            raise InvalidInput(f"{label}第 {number} 行有误：{exc}", fields=("file",)) from exc
    return parsed


def _check_org(session: Session, regions: list[RegionSpec], units: list[UnitSpec]) -> None:
    region_codes = {r.code for r in regions} | set(session.scalars(select(Region.code)))
    unit_codes = {u.code for u in units} | set(session.scalars(select(Unit.code)))
    for region in regions:
        if region.parent and region.parent not in region_codes:
            raise InvalidInput(
                f"区划 {region.code} 的上级 {region.parent} 不存在", fields=("file",)
            )
    for unit in units:
        if unit.parent and unit.parent not in unit_codes:
            raise InvalidInput(f"单位 {unit.code} 的上级 {unit.parent} 不存在", fields=("file",))
        if unit.region and unit.region not in region_codes:
            raise InvalidInput(f"单位 {unit.code} 的区划 {unit.region} 不存在", fields=("file",))


def _covers_not_stored(units: list[UnitSpec], profile: CityProfile) -> int:
    """Imported ``covers`` that neither the code pattern nor the profile says: coverage is
    configuration, not a column, so such a row's coverage is not kept (it is reported)."""
    declared = {(unit.code, unit.covers) for unit in profile.units if unit.covers}
    return sum(
        1
        for unit in units
        if unit.covers
        and (unit.code, unit.covers) not in declared
        and unit.covers != covers_of(unit.model_copy(update={"covers": None}), profile)
    )


def import_org(hotline: Hotline, path: Path) -> dict[str, int]:
    """Upsert regions and units from a YAML or xlsx file, all or nothing; an imported file is the
    administrator's word, so it sets ``active`` and head names too. Nothing is deleted."""
    tables = read_tables(path, SHEETS)
    regions = _parse(tables["regions"], RegionSpec, "区划")
    units = _parse(tables["units"], UnitSpec, "单位")
    with hotline.db.transaction() as session:
        _check_org(session, regions, units)
        counts = {
            "regions": upsert_regions(session, regions),
            "units": upsert_units(session, units, admin=True),
        }
    return counts | {"covers_not_stored": _covers_not_stored(units, hotline.profile)}
