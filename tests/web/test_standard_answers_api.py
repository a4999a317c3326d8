"""/api/v1/standard-answers: the 知识库/常用语 supervisors keep and operators search."""

from __future__ import annotations

import threading
from typing import Any

import httpx
from fastapi.testclient import TestClient

from hotline.services.accounts.users import NewUser, create_user
from tests.web.conftest import Api, assert_problem, invalid_names

URL = "/api/v1/standard-answers"
NOISE = {
    "title": "夜间施工噪音",
    "body": "您反映的夜间施工噪音问题已记录，我们将转城管执法部门核查处理。",
    "category_code": "E0301",
}


def _create(api: Api, user: str = "sup", **overrides: Any) -> dict[str, Any]:
    response = api.request("POST", URL, user, json={**NOISE, **overrides})
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == f'"{response.json()["version"]}"'
    assert response.headers["Location"] == f"{URL}/{response.json()['id']}"
    body: dict[str, Any] = response.json()
    return body


def _put(api: Api, answer: dict[str, Any], user: str = "sup", **changes: Any) -> httpx.Response:
    fields = {k: answer[k] for k in ("title", "body", "category_code")} | changes
    headers = {"If-Match": f'"{answer["version"]}"'}
    return api.request("PUT", f"{URL}/{answer['id']}", user, json=fields, headers=headers)


def _titles(api: Api, user: str = "op", **params: Any) -> list[str]:
    response = api.request("GET", URL, user, params=params)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def test_a_supervisor_writes_and_every_staff_role_reads(api: Api) -> None:
    created = _create(api)
    assert created["version"] == 1 and created["active"] is True
    assert (created["created_by"], created["category_name"]) == ("sup", "夜间施工噪音")
    assert created["updated_by_name"] == "sup"  # no display name recorded for this user
    _create(api, "adm", title="通用结束语", body="感谢您的来电，祝您生活愉快。", category_code=None)
    for user in ("op", "disp", "lx-h", "insp", "lead"):
        assert sorted(_titles(api, user)) == ["夜间施工噪音", "通用结束语"]
        assert_problem(api.request("POST", URL, user, json=NOISE), 403, "forbidden")
    one = api.request("GET", f"{URL}/{created['id']}", "op")
    assert one.json()["body"] == NOISE["body"] and one.headers["ETag"] == '"1"'
    assert_problem(api.request("GET", URL, None), 401)


def test_bad_input_names_the_field(api: Api) -> None:
    assert invalid_names(api.request("POST", URL, "sup", json={**NOISE, "title": ""})) == {"title"}
    blank = api.request("POST", URL, "sup", json={**NOISE, "body": "   "})
    assert invalid_names(blank) == {"body"}
    assert "答复内容" in assert_problem(blank, 422)["detail"]
    unknown = api.request("POST", URL, "sup", json={**NOISE, "category_code": "Z9999"})
    assert invalid_names(unknown) == {"category_code"}
    extra = api.request("POST", URL, "sup", json={**NOISE, "author": "me"})
    assert "author" in invalid_names(extra)
    long_title = api.request("POST", URL, "sup", json={**NOISE, "title": "长" * 101})
    assert invalid_names(long_title) == {"title"}
    assert invalid_names(api.request("GET", URL, "op", params={"category": "Z9"})) == {"category"}
    assert invalid_names(api.request("GET", URL, "op", params={"status": "gone"})) == {"status"}
    assert_problem(api.request("GET", f"{URL}/999999", "op"), 404, "not_found")
    assert api.request("GET", URL, "op").json()["total"] == 0  # nothing half-stored


def test_search_by_terms_and_category_nearest_first(api: Api) -> None:
    _create(api)
    _create(api, title="施工管理通用", body="施工问题请提供施工单位名称。", category_code="E03")
    _create(api, title="通用结束语", body="感谢您的来电。", category_code=None)
    _create(api, title="露天烧烤", body="已通知街道办事处劝导烧烤摊点。", category_code="E0103")
    assert _titles(api, category="E0301") == ["夜间施工噪音", "施工管理通用", "通用结束语"]
    assert _titles(api, q="施工") == ["夜间施工噪音", "施工管理通用"]
    assert _titles(api, q="施工 单位") == ["施工管理通用"]  # every term required
    assert _titles(api, q="烧烤", category="E0103") == ["露天烧烤"]
    assert _titles(api, q="100%") == []  # LIKE wildcards are searched for, not obeyed
    page = api.request("GET", URL, "op", params={"limit": 2, "offset": 2}).json()
    assert (page["total"], len(page["items"])) == (4, 2)


def test_update_needs_the_version_seen_and_one_of_two_editors_wins(api: Api) -> None:
    answer = _create(api)
    headers_missing = api.request("PUT", f"{URL}/{answer['id']}", "sup", json=NOISE)
    assert_problem(headers_missing, 428, "precondition_required")
    saved = _put(api, answer, body="已转历下区城管执法局核查。")
    assert saved.status_code == 200, saved.text
    assert (saved.json()["version"], saved.headers["ETag"]) == (2, '"2"')
    stale = assert_problem(_put(api, answer, title="旧版本的修改"), 412, "precondition_failed")
    assert stale["title"] == "标准答复已被他人修改" and "第 2 版" in stale["detail"]
    assert api.request("GET", f"{URL}/{answer['id']}", "op").json()["title"] == NOISE["title"]
    assert_problem(_put(api, saved.json(), "op", title="话务员不能改"), 403)


def _put_in_thread(
    client: TestClient, url: str, token: str, title: str, out: list[httpx.Response],
    start: threading.Barrier,
) -> None:  # fmt: skip
    start.wait()
    headers = {"Authorization": f"Bearer {token}", "If-Match": '"1"'}
    out.append(client.put(url, json={**NOISE, "title": title}, headers=headers))


def test_two_supervisors_saving_at_once_one_wins(api: Api) -> None:
    answer = _create(api)
    url = f"{URL}/{answer['id']}"
    results: list[httpx.Response] = []
    start = threading.Barrier(2)
    threads = [
        threading.Thread(
            target=_put_in_thread,
            args=(TestClient(api.client.app), url, api.token(user), title, results, start),
        )
        for user, title in (("sup", "甲的标题"), ("adm", "乙的标题"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(response.status_code for response in results)
    assert statuses[0] == 200 and statuses[1] in (409, 412), [r.text for r in results]
    winner = next(r.json()["title"] for r in results if r.status_code == 200)
    final = api.request("GET", url, "op").json()
    assert (final["title"], final["version"]) == (winner, 2)


def test_retired_answers_are_no_longer_offered_and_can_be_restored(api: Api) -> None:
    answer = _create(api)
    headers = {"If-Match": '"1"'}
    retired = api.request("POST", f"{URL}/{answer['id']}/retire", "sup", headers=headers)
    assert retired.status_code == 200, retired.text
    assert (retired.json()["active"], retired.json()["retired_by"]) == (False, "sup")
    assert _titles(api) == []
    assert _titles(api, status="retired") == ["夜间施工噪音"]
    again = api.request("POST", f"{URL}/{answer['id']}/retire", "sup", headers={"If-Match": "*"})
    assert_problem(again, 409, "conflict")
    assert_problem(
        api.request("POST", f"{URL}/{answer['id']}/restore", "sup", headers=headers), 412
    )
    restored = api.request("POST", f"{URL}/{answer['id']}/restore", "adm",
                           headers={"If-Match": '"2"'})  # fmt: skip
    assert restored.status_code == 200 and restored.json()["retired_at"] is None
    assert _titles(api) == ["夜间施工噪音"]


def test_people_read_the_editors_name_not_the_login(api: Api) -> None:
    token = create_user(
        api.hotline, NewUser("chensi", "supervisor", None, None, "陈思"), api.hotline.now()
    )
    headers = {"Authorization": f"Bearer {token}"}
    created = api.client.post(URL, json=NOISE, headers=headers)
    assert created.status_code == 201, created.text
    assert (created.json()["updated_by"], created.json()["updated_by_name"]) == ("chensi", "陈思")
