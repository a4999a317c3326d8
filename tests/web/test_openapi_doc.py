"""The OpenAPI document says what the API really sends (found by tests/web/test_api_schema_fuzz)."""

from __future__ import annotations

from typing import Any

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
