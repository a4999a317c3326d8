"""The whole role × action table through the API: allowed → not 403, refused → 403.

Every probe runs on a case in the acting user's scope (dispatched to 历下区城管局, whose handler
acts), so a refusal can only come from the role table, never from scoping (which would be 404).
The co-unit's opinion is probed on a case where 历下区城管局 is the co-unit (协办).
"""

from __future__ import annotations

import pytest

from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor, Permission, Role, may
from hotline.services.accounts.users import NewUser, create_user
from hotline.services.context import Hotline
from tests.integration.helpers import act, new_case
from tests.web.conftest import DEFAULT_CASE, Api, assert_problem

STAFF = [role for role in Role if may(role, Permission.READ_CASE)]
USER_OF_ROLE = {
    Role.OPERATOR: "op",
    Role.DISPATCHER: "disp",
    Role.HANDLER: "lx-h",
    Role.INSPECTOR: "insp",
    Role.SUPERVISOR: "sup",
    Role.LEADER: "lead",
    Role.ADMIN: "adm",
}
# A body that passes validation for each action, so that only the role table can refuse it.
VALID_BODY: dict[Action, dict[str, object]] = {
    Action.REGISTER: {},
    Action.ANSWER_DIRECTLY: {"reply_text": "已解答"},
    Action.VOID: {"reason": "测试"},
    Action.DISPATCH: {"unit": "LX-CGJ"},
    Action.SUB_DISPATCH: {"unit": "LX-JFL"},
    Action.ACCEPT: {},
    Action.RETURN: {"reason_code": "not_our_duty", "reason": "非本单位职责"},
    Action.APPROVE_RETURN: {},
    Action.REJECT_RETURN: {},
    Action.REQUEST_EXTENSION: {"extra_working_days": 2, "reason": "需协调"},
    Action.APPROVE_EXTENSION: {},
    Action.REFUSE_EXTENSION: {"reason": "不符合条件"},
    Action.REPLY: {"result_type": "solved", "reply_text": "已处理"},
    Action.VERIFY: {"passed": True},
    Action.RECORD_CALLBACK: {
        "outcome": "reached",
        "process_satisfaction": "satisfied",
        "result_satisfaction": "satisfied",
    },
    Action.REOPEN: {"reason": "复查", "target": "resort"},
    Action.CLOSE: {},
    Action.CO_OPINION: {"opinion": "建议联合执法"},
}
# Permissions the JSON API serves; others (e.g. supervision) are probed where their API lives.
PROBED_PERMISSIONS = [
    Permission.CREATE_CASE,
    Permission.READ_CASE,
    Permission.REVEAL_PERSONAL_DATA,
    Permission.UPLOAD_ATTACHMENT,
    Permission.MANAGE_USERS,
]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def dispatched(hotline: Hotline, actors: dict[str, Actor]) -> str:
    number = new_case(hotline, actors["operator"])
    act(hotline, number, Action.REGISTER, actors["operator"], category_code="E0301")
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ")
    return number


@pytest.fixture
def co_dispatched(hotline: Hotline, actors: dict[str, Actor]) -> str:
    number = new_case(hotline, actors["operator"])
    act(hotline, number, Action.REGISTER, actors["operator"], category_code="E0301")
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="SZ-CGJ", co_units=["LX-CGJ"])
    return number


def api_user_of(api: Api, role: Role) -> str:
    """A user of a role the web fixtures do not know (e.g. a partner platform)."""
    name = f"{role.value}-user"
    if name not in api.tokens:
        api.tokens[name] = create_user(api.hotline, NewUser(name, role.value), api.hotline.now())
    return name


def _probe(api: Api, user: str, what: Action | Permission, number: str) -> int:
    if isinstance(what, Action):
        return api.act(number, user, what.value, if_match="*", **VALID_BODY[what]).status_code
    case_url = f"/api/v1/cases/{number}"
    requests = {
        Permission.CREATE_CASE: ("POST", "/api/v1/cases", {"json": DEFAULT_CASE}),
        Permission.READ_CASE: ("GET", case_url, {}),
        Permission.REVEAL_PERSONAL_DATA: (
            "POST",
            f"{case_url}/reveal",
            {"json": {"purpose": "回访"}},
        ),
        Permission.UPLOAD_ATTACHMENT: (
            "POST",
            f"{case_url}/attachments",
            {"data": {"kind": "before"}, "files": {"file": ("a.png", PNG, "image/png")}},
        ),
        Permission.MANAGE_USERS: ("GET", "/api/v1/access-log", {}),
    }
    method, url, kwargs = requests[what]
    return api.request(method, url, user, **kwargs).status_code


@pytest.mark.parametrize("what", [*Action, *PROBED_PERMISSIONS], ids=lambda w: w.value)
@pytest.mark.parametrize("role", STAFF, ids=lambda r: r.value)
def test_role_table(
    api: Api, dispatched: str, co_dispatched: str, role: Role, what: Action | Permission
) -> None:
    number = co_dispatched if what is Action.CO_OPINION else dispatched
    status = _probe(api, USER_OF_ROLE[role], what, number)
    if may(role, what):
        assert status not in (403, 404) and status < 500, status
    else:
        assert status == 403


def test_every_action_has_a_valid_probe_body() -> None:
    assert set(VALID_BODY) == set(Action)
    assert set(USER_OF_ROLE) == set(STAFF)


def test_roles_that_may_not_read_cases_are_refused_the_whole_api(api: Api, dispatched: str) -> None:
    for role in set(Role) - set(STAFF):
        for what in [*Action, *PROBED_PERMISSIONS]:
            assert _probe(api, api_user_of(api, role), what, dispatched) == 403, (role, what)


def test_refusal_names_the_role_and_the_action(api: Api, dispatched: str) -> None:
    response = api.act(dispatched, "lead", "close", if_match="*")
    body = assert_problem(response, 403, "forbidden")
    assert "leader" in body["detail"] and "close" in body["detail"]
