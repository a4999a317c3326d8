"""Routing on a real database: suggestions for drafts and stored cases, the enrichment steps,
every 小类 in every district against the stored units, and returns counted per unit and rule."""

from __future__ import annotations

from sqlalchemy import select

from hotline.adapters.db.models import Case, CaseEvent
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.entrypoints.worker import run_worker
from hotline.services.cases.enrichment import IntakeDraft, suggest
from hotline.services.context import Hotline
from hotline.services.reference.routing import Place as RoutePlace
from hotline.services.reference.routing import (
    context_from_db,
    returns_by_rule,
    route_place,
    suggest_dispatch,
    suggest_route,
)
from tests.integration.helpers import act, new_case
from tests.unit.test_geo_locate import needs_divisions


def test_every_minor_routes_to_a_stored_active_unit_in_every_district(hotline: Hotline) -> None:
    with hotline.db.transaction() as session:
        ctx = context_from_db(session, hotline.profile)
    districts = [r.code for r in hotline.profile.regions if r.level in ("district", "zone")]
    minors = [code for code, spec in ctx.categories.items() if spec.level == "minor"]
    assert len(minors) >= 100
    for code in minors:
        for district in districts:
            result = route_place(ctx, code, RoutePlace(district))
            units = [result["lead"], *result["co_units"], *result["sub_dispatch"]]
            assert all(unit["code"] in ctx.directory.units for unit in units), (code, district)


def test_suggest_route_for_a_draft_by_district_name(hotline: Hotline) -> None:
    result = suggest_route(hotline, category_code="F0302", district="历城区")
    assert result["lead"]["code"] == "JN-YLJ" and result["rule"]["id"] == "owner-greening"
    assert [u["code"] for u in result["co_units"]] == ["LC-CGJ"] and result["location"] is None


@needs_divisions
def test_suggest_route_locates_the_address_first(hotline: Hotline) -> None:
    result = suggest_route(hotline, category_code="E0401", address="历下区泉城路街道芙蓉街12号")
    assert result["location"]["community"]["name"] == "芙蓉街社区"
    chain = [result["lead"]["code"], *(u["code"] for u in result["sub_dispatch"])]
    assert chain == ["LX-CGJ", "LX-QCL", "SQ-370102004009"]


@needs_divisions
def test_enrichment_locates_classifies_and_suggests_a_route(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = new_case(
        hotline,
        actors["operator"],
        content="有人在路边摆摊占道经营",
        address="历下区泉城路街道芙蓉街12号",
    )
    run_worker(hotline, once=True, worker_id="w1")
    with hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        assert (case.district_code, case.street_code, case.community_code) == (
            "370102", "370102004", "370102004009"
        )  # fmt: skip
        assert case.category_code == "E0401" and case.lead_unit_id is None  # advice, not dispatch
        event = session.scalars(select(CaseEvent).where(CaseEvent.action == "enrich")).one()
        route = next(s for s in event.details["suggestions"] if s["field"] == "route")
    assert route["value"] == {
        "lead": "LX-CGJ", "co_units": [], "sub_dispatch": ["LX-QCL", "SQ-370102004009"],
        "rule": "territory-street",
    }  # fmt: skip
    assert suggest_dispatch(hotline, number)["lead"]["code"] == "LX-CGJ"


def test_suggestions_keep_what_the_operator_filled_in(hotline: Hotline) -> None:
    draft = IntakeDraft(channel="12345", content="夜间施工噪音扰民", address="历下区泉城路188号",
                        district_code="370103")  # fmt: skip
    with hotline.db.transaction() as session:
        found = suggest(session, draft, hotline, hotline.now())
    route = next(s for s in found if s.field == "route")
    assert route.value["lead"] == "SZ-CGJ"  # the operator's district, not the address's
    assert draft.category_code is None  # the caller's draft is not modified


def _return(hotline: Hotline, actors: dict[str, Actor], number: str, handler: str) -> None:
    act(hotline, number, Action.ACCEPT, actors[handler])
    act(
        hotline,
        number,
        Action.RETURN,
        actors[handler],
        reason="不属本单位",
        reason_code="not_our_duty",
    )


def test_returns_are_counted_per_unit_and_rule(hotline: Hotline, actors: dict[str, Actor]) -> None:
    suggested = new_case(hotline, actors["operator"], address="历下区泉城路188号")
    run_worker(hotline, once=True, worker_id="w1")
    act(hotline, suggested, Action.REGISTER, actors["operator"], category_code="E0301")
    act(hotline, suggested, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ")
    _return(hotline, actors, suggested, "handler")
    manual = new_case(hotline, actors["operator"], address=None)
    act(hotline, manual, Action.REGISTER, actors["operator"], category_code="E0301")
    act(hotline, manual, Action.DISPATCH, actors["dispatcher"], unit="LX-JFL")
    _return(hotline, actors, manual, "street_handler")
    rows = {
        (r["unit"], r["rule"]): (r["dispatches"], r["returns"]) for r in returns_by_rule(hotline)
    }
    assert rows[("LX-JFL", "manual")] == (1, 1)
    suggested_rule = [key for key in rows if key[0] == "LX-CGJ"]
    assert suggested_rule and suggested_rule[0][1] != "manual" and rows[suggested_rule[0]] == (1, 1)
    today = hotline.now().astimezone(hotline.settings.tz).date()
    assert returns_by_rule(hotline, from_on=today.replace(year=today.year + 1)) == []
