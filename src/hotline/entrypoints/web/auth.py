"""Who is calling: a Bearer API token or the browser session cookie, checked on every request.

The Authorization header wins when present: then the cookie is not looked at. The session
cookie's CSRF token is checked earlier, by middleware.ApiRequestGuard, before the body is read.
The JSON API serves the staff, that is every role that may read cases; others get 403.

The service context sits on ``app.state.hotline``; its ``now`` is the clock (tests use a fake
one), so token and session expiry are judged against the same time as everything else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from hotline.domain.errors import Forbidden
from hotline.domain.roles import Actor, Permission, may
from hotline.entrypoints.web.middleware import SESSION_COOKIE
from hotline.entrypoints.web.problem_details import ApiProblem
from hotline.services.accounts.sessions import SessionEnded, session_actor
from hotline.services.accounts.users import authenticate_token
from hotline.services.context import Hotline

bearer = HTTPBearer(
    auto_error=False,
    description="API 令牌：`hotline user create` 或 `POST /api/v1/auth/login` 取得",
)
session_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description=(
        "网页会话：`POST /api/v1/auth/session` 设置；POST/PUT/PATCH/DELETE 还须带 "
        "`X-CSRF-Token`（取自 `GET /api/v1/auth/session`）"
    ),
)


NO_CREDENTIALS = "请先登录，或在 Authorization 请求头中提供 Bearer 令牌"


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


def session_ended(ended: SessionEnded) -> ApiProblem:
    """401 with the reason's stable code (session_expired, session_invalid): the workbench
    shows its re-login dialog and keeps the form."""
    return _unauthenticated(ended.reason.value, ended.detail)


def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    session_id: Annotated[str | None, Depends(session_cookie)],
) -> Actor:
    """The actor behind the request's Bearer token, else its session cookie; 401 otherwise."""
    return _actor(request, credentials, session_id, activity=True)


def polling_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    session_id: Annotated[str | None, Depends(session_cookie)],
) -> Actor:
    """As :func:`current_actor`, for a page's background poll: the session's idle clock does
    not move, so a browser left open still logs out after the idle timeout."""
    return _actor(request, credentials, session_id, activity=False)


def _actor(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    session_id: str | None,
    *,
    activity: bool,
) -> Actor:
    hotline = hotline_of(request)
    if "authorization" in request.headers:
        actor = _token_actor(hotline, credentials)
    elif session_id:
        try:
            actor = session_actor(hotline, session_id, hotline.now(), activity=activity)
        except SessionEnded as ended:
            raise session_ended(ended) from ended
    else:
        raise _unauthenticated("unauthenticated", NO_CREDENTIALS)
    if not may(actor.role, Permission.READ_CASE):
        # Roles that may not read cases (partner platforms) are no staff: they file through
        # Open311, which shows only the public view; a create here would answer with the case.
        raise ApiProblem(
            403, Forbidden.code, Forbidden.title, f"角色「{actor.role.value}」只能使用 Open311 接口"
        )
    return actor


def _token_actor(hotline: Hotline, credentials: HTTPAuthorizationCredentials | None) -> Actor:
    if credentials is None:
        raise _unauthenticated("unauthenticated", "请在 Authorization 请求头中提供 Bearer 令牌")
    actor = authenticate_token(hotline, credentials.credentials, hotline.now())
    if actor is None:
        raise _unauthenticated(
            "invalid_token", "令牌无效、已过期、已作废或用户已停用", error="invalid_token"
        )
    return actor


HotlineDep = Annotated[Hotline, Depends(hotline_of)]
ActorDep = Annotated[Actor, Depends(current_actor)]
PollingActorDep = Annotated[Actor, Depends(polling_actor)]
NowDep = Annotated[datetime, Depends(now_of)]
SessionCookieDep = Annotated[str | None, Depends(session_cookie)]
