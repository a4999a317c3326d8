"""Errors as ``application/problem+json`` (RFC 9457), with a stable machine ``code``.

Every refusal leaves the API in one shape: ``type`` (a tag URI naming the code), a Chinese
``title`` and ``detail`` for people, ``status``, ``code`` for programs, ``instance`` (the request
path) and, on 422, ``invalid_params`` naming each invalid field. Domain and service errors map to
a status by class; FastAPI's own validation errors and Starlette's HTTP errors are converted too.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from hotline.domain.errors import (
    ConcurrentChange,
    Conflict,
    DomainError,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
)
from hotline.entrypoints.web.validation_messages import invalid_params_of
from hotline.services.cases.attachments import AttachmentTooLarge, UnsupportedAttachmentType

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "tag:hotline,2026:problem:"
log = logging.getLogger(__name__)

# Most specific first: the first class in an error's MRO found here gives its status.
STATUS_BY_ERROR: dict[type[DomainError], int] = {
    AttachmentTooLarge: 413,
    UnsupportedAttachmentType: 415,
    InvalidInput: 422,
    IllegalTransition: 409,
    ConcurrentChange: 409,
    Conflict: 409,
    NotFound: 404,
    Forbidden: 403,
}

HTTP_PROBLEMS: dict[int, tuple[str, str]] = {
    404: ("not_found", "未找到"),
    405: ("method_not_allowed", "不支持该请求方法"),
    406: ("not_acceptable", "无法提供所要求的格式"),
    413: ("payload_too_large", "请求体过大"),
    415: ("unsupported_media_type", "不支持的请求格式"),
}


class InvalidParam(BaseModel):
    name: str = Field(description="出错的字段（请求体字段、查询参数或请求头）")
    reason: str = Field(description="中文说明")


class Problem(BaseModel):
    """RFC 9457 problem details, with the machine ``code`` and, on 422, ``invalid_params``."""

    type: str = Field(examples=["tag:hotline,2026:problem:illegal_transition"])
    title: str = Field(examples=["当前状态不允许该操作"])
    status: int = Field(examples=[409])
    detail: str = Field(examples=["工单处于「已结案」状态，不能执行「派遣」（closed → dispatch）"])
    code: str = Field(examples=["illegal_transition"])
    instance: str | None = Field(default=None, examples=["/api/v1/cases/20261124-000001/actions"])
    invalid_params: list[InvalidParam] | None = None


class ApiProblem(Exception):
    """A refusal made by the web adapter itself (auth, preconditions)."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        invalid_params: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.title, self.detail = status, code, title, detail
        self.headers = dict(headers or {})
        self.invalid_params = list(invalid_params)


def problem_response(
    request: Request,
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    invalid_params: Sequence[tuple[str, str]] = (),
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
    }
    if invalid_params:
        body["invalid_params"] = [{"name": name, "reason": why} for name, why in invalid_params]
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def status_of(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = status_of(exc)
    params = [(name, exc.detail) for name in exc.fields] if status == 422 else []
    return problem_response(request, status, exc.code, exc.title, exc.detail, invalid_params=params)


def _api_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem_response(
        request,
        exc.status,
        exc.code,
        exc.title,
        exc.detail,
        headers=exc.headers,
        invalid_params=exc.invalid_params,
    )


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    params = invalid_params_of(exc.errors(), exc.body)
    names = "、".join(dict.fromkeys(name for name, _ in params))
    detail = f"以下字段有误：{names}" if names else "请求有误"
    return problem_response(
        request, 422, InvalidInput.code, InvalidInput.title, detail, invalid_params=params
    )


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        return _unreadable_body(request)
    code, title = HTTP_PROBLEMS.get(exc.status_code, ("http_error", "请求未能完成"))
    detail = f"没有这个地址：{request.url.path}" if exc.status_code == 404 else title
    return problem_response(
        request, exc.status_code, code, title, detail, headers=getattr(exc, "headers", None)
    )


def _unreadable_body(request: Request) -> JSONResponse:
    """FastAPI's 400 for a body it could not read (JSON not in UTF-8, a broken multipart form):
    the same 422 naming ``body`` as malformed JSON gets, so a client handles one answer."""
    reason = "请求体无法解析：JSON 须为 UTF-8 编码，上传须为完整的 multipart/form-data"
    return problem_response(
        request,
        422,
        InvalidInput.code,
        InvalidInput.title,
        "以下字段有误：body",
        invalid_params=[("body", reason)],
    )


def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        request, 500, "internal_error", "服务器内部错误", "请稍后重试或联系管理员"
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


DESCRIBED: dict[int, str] = {
    401: "未认证：缺少、无效或过期的令牌",
    403: "角色无权执行",
    404: "工单不存在、编号格式有误或不在本人范围内",
    409: "当前状态不允许该操作，或并发冲突",
    412: "If-Match 与工单当前版本不符",
    413: "附件过大",
    415: "附件类型不支持",
    422: "输入有误，invalid_params 指明字段",
    428: "缺少 If-Match 请求头",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the given error statuses, all in the problem shape."""
    return {
        status: {"model": Problem, "description": DESCRIBED.get(status, "错误")}
        for status in statuses
    }


def install_problem_docs(app: FastAPI) -> None:
    """Make the OpenAPI document say what the handlers send: every error a ``Problem`` in
    ``application/problem+json``. FastAPI files a response model under the route's own media
    type (``application/json``) and documents its validation errors as ``HTTPValidationError``;
    neither is ever sent, so clients and schema checks would read the wrong shape."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _errors_as_problems(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _errors_as_problems(document: dict[str, Any]) -> dict[str, Any]:
    problem = {"schema": {"$ref": "#/components/schemas/Problem"}}
    for path in document.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {PROBLEM_MEDIA_TYPE: problem}
                    if response.get("description") == "Validation Error":  # FastAPI's own
                        response["description"] = DESCRIBED[422]
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document
