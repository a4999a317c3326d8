"""The workbench served from the Python package: a small build made here, so no npm is needed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hotline.config import Settings
from hotline.entrypoints.web.app import create_app
from hotline.entrypoints.web.workbench import BUILT_INTO
from hotline.services.context import Hotline
from tests.web.conftest import Api, assert_problem

INDEX = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>城管热线</title>'
    '<script type="module" src="/assets/index-3f2a9c1b.js"></script>'
    '<link rel="stylesheet" href="/assets/index-77ab01ce.css"></head>'
    '<body><div id="app"></div></body></html>'
)
PAGE = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JSON = {"Accept": "application/json"}


def build_into(folder: Path) -> Path:
    """The shape `npm run web:build` leaves: index.html, hashed assets, a file from public/."""
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(INDEX, encoding="utf-8")
    (folder / "assets" / "index-3f2a9c1b.js").write_text("console.log('工作台')", encoding="utf-8")
    (folder / "assets" / "index-77ab01ce.css").write_text("body{margin:0}", encoding="utf-8")
    (folder / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    return folder


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    settings.workbench_dir = build_into(tmp_path / "dist")
    return settings


def test_the_default_folder_is_where_the_vite_build_writes() -> None:
    assert BUILT_INTO.parts[-5:] == ("hotline", "entrypoints", "web", "static", "workbench")


def test_root_is_the_index_revalidated_on_every_load(client: TestClient) -> None:
    response = client.get("/", headers=PAGE)
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    assert client.get("/index.html").text == INDEX
    assert client.get("/", headers=JSON).status_code == 200  # `/` is the app whatever is asked


def test_hashed_assets_are_cached_for_a_year(client: TestClient) -> None:
    script = client.get("/assets/index-3f2a9c1b.js")
    assert script.status_code == 200
    assert script.text == "console.log('工作台')"
    assert "javascript" in script.headers["content-type"]
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    style = client.get("/assets/index-77ab01ce.css")
    assert style.headers["content-type"].startswith("text/css")
    assert style.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_a_missing_asset_is_a_404_never_the_index(client: TestClient) -> None:
    response = client.get("/assets/index-00000000.js", headers=PAGE)
    assert_problem(response, 404, "not_found")


def test_files_at_the_build_root_are_served_and_revalidated(client: TestClient) -> None:
    response = client.get("/favicon.svg")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path", ["/intake", "/cases/20261124-000001", "/dispatch?tab=returns", "/callbacks/"]
)
def test_history_routes_load_the_app(client: TestClient, path: str) -> None:
    response = client.get(path, headers=PAGE)
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["cache-control"] == "no-cache"


def test_a_page_path_asked_for_as_data_is_not_found(client: TestClient) -> None:
    assert_problem(client.get("/intake", headers=JSON), 404, "not_found")


@pytest.mark.parametrize(
    "path", ["/api/v1/no-such-thing", "/api/v2/cases", "/api", "/open311/v1/services.json"]
)
def test_unknown_api_paths_keep_their_problem_404(client: TestClient, path: str) -> None:
    assert_problem(client.get(path, headers=PAGE), 404, "not_found")


def test_unknown_open311_paths_under_its_mount_answer_as_open311(client: TestClient) -> None:
    response = client.get("/open311/v2/no-such-thing.json", headers=PAGE)
    assert response.status_code == 404
    assert not response.headers["content-type"].startswith("text/html")


def test_the_api_answers_before_the_app(client: TestClient, api: Api) -> None:
    case = api.create()
    response = api.request("GET", f"/api/v1/cases/{case['number']}", "disp", headers=PAGE)
    assert response.status_code == 200
    assert response.json()["number"] == case["number"]
    assert client.get("/healthz", headers=PAGE).json() == {"status": "ok"}
    assert client.get("/openapi.json", headers=PAGE).json()["info"]["version"] == "1"
    docs = client.get("/docs", headers=PAGE)
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_the_app_is_not_in_the_api_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert all(path.startswith(("/api/", "/healthz")) for path in paths), sorted(paths)


def test_methods_other_than_get_keep_the_routers_answers(client: TestClient) -> None:
    assert_problem(client.post("/intake", headers=PAGE), 404, "not_found")
    assert_problem(client.post("/api/v1/no-such-thing", json={}), 404, "not_found")
    assert_problem(client.delete("/api/v1/cases"), 405, "method_not_allowed")


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    response = client.head("/intake", headers=PAGE)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert response.content == b""


def test_nothing_outside_the_build_folder_is_served(client: TestClient, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("口令")
    for path in ("/assets/..%2F..%2Fsecret.txt", "/..%2Fsecret.txt", "/assets/%2E%2E/index.html"):
        response = client.get(path)
        assert "口令" not in response.text
        assert response.status_code == 404, path


@pytest.fixture
def unbuilt_client(hotline: Hotline, tmp_path: Path) -> Iterator[TestClient]:
    hotline.settings.workbench_dir = tmp_path / "never-built"
    with TestClient(create_app(hotline)) as client:
        yield client


def test_without_a_build_the_root_says_so_in_chinese(unbuilt_client: TestClient) -> None:
    response = unbuilt_client.get("/")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "工作台尚未构建" in response.text
    assert "make install" in response.text
    assert unbuilt_client.get("/intake", headers=PAGE).status_code == 503


def test_without_a_build_the_api_is_unaffected(unbuilt_client: TestClient) -> None:
    assert unbuilt_client.get("/healthz").json() == {"status": "ok"}
    assert_problem(unbuilt_client.get("/api/v1/no-such-thing", headers=PAGE), 404, "not_found")
    assert_problem(unbuilt_client.get("/assets/index-3f2a9c1b.js"), 404, "not_found")
