"""Every Open311 failure as the spec's ``errors`` array, in the format the path asked for.

HTTP statuses follow the spec: 404 for what does not exist, 403 for a missing or wrong api_key,
400 for everything else that cannot be fulfilled (a general service error included). Two
statuses are added where HTTP has a precise one that clients act on: 413 for an oversized body
and 429 (with Retry-After) for a rate limit.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ExceptionHandler

from hotline.domain.errors import DomainError, Forbidden, NotFound
from hotline.entrypoints.open311.wire import errors_document, format_of_path, render

log = logging.getLogger(__name__)


class Open311Error(Exception):
    def __init__(
        self, status: int, description: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.status, self.description, self.headers = status, description, dict(headers or {})


def _status_of(error: DomainError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Forbidden):
        return 403
    return 400


def error_response(request: Request, status: int, description: str, **headers: str) -> Response:
    fmt = format_of_path(request.url.path)
    return render(fmt, "errors", errors_document(status, description), status, headers)


async def _open311(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Open311Error)
    return error_response(request, exc.status, exc.description, **exc.headers)


async def _domain(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return error_response(request, _status_of(exc), exc.detail)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    description = "no such resource" if exc.status_code == 404 else str(exc.detail)
    return error_response(request, exc.status_code, description, **(exc.headers or {}))


async def _unexpected(request: Request, exc: Exception) -> Response:
    # The spec's "general service error" is a 400; the cause goes to the log, not the client.
    log.exception("Open311 request failed: %s %s", request.method, request.url.path)
    return error_response(request, 400, "general service error（服务暂时不可用，请稍后重试）")


EXCEPTION_HANDLERS: dict[Any, ExceptionHandler] = {
    Open311Error: _open311,
    DomainError: _domain,
    StarletteHTTPException: _http,
    Exception: _unexpected,
}
