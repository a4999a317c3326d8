"""Who is calling: Bearer API tokens, checked by the accounts service on every request.

The JSON API serves the staff, that is every role that may read cases; others get 403.

The service context sits on ``app.state.hotline``; its ``now`` is the clock (tests use a fake
one), so token expiry is judged against the same time as everything else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hotline.adapters.web.problems import ApiProblem
from hotline.domain.errors import Forbidden
from hotline.domain.roles import Actor, Permission, may
from hotline.services.accounts import authenticate_token
from hotline.services.context import Hotline

bearer = HTTPBearer(
    auto_error=False,
    description="API 令牌：`hotline user create` 或 `POST /api/v1/auth/login` 取得",
)


def hotline_of(request: Request) -> Hotline:
    hotline: Hotline = request.app.state.hotline
    return hotline


def now_of(request: Request) -> datetime:
    return hotline_of(request).now()


def _unauthenticated(code: str, detail: str, error: str | None = None) -> ApiProblem:
    challenge = 'Bearer realm="hotline"'
    if error:
        challenge += f', error="{error}"'
    return ApiProblem(401, code, "未认证", detail, headers={"WWW-Authenticate": challenge})


def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The actor behind the request's Bearer token; 401 with a Bearer challenge otherwise."""
    if credentials is None:
        raise _unauthenticated("unauthenticated", "请在 Authorization 请求头中提供 Bearer 令牌")
    hotline = hotline_of(request)
    actor = authenticate_token(hotline, credentials.credentials, hotline.now())
    if actor is None:
        raise _unauthenticated(
            "invalid_token", "令牌无效、已过期、已作废或用户已停用", error="invalid_token"
        )
    if not may(actor.role, Permission.READ_CASE):
        # Roles that may not read cases (partner platforms) are no staff: they file through
        # Open311, which shows only the public view; a create here would answer with the case.
        raise ApiProblem(
            403, Forbidden.code, Forbidden.title, f"角色「{actor.role.value}」只能使用 Open311 接口"
        )
    return actor


HotlineDep = Annotated[Hotline, Depends(hotline_of)]
ActorDep = Annotated[Actor, Depends(current_actor)]
NowDep = Annotated[datetime, Depends(now_of)]
