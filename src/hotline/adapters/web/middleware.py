"""Two small ASGI middlewares: early refusal of oversize uploads, and no caching of API answers."""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hotline.adapters.web.problems import PROBLEM_MEDIA_TYPE, TYPE_PREFIX

MULTIPART_OVERHEAD = 64 * 1024


class UploadSizeGuard:
    """Refuse an upload whose declared length is over the limit before its body is read.

    The multipart parser would otherwise spool the whole body to disk first; the service still
    checks the real size, so a missing or false Content-Length changes nothing but speed.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._too_large(scope):
            await _too_large_problem(scope["path"], self.max_bytes)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _too_large(self, scope: Scope) -> bool:
        if scope["method"] != "POST" or not scope["path"].endswith("/attachments"):
            return False
        length = dict(scope["headers"]).get(b"content-length", b"")
        return length.isdigit() and int(length) > self.max_bytes + MULTIPART_OVERHEAD


def _too_large_problem(path: str, limit: int) -> JSONResponse:
    code = "attachment_too_large"
    body = {
        "type": TYPE_PREFIX + code,
        "title": "附件过大",
        "status": 413,
        "detail": f"附件不能超过 {limit // 1024} KB（{limit} 字节）",
        "code": code,
        "instance": path,
    }
    return JSONResponse(body, status_code=413, media_type=PROBLEM_MEDIA_TYPE)


class NoStoreForApi:
    """API answers carry personal data (even masked): no shared or disk cache may keep them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_no_store)
