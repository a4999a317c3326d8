"""Property-based tests of /api/v1 from its own OpenAPI schema (schemathesis).

Every operation is sent generated requests, valid and invalid, as the city centre's dispatcher
(the role that may do most things). No answer may be a 5xx; every answer must have a documented
status code, content type and body; every error must be an RFC 9457 problem.

The Open311 sub-app (/open311/v2) is a bare Starlette app without an OpenAPI schema (see
hotline.entrypoints.open311.app), so there is nothing to generate from: its tests are elsewhere.

The schema is loaded at collection time, not through ``schemathesis.pytest.from_fixture``: that
loader renames pytest's ``Node._nodeid``, which pytest 9 no longer has.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis import Case, CheckContext, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hotline.adapters.db.database import Database
from hotline.bootstrap import build_calendar
from hotline.config import Settings
from hotline.entrypoints.web.app import create_app
from hotline.services.context import Hotline
from tests.web.conftest import Api

USER = "disp"
EXAMPLES_PER_OPERATION = 25
NEVER = datetime(2026, 11, 24, tzinfo=UTC)

# Small and reproducible: a fixed seed and derandomized generation (the same requests on every
# run), few examples, no shrinking, no example database; the schema's explicit examples and the
# generated ones only (the coverage phase alone sends hundreds of requests per operation).
CONFIG: dict[str, Any] = {
    "seed": 20261124,
    "generation": {
        "max-examples": EXAMPLES_PER_OPERATION,
        "deterministic": True,
        "no-shrink": True,
        "database": "none",
    },
    "phases": {
        "examples": {"enabled": True},
        "fuzzing": {"enabled": True},
        "coverage": {"enabled": False},
        "stateful": {"enabled": False},
    },
}


def problem_json(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """An error is application/problem+json with at least ``title`` and ``status``."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/problem+json"), content_type
    body = response.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("title"), str), body
    assert body.get("status") == response.status_code, body
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    problem_json,
]


def _schema_app() -> FastAPI:
    """The app whose OpenAPI document the tests are generated from, at collection time.

    Building the document reads no data, so this app has no database of its own; every request
    goes to the test's own app (``client.app``) on the test's fresh database.
    """
    settings = Settings()
    hotline = Hotline(settings, Database("sqlite://"), build_calendar(settings), lambda: NEVER)
    return create_app(hotline)


schema = schemathesis.openapi.from_asgi(
    "/openapi.json", _schema_app(), config=schemathesis.Config.from_dict(CONFIG)
).include(path_regex=r"^/api/v1/")


@pytest.fixture
def city(api: Api) -> Api:
    """A case the dispatcher sees: the schema's example case number (20261124-000001, the first
    number of the test clock's day) names it, so the explicit examples reach a real case."""
    api.create()
    return api


@schema.parametrize()
# One database per operation, shared by its examples on purpose: what one request leaves behind
# (a case, a supervision) is the next request's state, as on a real server.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_schema(case: Case, city: Api) -> None:
    case.call_and_validate(app=city.client.app, headers=city.headers(USER), checks=CHECKS)
