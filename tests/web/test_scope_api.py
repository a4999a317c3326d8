"""Scoping: out of scope reads as 404 everywhere; lists leave such cases out."""

from __future__ import annotations

from tests.web.conftest import Api, assert_problem


def _listed(api: Api, user: str) -> set[str]:
    response = api.request("GET", "/api/v1/cases", user)
    assert response.status_code == 200, response.text
    return {item["number"] for item in response.json()["items"]}


def test_a_street_handler_cannot_see_another_streets_case(api: Api) -> None:
    number = api.create()["number"]
    api.to_dispatched(number, unit="LX-QCL")
    assert api.get(number, "qcl-h").status_code == 200
    assert_problem(api.get(number, "jfl-h"), 404, "not_found")
    assert_problem(api.act(number, "jfl-h", "accept", if_match="*"), 404)
    assert_problem(api.request("GET", f"/api/v1/cases/{number}/attachments", "jfl-h"), 404)
    assert number not in _listed(api, "jfl-h")
    assert number in _listed(api, "qcl-h")
    # The district bureau above both streets sees it.
    assert api.get(number, "lx-h").status_code == 200


def test_a_handler_sees_what_its_unit_sub_dispatched_and_co_units_see_theirs(api: Api) -> None:
    number = api.create()["number"]
    api.to_dispatched(number, co_units=["LX-QCL"])
    assert_problem(api.get(number, "jfl-h"), 404)
    assert api.get(number, "qcl-h").status_code == 200  # 协办
    api.step(number, "lx-h", "accept")
    api.step(number, "lx-h", "sub_dispatch", unit="LX-JFL")
    assert api.get(number, "jfl-h").status_code == 200
    assert api.get(number, "lx-h").status_code == 200


def test_a_handler_of_another_district_gets_404_not_403(api: Api) -> None:
    number = api.create()["number"]
    api.to_dispatched(number)
    assert_problem(api.act(number, "sz-h", "accept", if_match="*"), 404)
    assert_problem(api.get(number, "sz-h"), 404)


def test_unassigned_cases_are_invisible_to_handlers(api: Api) -> None:
    number = api.create()["number"]
    assert_problem(api.get(number, "lx-h"), 404)


def test_district_dispatcher_and_leader_see_only_their_district(api: Api) -> None:
    lixia = api.create()["number"]
    api.to_dispatched(lixia, unit="LX-CGJ")
    shizhong = api.create(content="市中区大观园附近占道经营", address="市中区经四路")["number"]
    api.to_dispatched(shizhong, unit="SZ-CGJ")
    for user in ("lx-disp", "lx-lead"):
        assert api.get(lixia, user).status_code == 200
        assert_problem(api.get(shizhong, user), 404)
        assert _listed(api, user) == {lixia}
    assert _listed(api, "disp") == {lixia, shizhong}
    assert_problem(api.act(shizhong, "lx-disp", "close", if_match="*"), 404)


def test_a_district_dispatcher_reads_back_the_case_it_creates(api: Api) -> None:
    case = api.create("lx-disp", content="路灯不亮", address="经十路")
    assert case["district_code"] == "370102"
    assert api.get(case["number"], "lx-disp").status_code == 200


def test_an_action_that_moves_the_case_out_of_scope_answers_a_receipt(api: Api) -> None:
    number = api.create("lx-disp", content="经四路占道经营")["number"]
    response = api.act(number, "lx-disp", "register", if_match="*", district_code="370103")
    assert response.status_code == 200, response.text
    version = api.case(number, "disp")["version"]
    assert response.json() == {"number": number, "version": version}
    assert response.headers["etag"] == f'"{version}"'
    assert_problem(api.get(number, "lx-disp"), 404)  # 市中区's now
