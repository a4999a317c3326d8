"""CORS for the Open311 interface: browsers on the configured origins may read the public GETs.

A hand-written ASGI middleware rather than Starlette's ``CORSMiddleware`` because that one adds
``Access-Control-Allow-Origin`` to every simple response, POST included; here a POST is opened to
browsers only where ``cors_allow_post`` says so (a partner's web form), since a page that can
POST from a visitor's browser can file cases under the partner's key.
No origin is allowed by default: the interface is for servers until the centre names its partners.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFLIGHT_MAX_AGE = "600"  # seconds a browser may reuse a preflight answer


class Open311Cors:
    def __init__(self, app: ASGIApp, origins: tuple[str, ...], allow_post: bool) -> None:
        self.app = app
        self.origins = frozenset(origins)
        self.methods = ("GET", "HEAD", "POST") if allow_post else ("GET", "HEAD")

    def _allowed(self, origin: str | None) -> bool:
        return origin is not None and ("*" in self.origins or origin in self.origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if not self._allowed(origin):
            await self.app(scope, receive, send)
            return
        assert origin is not None
        wanted = headers.get("access-control-request-method")
        if scope["method"] == "OPTIONS" and wanted is not None:
            await self._preflight(origin, wanted.upper())(scope, receive, send)
            return
        if scope["method"] not in self.methods:
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, self._with_origin(send, origin))

    def _preflight(self, origin: str, wanted: str) -> Response:
        """204 naming what is allowed; a method that is not allowed gets no CORS headers, so
        the browser refuses the request it was about to make."""
        if wanted not in self.methods:
            return Response(status_code=204, headers={"Vary": "Origin"})
        allowed = {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": ", ".join(self.methods),
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
            "Vary": "Origin",
        }
        if "POST" in self.methods:
            allowed["Access-Control-Allow-Headers"] = "Content-Type"
        return Response(status_code=204, headers=allowed)

    @staticmethod
    def _with_origin(send: Send, origin: str) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Access-Control-Allow-Origin"] = origin
                headers.add_vary_header("Origin")
            await send(message)

        return sending
