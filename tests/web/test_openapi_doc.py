"""The OpenAPI document says what the API really sends, and docs/api.md names every route.

Errors are problems (found by tests/web/test_api_schema_fuzz); every answer declares its model or
media type, and the models name every field the API sends (checked on tests/web/api_scenario.py);
docs/api.md lists every ``/api/v1`` route with who may call it, in the codes of the role matrix.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs  # schemathesis's validator
from fastapi.routing import APIRoute

from hotline.domain.lifecycle import Action
from hotline.domain.roles import Permission, Role, may
from hotline.entrypoints.web import (
    routes_attachments,
    routes_audit,
    routes_classifier,
    routes_evaluation,
    routes_indicators,
    routes_intake,
    routes_problems,
    routes_reference,
    routes_reports,
    routes_supervision,
)
from hotline.services.accounts.users import NewUser, create_user
from tests.conftest import FakeClock
from tests.web.api_scenario import Answer, run_scenario
from tests.web.conftest import Api

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _document(api: Api) -> dict[str, Any]:
    document: dict[str, Any] = api.client.get("/openapi.json").json()
    return document


def test_every_error_is_documented_as_a_problem_in_problem_json(api: Api) -> None:
    document = _document(api)
    errors = [
        (path, method, status, response)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if int(status) >= 400
    ]
    assert errors
    for path, method, status, response in errors:
        assert response["content"] == PROBLEM, (method, path, status)
        assert response["description"] != "Validation Error", (method, path, status)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_problem_link_edits_document_their_412(api: Api) -> None:
    paths = _document(api)["paths"]
    link = paths["/api/v1/problems/{problem_id}/cases"]["post"]
    unlink = paths["/api/v1/problems/{problem_id}/cases/{number}"]["delete"]
    assert "412" in link["responses"] and "412" in unlink["responses"]


def test_an_editions_content_is_documented_as_the_file_it_is(api: Api) -> None:
    operation = _document(api)["paths"]["/api/v1/reports/editions/{edition_id}/content"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {
        "text/html",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


# -- typed answers: a client generated from the document knows every field ----------------------

JSON = "application/json"
METHODS = {"get", "put", "post", "delete", "patch", "head"}
SCHEMA_PREFIX = "#/components/schemas/"
# The routers whose every JSON answer tests/web/api_scenario.py produces with data.
SCENARIO_ROUTERS = [
    routes_attachments,
    routes_audit,
    routes_classifier,
    routes_evaluation,
    routes_indicators,
    routes_intake,
    routes_problems,
    routes_reference,
    routes_reports,
    routes_supervision,
]


def _api_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, operations in document["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in operations.items()
        if method in METHODS
    ]


def _untyped_answers(document: dict[str, Any]) -> list[str]:
    """Each 2xx answer that is JSON without a named model, or that documents no content."""
    schemas = document["components"]["schemas"]
    untyped = []
    for method, path, operation in _api_operations(document):
        successes = {s: r for s, r in operation["responses"].items() if s.startswith("2")}
        if not successes:
            untyped.append(f"{method} {path}: no 2xx answer")
        for status, response in successes.items():
            content = response.get("content", {})
            ref = content.get(JSON, {}).get("schema", {}).get("$ref", "")
            model = schemas.get(ref.removeprefix(SCHEMA_PREFIX), {}) if ref else {}
            if JSON in content and not model.get("properties"):
                untyped.append(f"{method} {path} {status}: JSON without a response_model")
            elif not content and status != "204":
                untyped.append(f"{method} {path} {status}: no media type documented")
    return untyped


def test_every_answer_of_the_api_declares_its_model_or_media_type(api: Api) -> None:
    assert _untyped_answers(_document(api)) == []


def test_an_untyped_route_is_caught(api: Api) -> None:
    document = _document(api)
    operation = document["paths"]["/api/v1/hotspots"]["get"]
    operation["responses"]["200"]["content"][JSON]["schema"] = {"type": "object"}
    assert _untyped_answers(document) == ["GET /api/v1/hotspots 200: JSON without a response_model"]


def _closed(components: dict[str, Any]) -> dict[str, Any]:
    """The component schemas with no room for undocumented fields: a field the API sends that
    its model does not name fails the validation below (the models themselves stay open)."""
    closed = copy.deepcopy(components)
    for schema in closed["schemas"].values():
        if "properties" in schema:
            schema["additionalProperties"] = False
    return closed


def _scenario_routes() -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for module in SCENARIO_ROUTERS
        for route in module.router.routes
        if isinstance(route, APIRoute) and route.response_model is not None
        for method in route.methods or ()
    }


def _violations(document: dict[str, Any], answer: Answer, closed: bool = True) -> list[str]:
    """Why the answer's body does not fit its model; ``closed``: also every field it sends that
    the model does not name."""
    operation = document["paths"][answer.route][answer.method.lower()]
    response = operation["responses"][str(answer.response.status_code)]
    components = _closed(document["components"]) if closed else document["components"]
    schema = {**response["content"][JSON]["schema"], "components": components}
    validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    where = f"{answer.method} {answer.route}"
    return [
        f"{where}: {'/'.join(map(str, error.instance_path))}: {error.message}"
        for error in validator.iter_errors(answer.response.json())
    ]


def test_every_answer_matches_its_model_field_for_field(api: Api, clock: FakeClock) -> None:
    document = _document(api)
    answers = [a for a in run_scenario(api, clock) if a.response.headers["content-type"] == JSON]
    expected = _scenario_routes()
    # The case models (schemas.py) do not yet name every field of a case: checked open for now.
    violations = [
        problem
        for answer in answers
        for problem in _violations(document, answer, (answer.method, answer.route) in expected)
    ]
    assert violations == []
    answered = {(answer.method, answer.route) for answer in answers}
    assert expected - answered == set(), "add these routes to tests/web/api_scenario.py"


def test_a_field_missing_from_its_model_is_caught(api: Api) -> None:
    body = {"items": [], "secret": 1}
    response = httpx.Response(200, json=body, headers={"content-type": JSON})
    answer = Answer("GET", "/api/v1/units", response)
    assert (_violations(_document(api), answer)) == [
        "GET /api/v1/units: : Additional properties are not allowed ('secret' was unexpected)"
    ]


# -- docs/api.md names every route, and who may call it from the role matrix ---------------------

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
ROUTE_IN_DOC = re.compile(r"`(GET|POST|PUT|PATCH|DELETE|HEAD) (/api/v1/[^`\s?\[]+)[^`]*`")
CODE_IN_CELL = re.compile(r"`([^`]+)`")
MATRIX_CODES = {p.value for p in Permission} | {a.value for a in Action}
NO_CODE_NEEDED = ("anyone", "per action (docs/roles.md)")


def _same_path(path: str) -> str:
    """Path parameters compare by place, not by name: {id} in the doc is {problem_id} in code."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def documented_routes(text: str) -> dict[tuple[str, str], str]:
    """(method, path) → the "who" cell, from the table under ``## Endpoints``."""
    section = text.split("\n## Endpoints\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[tuple[str, str], str] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) < 3:
            continue
        for method, path in ROUTE_IN_DOC.findall(cells[0]):
            rows[(method, _same_path(path))] = cells[1]
    return rows


def who_problems(who: str) -> list[str]:
    """Why a "who" cell does not name the role matrix (docs/roles.md, ``ROLE_TABLE``)."""
    codes = CODE_IN_CELL.findall(who)
    unknown = [f"`{code}` is not in ROLE_TABLE" for code in codes if code not in MATRIX_CODES]
    if not codes and who not in NO_CODE_NEEDED:
        unknown.append(f"「{who}」 names no permission or action of ROLE_TABLE")
    return unknown


def test_docs_api_md_documents_every_route_with_who_may_call_it(api: Api) -> None:
    documented = documented_routes(API_DOC.read_text(encoding="utf-8"))
    served = {(method, _same_path(path)) for method, path, _ in _api_operations(_document(api))}
    missing = sorted(f"{method} {path}" for method, path in served - documented.keys())
    assert missing == [], "add these routes to the table under ## Endpoints in docs/api.md"
    stale = sorted(f"{method} {path}" for method, path in documented.keys() - served)
    assert stale == [], "docs/api.md names routes that the API does not serve"
    wrong = {
        f"{m} {p}": who_problems(who) for (m, p), who in documented.items() if who_problems(who)
    }
    assert wrong == {}, "the who column must name ROLE_TABLE codes (see docs/roles.md)"


def test_the_docs_checks_catch_a_missing_route_and_an_unknown_permission() -> None:
    text = "# x\n\n## Endpoints\n\n| a | b | c |\n|---|---|---|\n" + (
        "| `GET /api/v1/x/{id}[?a=\\|b]` · `POST /api/v1/x/{id}/go` | `read_case` | … |\n"
        "## Other\n| `GET /api/v1/y` | `read_case` | … |\n"
    )
    assert documented_routes(text) == {
        ("GET", "/api/v1/x/{}"): "`read_case`",
        ("POST", "/api/v1/x/{}/go"): "`read_case`",
    }
    assert who_problems("`read_cases`") == ["`read_cases` is not in ROLE_TABLE"]
    assert who_problems("staff") == ["「staff」 names no permission or action of ROLE_TABLE"]
    assert who_problems("`manage_users`, `register`") == who_problems("anyone") == []


def _refused_roles(who: str) -> list[Role]:
    """The roles the "who" cell leaves out: they hold none of the codes it names."""
    codes = [_matrix_code(code) for code in CODE_IN_CELL.findall(who)]
    return [role for role in Role if not any(may(role, code) for code in codes)]


def _matrix_code(value: str) -> Action | Permission:
    return Permission(value) if value in {p.value for p in Permission} else Action(value)


def _user_of(api: Api, role: Role) -> str:
    name = f"who-{role.value}"
    if name not in api.tokens:
        unit = "LX-CGJ" if role is Role.HANDLER else None
        new = NewUser(name, role.value, unit_code=unit)
        api.tokens[name] = create_user(api.hotline, new, api.hotline.now())
    return name


def _replayed(api: Api, answer: Answer, user: str) -> httpx.Response:
    """The scenario's request again, as another user."""
    sent = answer.response.request
    keep = ("content-type", "if-match", "idempotency-key")
    headers = {name: value for name, value in sent.headers.items() if name in keep}
    return api.request(sent.method, str(sent.url), user, content=sent.content, headers=headers)


def _not_refused(api: Api, answers: list[Answer], who_of: dict[tuple[str, str], str]) -> list[str]:
    """Each request that a role the "who" cell leaves out was not refused (403) when sent."""
    allowed = []
    for answer in answers:
        who = who_of[(answer.method, _same_path(answer.route))]
        for role in _refused_roles(who) if who not in NO_CODE_NEEDED else []:
            status = _replayed(api, answer, _user_of(api, role)).status_code
            if status != 403:
                allowed.append(f"{answer.method} {answer.route} ({who}): {role.value} got {status}")
    return allowed


def test_every_role_the_who_column_leaves_out_is_refused(api: Api, clock: FakeClock) -> None:
    """docs/api.md's "who" is what the code enforces: the scenario's requests (valid ones, in
    scope) sent again by each role holding none of the row's codes are 403."""
    who_of = documented_routes(API_DOC.read_text(encoding="utf-8"))
    assert _not_refused(api, run_scenario(api, clock), who_of) == []


def test_a_who_column_naming_too_few_roles_is_caught(api: Api, clock: FakeClock) -> None:
    who_of = documented_routes(API_DOC.read_text(encoding="utf-8"))
    who_of[("GET", "/api/v1/hotspots")] = "`manage_users`"  # leaders read hotspots too
    answers = [a for a in run_scenario(api, clock) if a.route == "/api/v1/hotspots"]
    assert _not_refused(api, answers, who_of) == [
        "GET /api/v1/hotspots (`manage_users`): dispatcher got 200",
        "GET /api/v1/hotspots (`manage_users`): supervisor got 200",
        "GET /api/v1/hotspots (`manage_users`): leader got 200",
    ]


def test_the_who_column_names_who_is_left_out() -> None:
    assert Role.HANDLER not in _refused_roles("`read_case`, in scope")
    assert _refused_roles("`read_case`") == [Role.PARTNER]
    assert set(_refused_roles("`decide_adjustment`, city level")) == set(Role) - {
        Role.LEADER,
        Role.ADMIN,
    }
