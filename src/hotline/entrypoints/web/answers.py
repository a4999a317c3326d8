"""JSON answers whose bytes the response model does not rewrite.

A route that declares ``response_model`` and returns a dict has FastAPI validate the dict into
the model and serialize the model: declared fields first, values coerced (a time string becomes
a datetime written back another way). The models document the services' dicts instead (see
``schemas``), so these routes answer the dict encoded exactly as FastAPI encodes an untyped one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import TypeAdapter

_ANY: TypeAdapter[Any] = TypeAdapter(Any)


def json_answer(
    content: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """``content`` as JSON, as FastAPI would have written it for a route without a model."""
    return JSONResponse(_ANY.dump_python(content, mode="json"), status_code, headers)
