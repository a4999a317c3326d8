"""Community workstations (社区城管工作站): one per urban community by default; a profile may
say which communities of a district have one, and a case in another community is routed down to
its street office only (issue 18, item 10)."""

from __future__ import annotations

from hotline.domain.routing import COMMUNITY, STREET, RouteQuery
from hotline.geo.divisions import Division
from hotline.profile import CityProfile, load_profile
from hotline.services.reference.organisation import build_directory, expand_org

STREET_CODE = "370102004"
WITH_STATION, WITHOUT = "370102004009", "370102004010"
DIVISIONS = [
    Division(STREET_CODE, "泉城路街道", "street", "370102"),
    Division(WITH_STATION, "芙蓉街社区居民委员会", "community", STREET_CODE),
    Division(WITHOUT, "泉城路社区居民委员会", "community", STREET_CODE),
    Division("370103002001", "大观园社区居民委员会", "community", "370103002"),
]


def _profile(stations: dict[str, list[str]]) -> CityProfile:
    profile = load_profile("jinan")
    org = profile.org.model_copy(update={"station_communities": stations})
    return profile.model_copy(update={"org": org})


def _stations(profile: CityProfile) -> set[str]:
    units = expand_org(profile, DIVISIONS).units
    return {u.code for u in units if u.kind == "community_station" and u.code.startswith("SQ-")}


def test_every_urban_community_gets_a_station_by_default() -> None:
    assert _stations(_profile({})) == {f"SQ-{WITH_STATION}", f"SQ-{WITHOUT}", "SQ-370103002001"}


def test_a_district_listing_its_stations_gets_those_only_and_the_rest_go_to_the_street() -> None:
    profile = _profile({"370102": [WITH_STATION]})
    assert _stations(profile) == {f"SQ-{WITH_STATION}", "SQ-370103002001"}  # 市中 unaffected
    directory = build_directory(expand_org(profile, DIVISIONS).units, profile)
    covered = RouteQuery(
        district_code="370102", street_code=STREET_CODE, community_code=WITH_STATION
    )
    uncovered = RouteQuery(district_code="370102", street_code=STREET_CODE, community_code=WITHOUT)
    assert directory.resolve(COMMUNITY, covered) == f"SQ-{WITH_STATION}"
    assert directory.resolve(COMMUNITY, uncovered) is None  # the chain stops at the street
    assert directory.resolve(STREET, uncovered) == "LX-QCL"
