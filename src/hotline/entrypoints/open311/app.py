"""The Open311 sub-application, mounted by the web app at ``/open311/v2``.

It is an application of its own rather than a router so that its errors keep the spec's shape
(the JSON API answers application/problem+json) and its limits stay its own. It is a bare
Starlette application: it has no OpenAPI schema and validates its arguments itself, so FastAPI's
layer would only add work to every request.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware

from hotline.entrypoints.open311.cors import Open311Cors
from hotline.entrypoints.open311.errors import EXCEPTION_HANDLERS
from hotline.entrypoints.open311.guard import KeyCache, TokenBuckets
from hotline.entrypoints.open311.routes import ROUTES, Runtime
from hotline.services.context import Hotline
from hotline.services.open311 import Open311Settings

MOUNT_PATH = "/open311/v2"


def create_open311_app(hotline: Hotline, settings: Open311Settings | None = None) -> Starlette:
    """``app.mount(MOUNT_PATH, create_open311_app(hotline))``; settings default to the
    ``HOTLINE_OPEN311_*`` environment."""
    cfg = settings or Open311Settings()
    cors = Middleware(Open311Cors, origins=cfg.cors_allowed_origins, allow_post=cfg.cors_allow_post)
    app = Starlette(routes=ROUTES, exception_handlers=EXCEPTION_HANDLERS, middleware=[cors])
    app.state.open311 = Runtime(
        hotline=hotline,
        cfg=cfg,
        per_key=TokenBuckets(cfg.rate_per_key_per_minute),
        per_address=TokenBuckets(cfg.rate_per_address_per_minute),
        keys=KeyCache(cfg.auth_cache_seconds),
    )
    return app
