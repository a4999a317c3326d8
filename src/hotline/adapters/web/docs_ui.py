"""OpenAPI docs at /docs, with Swagger UI served locally where npm installed it.

Government intranets have no internet, so the page must not load its script from a CDN. When
``node_modules/swagger-ui-dist`` exists (``make install`` runs npm), its files are served under
``/static/swagger-ui``; otherwise FastAPI's default (CDN) page is the fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSET_PATH = "/static/swagger-ui"
REPOSITORY_ROOT = Path(__file__).resolve().parents[4]


def local_swagger_ui() -> Path | None:
    for root in (Path.cwd(), REPOSITORY_ROOT):
        candidate = root / "node_modules" / "swagger-ui-dist"
        if (candidate / "swagger-ui-bundle.js").is_file():
            return candidate
    return None


def install_docs(app: FastAPI, assets: Path | None = None) -> None:
    """Serve /docs; from local assets when found, else with FastAPI's default page."""
    assets = assets or local_swagger_ui()
    if assets is None:
        app.add_api_route("/docs", _default_docs(app), include_in_schema=False)
        return
    app.mount(ASSET_PATH, StaticFiles(directory=assets), name="swagger-ui")

    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — 接口文档",
            swagger_js_url=f"{ASSET_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSET_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSET_PATH}/favicon-32x32.png",
        )

    app.add_api_route("/docs", docs, include_in_schema=False)


def _default_docs(app: FastAPI) -> Callable[[], HTMLResponse]:
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} — 接口文档"
        )

    return docs
