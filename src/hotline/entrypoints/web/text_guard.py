"""Text with a NUL character is refused at the door, naming each field that carries it.

JSON may spell U+0000 (``\\u0000``) inside a string and a query or path may carry ``%00``.
PostgreSQL can neither store nor compare a NUL, SQLite stores it: the same request was a 500 deep
in a service on one database and kept on the other. No complaint, unit code or password needs
one, so every path, query, JSON and form value is checked before any route runs (before the
token too: the refusal tells nothing about the data). Headers are left to the HTTP server, which
refuses control characters there itself; lone surrogates pydantic refuses for every text field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from hotline.domain.errors import InvalidInput
from hotline.entrypoints.web.problem_details import ApiProblem

REASON = "不能包含 NUL 字符（U+0000）"
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


async def refuse_nul_text(request: Request) -> None:
    """A dependency of every route: 422 naming the fields whose text holds a NUL."""
    values = [*request.path_params.items(), *request.query_params.multi_items()]
    values += await _body_values(request)
    names = list(dict.fromkeys(_shown(name) for name, text in values if "\x00" in text))
    if names:
        raise ApiProblem(
            422,
            InvalidInput.code,
            InvalidInput.title,
            f"以下字段有误：{'、'.join(names)}",
            invalid_params=[(name, REASON) for name in names],
        )


def _shown(name: str) -> str:
    """A field name the answer can carry: a key may hold a lone surrogate, which no UTF-8
    encoder writes."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


async def _body_values(request: Request) -> list[tuple[str, str]]:
    """(field, text) of the body as the route read it: FastAPI has already parsed (and cached)
    a form, or read the JSON bytes, by the time dependencies run."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(FORM_TYPES):
        return list(_form_texts((await request.form()).multi_items()))
    try:
        document = json.loads(await request.body() or b"null")
    except ValueError:  # not JSON: the route refuses it by its own rules
        return []
    return list(_json_texts(document, ""))


def _form_texts(items: Iterable[tuple[str, Any]]) -> Iterator[tuple[str, str]]:
    for name, value in items:
        if isinstance(value, UploadFile):
            yield name, value.filename or ""
        else:
            yield name, str(value)


def _json_texts(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string value in a JSON document with its dotted path (``co_units.0``), the way
    ``invalid_params`` names a field. Keys are the models' business: unknown ones are refused
    by name or ignored."""
    if isinstance(value, str):
        yield path or "body", value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _json_texts(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_texts(item, f"{path}.{index}" if path else str(index))
