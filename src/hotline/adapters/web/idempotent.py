"""Idempotency-Key over HTTP: claim the key, run the create once, store or forget its answer.

The bookkeeping lives in :mod:`hotline.services.idempotency`; this module turns a stored answer
back into a response, with ``Idempotent-Replayed: true`` so a client can tell a replay.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi.responses import Response

from hotline.adapters.web.etags import etag_of
from hotline.domain.roles import Actor
from hotline.services.context import Hotline
from hotline.services.idempotency import (
    StoredResponse,
    abandon_request,
    begin_request,
    fingerprint,
    finish_request,
)


def replay(stored: StoredResponse, location_prefix: str) -> Response:
    headers = {"Idempotent-Replayed": "true"}
    document = json.loads(stored.body)
    if isinstance(document, dict) and "number" in document and "version" in document:
        headers["ETag"] = etag_of(int(document["version"]))
        headers["Location"] = f"{location_prefix}/{document['number']}"
    return Response(
        stored.body, status_code=stored.status, headers=headers, media_type="application/json"
    )


def create_once(
    hotline: Hotline,
    actor: Actor,
    key: str,
    request_body: dict[str, Any],
    now: datetime,
    create: Callable[[], Response],
    location_prefix: str = "/api/v1/cases",
) -> Response:
    """Run ``create`` at most once per (user, key); a retry gets the first answer back."""
    stored = begin_request(hotline, actor.name, key, fingerprint(request_body), now)
    if stored is not None:
        return replay(stored, location_prefix)
    try:
        response = create()
    except BaseException:
        abandon_request(hotline, actor.name, key)
        raise
    body = bytes(response.body).decode("utf-8")
    finish_request(hotline, actor.name, key, StoredResponse(response.status_code, body))
    return response
