"""Idempotency-Key over HTTP: create once per key, answer a retry with the case it made.

The bookkeeping lives in :mod:`hotline.services.cases.idempotency` (the key's row is written with
the case, in one transaction). A retry's answer is built like the first one, from the case as it is
now, with ``Idempotent-Replayed: true`` so a client can tell a replay.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi.responses import Response

from hotline.domain.roles import Actor
from hotline.services.cases.idempotency import KeyClaim, fingerprint
from hotline.services.cases.idempotency import create_once as create_case_once
from hotline.services.context import Hotline


def create_once(
    hotline: Hotline,
    actor: Actor,
    key: str,
    request_body: dict[str, Any],
    now: datetime,
    create: Callable[[KeyClaim], str],
    answer: Callable[[str], Response],
) -> Response:
    """``create`` (storing the key with its case) at most once per (user, key); ``answer``
    turns the case's number into the response, for the first request and every retry."""
    created = create_case_once(hotline, actor.name, key, fingerprint(request_body), now, create)
    response = answer(created.number)
    if created.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response
