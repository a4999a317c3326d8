"""Security headers on every answer, a Content-Security-Policy by route, and API docs that work
under their policy without anything from the internet."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import FakeClock
from tests.web.conftest import Api

SPA_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
PAGE = {"Accept": "text/html,application/xhtml+xml"}


def _directives(response: httpx.Response) -> dict[str, list[str]]:
    policy = response.headers["content-security-policy"]
    parts = (d.split() for d in policy.split(";") if d.strip())
    return {part[0]: part[1:] for part in parts}


def _assert_common_headers(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert _directives(response)["frame-ancestors"] == ["'none'"]


def _answers(api: Api) -> dict[str, httpx.Response]:
    client = api.client
    return {
        "health": client.get("/healthz"),
        "api 200": api.request("GET", "/api/v1/cases", "op"),
        "api 401": client.get("/api/v1/cases"),
        "api 404": client.get("/api/v1/nowhere"),
        "guard 401": client.post("/api/v1/cases", json={}),
        "guard 413": client.post(
            "/api/v1/cases",
            content=b"{}",
            headers={"Authorization": f"Bearer {api.token('op')}", "Content-Length": "99999999"},
        ),
        "openapi": client.get("/openapi.json"),
        "docs": client.get("/docs"),
        "open311": client.get("/open311/v2/services.json"),
        "spa page": client.get("/intake", headers=PAGE),
        "spa root": client.get("/", headers=PAGE),
    }


def test_every_answer_carries_the_security_headers(api: Api) -> None:
    for name, response in _answers(api).items():
        assert response.status_code != 500, name  # (503: the workbench may not be built)
        _assert_common_headers(response)


@pytest.mark.parametrize("path", ["/", "/intake", "/cases/20261124-000001", "/assets/none.js"])
def test_the_workbench_pages_get_the_strict_script_policy(api: Api, path: str) -> None:
    response = api.client.get(path, headers=PAGE)
    assert response.headers["content-security-policy"] == SPA_POLICY
    assert "'unsafe-inline'" not in _directives(response)["script-src"]
    assert "'unsafe-eval'" not in _directives(response)["script-src"]


def test_json_answers_may_load_nothing(api: Api) -> None:
    answers = _answers(api)
    for name in ("api 200", "api 401", "api 404", "guard 401", "guard 413", "openapi", "open311"):
        assert answers[name].headers["content-security-policy"] == API_POLICY, name


def test_an_html_notice_from_the_api_may_use_its_inline_style_but_no_script(
    api: Api, clock: FakeClock
) -> None:
    day = clock.current.date().isoformat()
    response = api.request("GET", "/api/v1/reports/daily", "lead", params={"date": day})
    assert response.headers["content-type"].startswith("text/html")
    assert "<style>" in response.text
    directives = _directives(response)
    assert directives["default-src"] == ["'none'"]
    assert directives["style-src"] == ["'unsafe-inline'"]
    assert "script-src" not in directives  # default-src 'none': no script at all
    _assert_common_headers(response)


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str | None] = []
        self.inline: list[str] = []
        self.links: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script":
            self.sources.append(named.get("src"))
            self._in_script = True
        if tag == "link" and named.get("href"):
            self.links.append(str(named["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append(data)


def test_the_docs_page_runs_under_its_policy_from_local_files(api: Api) -> None:
    """Scripts only from files of this origin (no inline script, which the policy blocks; no
    CDN); every file the page names is served here."""
    docs = api.client.get("/docs")
    assert docs.status_code == 200
    directives = _directives(docs)
    assert directives["script-src"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]  # "Try it out" calls this origin
    page = _Scripts()
    page.feed(docs.text)
    assert page.inline == []
    assert page.sources and all(src and src.startswith("/") for src in page.sources)
    for url in [*page.sources, *page.links]:
        assert url is not None
        served = api.client.get(url)
        assert served.status_code == 200, url
        _assert_common_headers(served)
    init = api.client.get("/docs/swagger-init.js")
    assert init.headers["content-type"].startswith("text/javascript")
    assert "SwaggerUIBundle" in init.text and '"/openapi.json"' in init.text
    assert '"validatorUrl": null' in init.text  # else the document goes to a public validator
    assert "http" not in docs.text


def test_redoc_is_gone(api: Api) -> None:
    """FastAPI's ReDoc page loads its script from a CDN; /docs is served locally instead."""
    app = api.client.app
    assert isinstance(app, FastAPI)
    assert app.redoc_url is None
    assert all(getattr(route, "path", None) != "/redoc" for route in app.routes)
    response = api.client.get("/redoc", headers=PAGE)
    assert "redoc.standalone" not in response.text and "cdn" not in response.text.lower()
