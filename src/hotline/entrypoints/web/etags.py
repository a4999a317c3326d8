"""Optimistic concurrency over HTTP: a case's version is its ETag (``"3"``); actions need If-Match.

A missing If-Match on an action is 428: a client must say which version it saw, or two people
acting at once would silently overwrite each other. If-Match ``*`` means "whatever is current".
"""

from __future__ import annotations

import re
from typing import Any

from fastapi.responses import JSONResponse

from hotline.domain.errors import ConcurrentChange
from hotline.entrypoints.web.problem_details import ApiProblem

ANY_VERSION = "*"
# A strong entity tag of digits; the bare number is accepted too, for people typing curl.
VERSION_TAG = re.compile(r'^\s*(?:"(\d{1,18})"|(\d{1,18}))\s*$')


def etag_of(version: int) -> str:
    return f'"{version}"'


def case_response(view: dict[str, Any], status: int = 200, **headers: str) -> JSONResponse:
    """A response carrying a case, with its version as the ETag."""
    return JSONResponse(
        view, status_code=status, headers={"ETag": etag_of(int(view["version"])), **headers}
    )


def expected_version(if_match: str | None) -> int | None:
    """The version the client saw, from If-Match; None for ``*``.

    Missing → 428. A tag that can never match a case's ETag (weak, malformed, several) → 412.
    """
    if if_match is None or not if_match.strip():
        raise ApiProblem(
            428,
            "precondition_required",
            "缺少 If-Match 请求头",
            '操作工单须在 If-Match 中给出所见的版本（即读取时的 ETag，如 "3"）',
        )
    if if_match.strip() == ANY_VERSION:
        return None
    match = VERSION_TAG.match(if_match)
    if match is None:
        raise ApiProblem(
            412,
            "precondition_failed",
            "If-Match 与工单当前版本不符",
            f'无法识别的 If-Match「{if_match}」：须为一个强 ETag，如 "3"',
        )
    return int(match.group(1) or match.group(2))


def concurrency_problem(error: ConcurrentChange) -> ApiProblem:
    """412 when the If-Match version was already stale; 409 when the race was lost in flight.

    ``perform_action`` compares the version under the row lock and raises without a cause; a
    lost race detected at write time (the ORM's version counter) is raised from the ORM's error.
    """
    if error.__cause__ is None:
        return ApiProblem(412, "precondition_failed", "If-Match 与工单当前版本不符", error.detail)
    return ApiProblem(409, error.code, error.title, error.detail)
