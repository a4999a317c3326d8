"""The FastAPI application: JSON API under /api/v1, health check, OpenAPI docs at /docs."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from hotline.entrypoints.open311 import MOUNT_PATH, create_open311_app
from hotline.entrypoints.web import (
    routes_attachments,
    routes_audit,
    routes_auth,
    routes_calendar,
    routes_cases,
    routes_classifier,
    routes_cockpit,
    routes_evaluation,
    routes_indicators,
    routes_intake,
    routes_me,
    routes_problems,
    routes_reference,
    routes_reports,
    routes_standard_answers,
    routes_supervision,
    routes_vocabularies,
)
from hotline.entrypoints.web.docs_ui import install_docs
from hotline.entrypoints.web.middleware import (
    ApiRequestGuard,
    NoStoreForApi,
    SecurityHeaders,
    UploadSizeGuard,
)
from hotline.entrypoints.web.problem_details import install_problem_docs, install_problem_handlers
from hotline.entrypoints.web.text_guard import refuse_nul_text
from hotline.entrypoints.web.workbench import install_workbench
from hotline.services.context import Hotline

DESCRIPTION = """城管热线工单系统的 JSON 接口。

* 认证：`Authorization: Bearer <令牌>`（`hotline user create` 或 `POST /api/v1/auth/login`），
  或网页会话 Cookie（`POST /api/v1/auth/session`；写请求须带 `X-CSRF-Token`）。
* 错误：`application/problem+json`（RFC 9457），`code` 为稳定的机器代码。
* 并发：工单的 `ETag` 即版本号；操作须带 `If-Match`。
* 登记重试：`Idempotency-Key`。

详见 docs/api.md 与 docs/roles.md。
"""


def create_app(hotline: Hotline) -> FastAPI:
    app = FastAPI(
        title="hotline 城管热线 API",
        version="1",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,  # ReDoc loads its script from a CDN; /docs is served locally
        dependencies=[Depends(refuse_nul_text)],
    )
    app.state.hotline = hotline
    install_problem_handlers(app)
    install_problem_docs(app)
    install_docs(app)
    routers = (
        routes_auth,
        routes_cases,
        routes_attachments,
        routes_me,
        routes_calendar,
        routes_intake,
        routes_audit,
        routes_supervision,
        routes_problems,
        routes_reference,
        routes_indicators,
        routes_cockpit,
        routes_classifier,
        routes_evaluation,
        routes_reports,
        routes_vocabularies,
        routes_standard_answers,
    )
    for module in routers:
        app.include_router(module.router)
    app.mount(MOUNT_PATH, create_open311_app(hotline))
    # Added last is outermost: headers on every answer, the guard's refusals included.
    app.add_middleware(UploadSizeGuard, max_bytes=hotline.settings.attachment_max_bytes)
    app.add_middleware(
        ApiRequestGuard, max_body_bytes=hotline.settings.json_body_max_bytes, router=app.router
    )
    app.add_middleware(NoStoreForApi)
    app.add_middleware(SecurityHeaders)

    @app.get("/healthz", tags=["运维 ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    install_workbench(app, hotline.settings.workbench_dir)  # last: every API route wins
    return app
