"""OpenAPI docs at /docs: Swagger UI served from our own files, nothing from the internet.

Government intranets have no internet, so the page must not load its script from a CDN, and its
Content-Security-Policy (middleware.DOCS_POLICY) allows scripts from files of this origin only.
FastAPI's own docs page starts Swagger UI with an inline script, which that policy would block;
this page loads the same start-up code from ``/docs/swagger-init.js`` instead. Swagger UI comes
from ``node_modules/swagger-ui-dist`` (``make install`` runs npm), served under
``/static/swagger-ui``. Without it /docs says how to install it; ``/openapi.json`` works anyway.
ReDoc (``/redoc``, CDN-only in FastAPI) is switched off in app.py.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSET_PATH = "/static/swagger-ui"
INIT_PATH = "/docs/swagger-init.js"
REPOSITORY_ROOT = Path(__file__).resolve().parents[4]

PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" href="{assets}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{init}"></script>
</body>
</html>
"""

NOT_INSTALLED_PAGE = """<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{title}</title></head>
<body>
<h1>接口文档界面未安装</h1>
<p>服务器上没有找到 Swagger UI（npm 包 <code>swagger-ui-dist</code>）。请在项目目录运行
<code>make install</code>，然后刷新本页。</p>
<p>接口的 OpenAPI 文档不受影响：<a href="{openapi}">{openapi}</a>。</p>
</body>
</html>
"""


def local_swagger_ui() -> Path | None:
    for root in (Path.cwd(), REPOSITORY_ROOT):
        candidate = root / "node_modules" / "swagger-ui-dist"
        if (candidate / "swagger-ui-bundle.js").is_file():
            return candidate
    return None


def install_docs(app: FastAPI, assets: Path | None = None) -> None:
    """Serve /docs and its start-up script; from local assets when found."""
    assets = assets or local_swagger_ui()
    openapi_url = app.openapi_url or "/openapi.json"
    title = escape(f"{app.title} — 接口文档")
    if assets is None:
        page = NOT_INSTALLED_PAGE.format(title=title, openapi=escape(openapi_url))

        def not_installed() -> HTMLResponse:
            return HTMLResponse(page, status_code=503)

        app.add_api_route("/docs", not_installed, include_in_schema=False)
        return
    app.mount(ASSET_PATH, StaticFiles(directory=assets), name="swagger-ui")
    page = PAGE.format(title=title, assets=ASSET_PATH, init=INIT_PATH)
    script = swagger_init_script(openapi_url)

    def docs() -> HTMLResponse:
        return HTMLResponse(page)

    def init() -> Response:
        return Response(script, media_type="text/javascript")

    app.add_api_route("/docs", docs, include_in_schema=False)
    app.add_api_route(INIT_PATH, init, include_in_schema=False)


def swagger_init_script(openapi_url: str) -> str:
    """FastAPI's Swagger UI settings, as a script file. ``validatorUrl: null``: Swagger UI would
    otherwise send the document to its public online validator."""
    settings = {
        "url": openapi_url,
        "dom_id": "#swagger-ui",
        "layout": "BaseLayout",
        "deepLinking": True,
        "showExtensions": True,
        "showCommonExtensions": True,
        "validatorUrl": None,
    }
    return (
        f"window.ui = SwaggerUIBundle(Object.assign({json.dumps(settings)}, {{\n"
        "  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],\n"
        "}));\n"
    )
