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

from hotline.domain.errors import (
    ConcurrentChange,
    Conflict,
    DomainError,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
)
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


# The shared services speak Chinese (their messages are for the workbench); an integrator's
# developer reads English. A Chinese-only message gets an English lead naming the kind of refusal
# and the field by its Open311 name, the Chinese kept beside it for the citizen's screen.
ENGLISH: list[tuple[type[DomainError], str]] = [
    (IllegalTransition, "the request's current status does not allow this"),
    (ConcurrentChange, "the request was changed at the same moment, try again"),
    (InvalidInput, "invalid value"),
    (NotFound, "not found"),
    (Forbidden, "not allowed"),
    (Conflict, "conflicts with the current state"),
    (DomainError, "refused"),
]
OPEN311_FIELD = {
    "content": "description",
    "caller_phone": "phone",
    "caller_name": "first_name/last_name",
    "lon": "long",
    "category_code": "service_code",
    "coord_system": "lat/long",
    "address": "address_string",
}


def bilingual(error: DomainError) -> str:
    """``error.detail`` as it is when it is already English, else English（中文）."""
    detail = error.detail
    if detail[:1].isascii():
        return detail
    lead = next(text for kind, text in ENGLISH if isinstance(error, kind))
    fields = [OPEN311_FIELD.get(name, name) for name in error.fields]
    named = f" for {', '.join(dict.fromkeys(fields))}" if fields else ""
    return f"{lead}{named}（{detail}）"


async def _domain(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return error_response(request, _status_of(exc), bilingual(exc))


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
