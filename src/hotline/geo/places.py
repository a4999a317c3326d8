"""The city's places (districts, zones, streets, communities) from its profile and the divisions
package, with the functional zones laid over the statutory districts.

A functional zone (南部山区, 起步区) administers streets that statistically belong to a district;
the profile lists them ("历城区仲宫街道" or a 9-digit code), and such a street's place says the
zone is its district and keeps the statutory one as its county.
"""

from __future__ import annotations

from collections.abc import Iterable

from hotline.geo.divisions import Division, community_short_name
from hotline.geo.gazetteer import Place
from hotline.profile import CityProfile, RegionSpec


def _street_code(entry: str, streets: list[Division], counties: dict[str, str]) -> str | None:
    """A zone's street entry (code, or county name + street name) → the street's code."""
    if entry.isdigit():
        return entry
    for street in streets:
        county = counties.get(street.parent or "", "")
        if entry in (f"{county}{street.name}", street.name):
            return street.code
    return None


def zone_streets(profile: CityProfile, divisions: Iterable[Division]) -> dict[str, str]:
    """street code → the code of the functional zone that administers it."""
    divisions = list(divisions)
    streets = [d for d in divisions if d.level == "street"]
    streets += [_division_of(r) for r in profile.regions if r.level == "street"]
    counties = {r.code: r.name for r in profile.regions} | {
        d.code: d.name for d in divisions if d.level == "district"
    }
    found: dict[str, str] = {}
    for zone in (r for r in profile.regions if r.streets):
        for entry in zone.streets:
            code = _street_code(entry, streets, counties)
            if code:
                found[code] = zone.code
    return found


def _division_of(region: RegionSpec) -> Division:
    return Division(region.code, region.name, region.level, region.parent)


def _street_place(street: Division, zones: dict[str, str]) -> Place:
    zone = zones.get(street.code)
    county = street.parent or ""
    return Place(street.code, street.name, "street", zone or county, street.code, county)


def _community_place(community: Division, street: Place) -> Place:
    name = community_short_name(community.name)
    return Place(community.code, name, "community", street.district, street.code, street.county)


def city_places(profile: CityProfile, divisions: Iterable[Division]) -> list[Place]:
    """Every place, parents first: profile districts and zones, then streets and communities
    (from the package, plus any the profile names that the package lacks)."""
    merged = {d.code: d for d in (_division_of(r) for r in profile.regions)}
    merged.update({d.code: d for d in divisions if d.level != "district"})
    zones = zone_streets(profile, merged.values())
    places = [
        Place(r.code, r.name, "district", r.code)
        for r in profile.regions
        if r.level in ("district", "zone")
    ]
    streets = {}
    for street in (d for d in merged.values() if d.level == "street"):
        streets[street.code] = _street_place(street, zones)
    places += streets.values()
    for community in (d for d in merged.values() if d.level == "community"):
        parent = streets.get(community.parent or "")
        if parent is not None:
            places.append(_community_place(community, parent))
    return places


def alias_keys(
    profile: CityProfile, divisions: Iterable[Division], places: dict[str, Place]
) -> list[tuple[str, Place]]:
    """Other names for places: region aliases, communities' official names, landmarks."""
    keys = [
        (alias, places[region.code])
        for region in profile.regions
        for alias in region.aliases
        if region.code in places
    ]
    keys += [(d.name, places[d.code]) for d in divisions if d.code in places and d.name]
    keys += [(name, places[code]) for name, code in profile.geo.landmarks.items() if code in places]
    return keys
