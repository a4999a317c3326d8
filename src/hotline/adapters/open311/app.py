"""The Open311 sub-application, mounted by the web app at ``/open311/v2``.

It is an application of its own rather than a router so that its errors keep the spec's shape
(the JSON API answers application/problem+json) and its limits stay its own.
"""

from __future__ import annotations

from fastapi import FastAPI

from hotline.adapters.open311.errors import install_error_handlers
from hotline.adapters.open311.guard import KeyCache, TokenBuckets
from hotline.adapters.open311.routes import Runtime, router
from hotline.services.context import Hotline
from hotline.services.open311 import Open311Settings

MOUNT_PATH = "/open311/v2"


def create_open311_app(hotline: Hotline, settings: Open311Settings | None = None) -> FastAPI:
    """``app.mount(MOUNT_PATH, create_open311_app(hotline))``; settings default to the
    ``HOTLINE_OPEN311_*`` environment."""
    cfg = settings or Open311Settings()
    app = FastAPI(
        title="hotline Open311 GeoReport v2", docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.open311 = Runtime(
        hotline=hotline,
        cfg=cfg,
        per_key=TokenBuckets(cfg.rate_per_key_per_minute),
        per_address=TokenBuckets(cfg.rate_per_address_per_minute),
        keys=KeyCache(cfg.auth_cache_seconds),
    )
    install_error_handlers(app)
    app.include_router(router)
    return app
