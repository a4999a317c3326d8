"""Routing suggestions: ``suggest_route`` for a draft (``POST /api/v1/route``),
``suggest_dispatch`` for a stored case, and ``route_offline`` for the CLI without a database.

The rules are the profile's (routing.yaml); the directory of who covers what is built from the
stored units (or, offline, from the profile and the divisions package). A place given as text or
coordinates is located first. A street that a functional zone administers routes to the zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Assignment, Case, CaseEvent, CaseRequest, Category, Unit
from hotline.domain.errors import InvalidInput, NotFound
from hotline.domain.routing import Directory, Route, RouteQuery, Rule, route
from hotline.geo.locator import Location, Locator, build_locator
from hotline.profile import CategorySpec, CityProfile, UnitSpec
from hotline.services.context import Hotline
from hotline.services.reference.organisation import (
    build_directory,
    expand_org,
    package_divisions,
    unit_specs,
)
from hotline.services.reference.taxonomy import spec_of

BOUNDARY_DIR = "geo"  # under the var dir: GeoJSON files the administrator imported


def imported_boundaries(hotline: Hotline) -> list[Path]:
    folder = hotline.settings.var_dir / BOUNDARY_DIR
    return sorted(folder.glob("*.geojson")) if folder.is_dir() else []


def _signature(files: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """What the locator is built from besides the city: each file's path, size and time."""
    stats = [(path, path.stat()) for path in files]
    return tuple((str(path), stat.st_size, stat.st_mtime_ns) for path, stat in stats)


def locator_for(hotline: Hotline) -> Locator:
    """The city's locator, built once per city and set of imported boundary files (0.3–1.5 s):
    a lasting entry of the reference cache, so an import (new or changed files) is used by the
    next locate in every process, the server's included, without a restart."""
    files = imported_boundaries(hotline)
    key = ("locator", hotline.settings.city, _signature(files))
    located: Locator = hotline.reference.lasting(
        key, lambda: build_locator(hotline.profile, boundary_files=files)
    )
    return located


@dataclass
class RoutingContext:
    """Everything a suggestion reads, loaded once: rules, directory, categories, units."""

    profile: CityProfile
    rules: list[Rule]
    directory: Directory
    categories: dict[str, CategorySpec]
    units: dict[str, UnitSpec]
    district_names: dict[str, str] = field(default_factory=dict)

    def district_code(self, name_or_code: str) -> str:
        """A district or zone by code, name or alias (历下区, 370102, 高新区)."""
        code = self.district_names.get(name_or_code.strip())
        if code is None:
            raise InvalidInput(f"未知的区县或功能区「{name_or_code}」", fields=("district",))
        return code


def _district_names(profile: CityProfile) -> dict[str, str]:
    names: dict[str, str] = {}
    for region in profile.regions:
        if region.level in ("district", "zone"):
            for key in (region.code, region.name, *region.aliases):
                names[key] = region.code
    return names


def make_context(
    profile: CityProfile, units: list[UnitSpec], categories: list[CategorySpec]
) -> RoutingContext:
    return RoutingContext(
        profile=profile,
        rules=profile.routing.to_domain(),
        directory=build_directory(units, profile),
        categories={spec.code: spec for spec in categories},
        units={unit.code: unit for unit in units},
        district_names=_district_names(profile),
    )


def context_from_db(session: Session, profile: CityProfile) -> RoutingContext:
    categories = [spec_of(row) for row in session.scalars(select(Category))]
    return make_context(profile, unit_specs(session, profile), categories)


def cached_context(session: Session, hotline: Hotline) -> RoutingContext:
    """The routing context from this process's reference cache (see services/reference_cache)."""
    context = hotline.reference.get("routing", lambda: context_from_db(session, hotline.profile))
    assert isinstance(context, RoutingContext)
    return context


def context_offline(profile: CityProfile) -> RoutingContext:
    """The shipped organisation (profile + divisions package), for use without a database."""
    divisions, _warnings = package_divisions(profile)
    return make_context(profile, expand_org(profile, divisions).units, profile.categories)


@dataclass(frozen=True)
class Place:
    district: str | None = None
    street: str | None = None
    community: str | None = None


def place_of(location: Location) -> Place:
    return Place(
        location.district.code if location.district else None,
        location.street.code if location.street else None,
        location.community.code if location.community else None,
    )


def build_query(
    ctx: RoutingContext, category_code: str | None, place: Place, **facts: str | None
) -> RouteQuery:
    category = ctx.categories.get(category_code or "")
    if category_code and category is None:
        raise InvalidInput(f"未知的类别代码「{category_code}」", fields=("category_code",))
    return RouteQuery(
        category_code=category_code,
        major_code=category.parent if category else None,
        kind=category.kind if category else None,
        principle=category.routing if category else None,
        default_unit_kind=category.default_unit_kind if category else None,
        district_code=_zone_of(ctx, place),
        street_code=place.street,
        community_code=place.community,
        channel=facts.get("channel"),
        urgency=facts.get("urgency"),
    )


def _zone_of(ctx: RoutingContext, place: Place) -> str | None:
    """A street's office belongs to the zone administering it: route the case there too."""
    office = ctx.units.get(ctx.directory.street_units.get(place.street or "", ""))
    if office is not None and office.region:
        return office.region
    return place.district


def _unit_ref(ctx: RoutingContext, code: str) -> dict[str, Any]:
    unit = ctx.units.get(code)
    return {"code": code, "name": unit.name if unit else None, "kind": unit.kind if unit else None}


def describe(ctx: RoutingContext, query: RouteQuery, found: Route | None) -> dict[str, Any]:
    """The suggestion as the API and the CLI show it."""
    base: dict[str, Any] = {"category_code": query.category_code, "place": _place_refs(query)}
    if found is None:
        return base | {
            "routed": False,
            "lead": None,
            "co_units": [],
            "sub_dispatch": [],
            "rule": None,
            "principle": query.principle,
            "reasons": ["没有匹配的派遣规则"],
        }
    rule = ctx.rules[found.rule_index]
    return base | {
        "routed": True,
        "lead": _unit_ref(ctx, found.lead),
        "co_units": [_unit_ref(ctx, code) for code in found.co_units],
        "sub_dispatch": [_unit_ref(ctx, code) for code in found.sub_dispatch],
        "rule": {"id": rule.id, "index": found.rule_index, "note": rule.note},
        "principle": found.principle,
        "reasons": list(found.reasons),
    }


def _place_refs(query: RouteQuery) -> dict[str, str | None]:
    return {
        "district_code": query.district_code,
        "street_code": query.street_code,
        "community_code": query.community_code,
    }


def route_place(
    ctx: RoutingContext, category_code: str | None, place: Place, **facts: str | None
) -> dict[str, Any]:
    query = build_query(ctx, category_code, place, **facts)
    return describe(ctx, query, route(query, ctx.rules, ctx.directory))


def _draft_place(
    ctx: RoutingContext, locator: Locator | None, district: str | None, spot: dict[str, Any]
) -> tuple[Place, Location | None]:
    given = Place(
        ctx.district_code(district) if district else None,
        spot.get("street_code"),
        spot.get("community_code"),
    )
    needs_location = given.district is None and given.street is None
    if locator is None or not needs_location or not (spot.get("address") or spot.get("lon")):
        return given, None
    location = locator.locate(
        spot.get("address"), spot.get("lon"), spot.get("lat"), spot.get("crs") or "wgs84"
    )
    return place_of(location), location


def suggest_route(
    hotline: Hotline,
    *,
    category_code: str | None,
    district: str | None = None,
    street_code: str | None = None,
    community_code: str | None = None,
    address: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    crs: str | None = None,
    channel: str | None = None,
    urgency: str | None = None,
    locator: Locator | None = None,
) -> dict[str, Any]:
    """``POST /api/v1/route``: where a draft should go. ``district`` is a code, name or alias;
    without district or street, ``address``/``lon``/``lat`` are located. Returns lead, co-units,
    sub-dispatch chain, the rule that fired (id, index, note), the principle, the reasons and
    the location used."""
    with hotline.db.transaction() as session:
        ctx = cached_context(session, hotline)
    spot = {
        "street_code": street_code,
        "community_code": community_code,
        "address": address,
        "lon": lon,
        "lat": lat,
        "crs": crs,
    }
    place, location = _draft_place(ctx, locator or locator_for(hotline), district, spot)
    result = route_place(ctx, category_code, place, channel=channel, urgency=urgency)
    return result | {"location": location.to_dict() if location else None}


def suggest_dispatch(hotline: Hotline, number: str) -> dict[str, Any]:
    """The suggestion for a stored case, from its category and located place."""
    with hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).first()
        if case is None:
            raise NotFound(f"未找到工单 {number}")
        ctx = cached_context(session, hotline)
        place = Place(case.district_code, case.street_code, case.community_code)
        facts = {"channel": case.channel_code, "urgency": case.urgency}
        return route_place(ctx, case.category_code, place, **facts)


def route_offline(
    ctx: RoutingContext,
    category_code: str,
    district: str | None,
    street_code: str | None = None,
    community_code: str | None = None,
) -> dict[str, Any]:
    """``hotline route``: the shipped rules and organisation, no database."""
    place = Place(ctx.district_code(district) if district else None, street_code, community_code)
    return route_place(ctx, category_code, place)


# ── Returns (退单) per unit and rule: wrong rules show up as returns ─────────────────────────

DISPATCH_ACTIONS = ("dispatch", "sub_dispatch")


def _suggested_rules(events: list[CaseEvent]) -> dict[str, str]:
    """unit code → rule id, from the routes the enrichment suggested for one case."""
    rules: dict[str, str] = {}
    for event in (e for e in events if e.action == "enrich"):
        for item in (event.details or {}).get("suggestions", []):
            value = item.get("value") if item.get("field") == "route" else None
            if isinstance(value, dict):
                for unit in [value.get("lead"), *value.get("sub_dispatch", [])]:
                    rules.setdefault(str(unit), str(value.get("rule")))
    return rules


def _rule_of(event: CaseEvent, suggested: dict[str, str]) -> str:
    """The dispatch's ``rule`` detail where the dispatcher accepted a suggestion, else the
    suggested rule for the same unit, else ``manual`` (the dispatcher chose)."""
    details = event.details or {}
    unit = str(details.get("unit"))
    return str(details.get("rule") or suggested.get(unit) or "manual")


def _in_period(at: datetime, tz: tzinfo, from_on: date | None, to_on: date | None) -> bool:
    day = at.astimezone(tz).date()
    return (from_on is None or day >= from_on) and (to_on is None or day <= to_on)


def returns_by_rule(
    hotline: Hotline, *, from_on: date | None = None, to_on: date | None = None
) -> list[dict[str, Any]]:
    """Per (unit, rule): dispatches to the unit and its returns, each counted in the local-date
    period of its own event (docs/indicators.md). The return is charged to the rule of the
    dispatch that gave the unit the case: the latest dispatch to that unit before the return."""
    tz = hotline.settings.tz
    counts: dict[tuple[str, str], list[int]] = {}
    with hotline.db.transaction() as session:
        events = session.scalars(select(CaseEvent).order_by(CaseEvent.case_id, CaseEvent.seq))
        by_case: dict[int, list[CaseEvent]] = {}
        for event in events:
            by_case.setdefault(event.case_id, []).append(event)
        _count_dispatches(by_case, counts, tz, from_on, to_on)
        _count_returns(session, by_case, counts, tz, (from_on, to_on))
        names = {code: name for code, name in session.execute(select(Unit.code, Unit.name))}
    return [
        {"unit": unit, "unit_name": names.get(unit), "rule": rule, "dispatches": d, "returns": r}
        for (unit, rule), (d, r) in sorted(counts.items(), key=lambda kv: (-kv[1][1], kv[0]))
    ]


def _count_dispatches(
    by_case: dict[int, list[CaseEvent]],
    counts: dict[tuple[str, str], list[int]],
    tz: tzinfo,
    from_on: date | None,
    to_on: date | None,
) -> None:
    for events in by_case.values():
        suggested = _suggested_rules(events)
        for event in events:
            if event.action in DISPATCH_ACTIONS and _in_period(event.at, tz, from_on, to_on):
                key = (str((event.details or {}).get("unit")), _rule_of(event, suggested))
                counts.setdefault(key, [0, 0])[0] += 1


def _count_returns(
    session: Session,
    by_case: dict[int, list[CaseEvent]],
    counts: dict[tuple[str, str], list[int]],
    tz: tzinfo,
    period: tuple[date | None, date | None],
) -> None:
    stmt = (
        select(CaseRequest, Unit.code)
        .join(Assignment, Assignment.id == CaseRequest.assignment_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(CaseRequest.kind == "return")
    )
    for request, unit in session.execute(stmt):
        if not _in_period(request.requested_at, tz, *period):
            continue
        events = by_case.get(request.case_id, [])
        given = [
            e
            for e in events
            if e.action in DISPATCH_ACTIONS
            and (e.details or {}).get("unit") == unit
            and e.at <= request.requested_at
        ]
        rule = _rule_of(given[-1], _suggested_rules(events)) if given else "manual"
        counts.setdefault((unit, rule), [0, 0])[1] += 1
