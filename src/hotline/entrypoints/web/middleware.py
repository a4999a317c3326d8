"""Pure ASGI middlewares: what is refused before the body is read (no credentials, no CSRF
token, too large), no caching of API answers, and the security headers of every response."""

from __future__ import annotations

from contextlib import suppress

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hotline.entrypoints.web.problem_details import PROBLEM_MEDIA_TYPE, TYPE_PREFIX
from hotline.services.accounts.sessions import csrf_token_matches

SESSION_COOKIE = "hotline_session"
CSRF_HEADER = "X-CSRF-Token"
API_PREFIX = "/api/v1/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_PATH = "/api/v1/auth/session"
LOGINS = frozenset({("POST", "/api/v1/auth/login"), ("POST", SESSION_PATH)})

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


def _is_upload(scope: Scope) -> bool:
    """Attachment uploads (multipart) have their own limit: UploadSizeGuard and the service."""
    return bool(scope["method"] == "POST" and scope["path"].endswith("/attachments"))


def _too_large_problem(path: str, limit: int) -> JSONResponse:
    detail = f"附件不能超过 {limit // 1024} KB（{limit} 字节）"
    return _problem(path, 413, "attachment_too_large", "附件过大", detail)


def _problem(
    path: str,
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem+json answer made before the application ran (same shape as problem_details.py)."""
    body = {
        "type": TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": path,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


class ApiRequestGuard:
    """What /api/v1 refuses before a byte of the body is read.

    An unsafe request (POST, PUT, PATCH, DELETE) to an endpoint, with neither an Authorization
    header nor the session cookie, gets 401 (the login routes excepted): FastAPI parses the body
    before its dependencies run, so a 100 MB body sent without any credentials used to be read
    and parsed first. An unsafe request authenticated by the session cookie must carry the
    session's CSRF token in X-CSRF-Token, else 403; a request with an Authorization header is
    judged by that header alone (the bearer token wins), and browsers never add one by
    themselves. Bodies over ``max_body_bytes`` get 413: by Content-Length at once, else by
    counting the bytes as they stream.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int, router: Router) -> None:
        self.app, self.max_body_bytes, self.router = app, max_body_bytes, router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope, Headers(scope=scope))
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if _is_upload(scope):
            await self.app(scope, receive, send)
            return
        await _BodyCap(self.app, self.max_body_bytes)(scope, receive, send)

    def _refusal(self, scope: Scope, headers: Headers) -> JSONResponse | None:
        path, method = scope["path"], scope["method"]
        if method not in SAFE_METHODS and (method, path) not in LOGINS and self._routed(scope):
            refusal = _credentials_refusal(path, headers)
            if refusal is not None:
                return refusal
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body_bytes and not _is_upload(scope):
            return _body_too_large(path, self.max_body_bytes)
        return None

    def _routed(self, scope: Scope) -> bool:
        """Whether an endpoint takes this method and path. Others keep the router's 404 or 405,
        which it gives without reading the body either."""
        return any(route.matches(scope)[0] is Match.FULL for route in self.router.routes)


def _credentials_refusal(path: str, headers: Headers) -> JSONResponse | None:
    """An unsafe request needs credentials, and with the cookie alone the CSRF token."""
    if "authorization" in headers:
        return None  # the bearer token decides (auth.current_actor); no CSRF token needed
    session_id = cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)
    if not session_id and path == SESSION_PATH:
        return None  # logging out without a session: nothing to end, nothing to protect
    if not session_id:
        detail = "请先登录，或在 Authorization 请求头中提供 Bearer 令牌"  # as auth.current_actor
        challenge = {"WWW-Authenticate": 'Bearer realm="hotline"'}
        return _problem(path, 401, "unauthenticated", "未认证", detail, headers=challenge)
    if not csrf_token_matches(session_id, headers.get(CSRF_HEADER)):
        detail = f"缺少或错误的 {CSRF_HEADER} 请求头；请刷新页面后重试"
        return _problem(path, 403, "csrf_failed", "请求校验失败", detail)
    return None


def _body_too_large(path: str, limit: int) -> JSONResponse:
    detail = f"请求体不能超过 {limit // 1024} KB（{limit} 字节）"
    return _problem(path, 413, "body_too_large", "请求体过大", detail)


class _BodyTooLarge(HTTPException):
    """Raised into the application when the streamed body passes the limit; FastAPI passes an
    HTTPException raised while reading the body on unchanged, and _BodyCap answers for it."""

    def __init__(self) -> None:
        super().__init__(413)


class _BodyCap:
    """One request whose body is counted as it streams; past the limit the application's own
    answer (if any) is dropped and a 413 sent instead."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit
        self.received = 0
        self.exceeded = self.started = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                if self.received > self.limit:
                    self.exceeded = True
                    raise _BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            if self.exceeded and not self.started:
                return
            if message["type"] == "http.response.start":
                self.started = True
            await send(message)

        with suppress(_BodyTooLarge):
            await self.app(scope, counted_receive, guarded_send)
        if self.exceeded and not self.started:
            await _body_too_large(scope["path"], self.limit)(scope, receive, send)


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


SPA_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
# Swagger UI from our own files (docs_ui.py): scripts only from files, its inline style attributes
# and data: icons allowed; "Try it out" calls this origin.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
)
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# Server-rendered notices (HTML under /api) are one page with an inline <style> and inline SVG.
DOCUMENT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
DOCS_PREFIXES = ("/docs", "/static/swagger-ui/")
API_PREFIXES = ("/api/", "/open311/", "/openapi.json", "/redoc")


def content_security_policy(path: str, content_type: str) -> str:
    """The CSP of a response, by where it is: the API (JSON, or an HTML notice), the docs, and
    everything else — the single-page workbench, whose paths are its own routes."""
    if path == "/docs" or path.startswith(DOCS_PREFIXES):
        return DOCS_POLICY
    if path == "/api" or path.startswith(API_PREFIXES):
        return DOCUMENT_POLICY if content_type.startswith("text/html") else API_POLICY
    return SPA_POLICY


class SecurityHeaders:
    """nosniff, no framing, no referrer, and a Content-Security-Policy by route on every answer
    (a route that sets its own header keeps it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                policy = content_security_policy(scope["path"], headers.get("content-type", ""))
                headers.setdefault("Content-Security-Policy", policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
