"""The FastAPI application: JSON API under /api/v1, health check, OpenAPI docs at /docs."""

from __future__ import annotations

from fastapi import FastAPI

from hotline.services.context import Hotline


def create_app(hotline: Hotline) -> FastAPI:
    app = FastAPI(title="hotline 城管热线 API", version="1")
    app.state.hotline = hotline

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
