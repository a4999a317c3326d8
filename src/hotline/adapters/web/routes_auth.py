"""Logging in with a password: a new API token (lockout after repeated failures)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from hotline.adapters.web.auth import HotlineDep, NowDep
from hotline.adapters.web.problems import ApiProblem, problem_responses
from hotline.adapters.web.schemas import LoginIn, LoginOut
from hotline.domain.errors import Forbidden
from hotline.services.accounts import login, new_token

router = APIRouter(prefix="/api/v1/auth", tags=["认证 auth"])


@router.post(
    "/login",
    response_model=LoginOut,
    summary="密码登录，取得令牌",
    responses=problem_responses(401, 422),
)
def login_endpoint(body: LoginIn, hotline: HotlineDep, now: NowDep) -> Response:
    """Check the password; after repeated failures the account is locked for a while."""
    try:
        actor = login(hotline, body.name, body.password, now)
    except Forbidden as refusal:  # wrong password, unknown user, locked or disabled account
        raise ApiProblem(
            401,
            "login_failed",
            "登录失败",
            refusal.detail,
            headers={"WWW-Authenticate": 'Bearer realm="hotline"'},
        ) from refusal
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
        headers={"Cache-Control": "no-store"},
    )
