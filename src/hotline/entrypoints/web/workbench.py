"""The web workbench: the built single-page app (web/, ``npm run web:build``) served at ``/``.

Vite names every script and stylesheet under ``assets/`` after a hash of its content, so those
files never change under one name: browsers may keep them for a year without asking again.
``index.html`` names the current hashes, so it must be revalidated on every load (``no-cache``),
or a browser would keep asking for last release's assets.

The app routes in the browser (history mode): a reload of ``/cases/20261124-000001`` or a link to
``/intake`` reaches the server, which answers ``index.html`` and lets the app draw the page. Only
page loads get that answer (a GET that accepts ``text/html``); ``/api/*`` and ``/open311/*`` never
do, so an unknown API path keeps its JSON 404 and a missing asset stays a 404.

The route is added last, after every API route and mount, so anything the API answers wins.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

BUILT_INTO = Path(__file__).resolve().parent / "static" / "workbench"
ASSETS_PREFIX = "/assets/"
NEVER_THE_APP = ("/api/", "/open311/")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

NOT_BUILT_PAGE = """<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>工作台尚未构建 · 城管热线</title></head>
<body>
<h1>工作台尚未构建</h1>
<p>服务器上没有找到网页工作台的构建结果，所以暂时无法打开工作台。</p>
<p>请在项目目录运行 <code>make install</code>（安装前端依赖并构建工作台），然后刷新本页。</p>
<p>接口不受影响：接口文档见 <a href="/docs">/docs</a>。</p>
</body>
</html>
"""


class Workbench:
    """Answers for the workbench's paths, from one build folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()

    @property
    def index(self) -> Path:
        return self.directory / "index.html"

    def is_built(self) -> bool:
        return self.index.is_file()

    def respond(self, request: Request) -> Response:
        path = request.url.path
        if not self.is_built():
            return self._not_built(request)
        if path.startswith(ASSETS_PREFIX):
            return self._asset(path)
        if path in ("/", "/index.html"):
            return self._index()
        shipped = _file_within(self.directory, path)
        if shipped is not None:
            return FileResponse(shipped, headers={"Cache-Control": REVALIDATE})
        if _wants_page(request):
            return self._index()
        raise HTTPException(404)

    def _index(self) -> Response:
        return FileResponse(
            self.index, media_type="text/html", headers={"Cache-Control": REVALIDATE}
        )

    def _asset(self, path: str) -> Response:
        found = _file_within(self.directory / "assets", path.removeprefix(ASSETS_PREFIX))
        if found is None:
            raise HTTPException(404)  # never index.html: a stale chunk must fail as what it is
        return FileResponse(found, headers={"Cache-Control": IMMUTABLE})

    def _not_built(self, request: Request) -> Response:
        if request.url.path == "/" or _wants_page(request):
            return HTMLResponse(
                NOT_BUILT_PAGE, status_code=503, headers={"Cache-Control": "no-store"}
            )
        raise HTTPException(404)


def _file_within(folder: Path, path: str) -> Path | None:
    """The file at this URL path inside ``folder``; nothing outside it (no ``..`` escapes)."""
    root = folder.resolve()
    candidate = (root / path.lstrip("/")).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def _wants_page(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


class WorkbenchRoute(BaseRoute):
    """Every GET or HEAD outside ``/api/`` and ``/open311/`` that no earlier route took.

    A plain route on ``/{path:path}`` would also match POST /intake and answer 405 for any
    API path with a method the API lacks; this one declines everything it does not serve, so
    the router's own 404 and 405 stay as they were.
    """

    def __init__(self, workbench: Workbench) -> None:
        self.workbench = workbench

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return Match.NONE, {}
        path: str = scope["path"]
        if path.startswith(NEVER_THE_APP) or path in ("/api", "/open311"):
            return Match.NONE, {}
        return Match.FULL, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = self.workbench.respond(Request(scope, receive))
        await response(scope, receive, send)


def install_workbench(app: FastAPI, directory: Path | None = None) -> None:
    """Serve the workbench from ``directory`` (default: where ``npm run web:build`` writes).

    Call it after every other route and mount: the router tries routes in order.
    """
    app.router.routes.append(WorkbenchRoute(Workbench(directory or BUILT_INTO)))
