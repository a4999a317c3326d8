"""Logging in with a password: an API token for programs (lockout after repeated failures), and
the browser session of the web workbench (an HttpOnly cookie and a CSRF token)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from hotline.config import Settings
from hotline.domain.errors import Forbidden
from hotline.entrypoints.web.auth import HotlineDep, NowDep, SessionCookieDep, session_ended
from hotline.entrypoints.web.middleware import SESSION_COOKIE
from hotline.entrypoints.web.problem_details import ApiProblem, problem_responses
from hotline.entrypoints.web.schemas import LoginIn, LoginOut, SessionOut
from hotline.services.accounts.sessions import (
    SessionEnded,
    SessionView,
    describe_session,
    end_session,
    open_session,
)
from hotline.services.accounts.users import login, new_token

router = APIRouter(prefix="/api/v1/auth", tags=["认证 auth"])
NO_STORE = {"Cache-Control": "no-store"}


def _login_failed(refusal: Forbidden) -> ApiProblem:
    """Wrong password, unknown user, locked or disabled account: one answer for all."""
    return ApiProblem(
        401,
        "login_failed",
        "登录失败",
        refusal.detail,
        headers={"WWW-Authenticate": 'Bearer realm="hotline"'},
    )


@router.post(
    "/login",
    response_model=LoginOut,
    summary="密码登录，取得令牌",
    responses=problem_responses(401, 422),
)
def login_endpoint(body: LoginIn, hotline: HotlineDep, now: NowDep) -> Response:
    """For programs: check the password and issue an API token. After repeated failures the
    account is locked for a while. Browsers use `POST /api/v1/auth/session` instead."""
    try:
        actor = login(hotline, body.name, body.password, now)
    except Forbidden as refusal:
        raise _login_failed(refusal) from refusal
    token = new_token(hotline, actor.name, now)
    expires_at = now + timedelta(days=hotline.settings.token_days)
    return JSONResponse(
        {
            "token": token,
            "token_type": "Bearer",
            "expires_at": expires_at.isoformat(),
            "user": actor.name,
            "role": actor.role.value,
        },
        headers=NO_STORE,
    )


@router.post(
    "/session",
    response_model=SessionOut,
    summary="网页登录：建立会话（Cookie）",
    responses=problem_responses(401, 422),
)
def open_session_endpoint(
    body: LoginIn, request: Request, hotline: HotlineDep, now: NowDep
) -> Response:
    """Check the password as `/auth/login` does and set the HttpOnly session cookie
    `hotline_session`; the answer is the session as `GET` shows it, never a bearer token. A
    session the browser still held ends."""
    # Read directly, not as a security dependency: the docs must not show this route as
    # needing a session.
    old_id = request.cookies.get(SESSION_COOKIE)
    try:
        new_id, view = open_session(hotline, body.name, body.password, now, replacing=old_id)
    except Forbidden as refusal:
        raise _login_failed(refusal) from refusal
    response = JSONResponse(session_body(view), headers=NO_STORE)
    _set_cookie(response, new_id, hotline.settings)
    return response


@router.get(
    "/session",
    response_model=SessionOut,
    summary="当前网页会话：用户、角色、权限、到期时间与 CSRF 令牌",
    responses=problem_responses(401),
)
def session_endpoint(session_id: SessionCookieDep, hotline: HotlineDep, now: NowDep) -> Response:
    """The session of the cookie; 401 `session_expired` after the idle timeout or the absolute
    lifetime, `session_invalid` after logout or when the user was disabled."""
    if not session_id:
        raise ApiProblem(
            401,
            "unauthenticated",
            "未认证",
            "没有网页会话，请先登录",
            headers={"WWW-Authenticate": 'Bearer realm="hotline"'},
        )
    try:
        view = describe_session(hotline, session_id, now)
    except SessionEnded as ended:
        raise session_ended(ended) from ended
    return JSONResponse(session_body(view), headers=NO_STORE)


@router.delete(
    "/session",
    status_code=204,
    summary="退出网页会话",
    responses=problem_responses(403),
)
def end_session_endpoint(
    session_id: SessionCookieDep, hotline: HotlineDep, now: NowDep
) -> Response:
    """Log out: the session ends on the server and the cookie is cleared. Needs `X-CSRF-Token`
    like every unsafe request made with the cookie; without a cookie there is nothing to end."""
    if session_id:
        end_session(hotline, session_id, now)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, **_cookie_attributes(hotline.settings))
    return response


def session_body(view: SessionView) -> dict[str, Any]:
    actor = view.actor
    return {
        "user": actor.name,
        "display_name": view.display_name,
        "role": actor.role.value,
        "role_label": view.role_label,
        "unit": view.unit,
        "unit_name": view.unit_name,
        "district": view.district,
        "district_name": view.district_name,
        "permissions": list(view.permissions),
        "idle_expires_at": view.idle_expires_at.isoformat(),
        "expires_at": view.expires_at.isoformat(),
        "csrf_token": view.csrf_token,
    }


def _cookie_attributes(settings: Settings) -> dict[str, Any]:
    """HttpOnly (no script reads it), SameSite=Strict (no cross-site request carries it), and
    Secure in production, where TLS ends at the proxy so the request itself looks like http."""
    return {
        "path": "/",
        "httponly": True,
        "samesite": "strict",
        "secure": settings.is_production,
    }


def _set_cookie(response: Response, session_id: str, settings: Settings) -> None:
    # No Max-Age: a browser-session cookie, forgotten when the browser closes; the server ends
    # the session itself after the idle timeout or the absolute lifetime.
    response.set_cookie(SESSION_COOKIE, session_id, **_cookie_attributes(settings))
