"""``hotline openapi``: the API's OpenAPI document, for the workbench's generated types.

The document is built from the application's routes alone, so the command needs no database: the
app is created over an empty in-memory SQLite database (no file, no server, whatever
``HOTLINE_DATABASE_URL`` says). The output is deterministic (same code → same bytes): keys keep the
order FastAPI builds them in, Chinese is written as characters, and the file ends with a newline,
so a CI check can compare a regenerated ``web/src/api/schema.d.ts`` with the committed one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from hotline.bootstrap import build_hotline
from hotline.entrypoints.cli.output import log

NO_DATABASE = "sqlite://"  # in memory and empty: building the document reads no table


def openapi_document() -> dict[str, Any]:
    from hotline.config import Settings
    from hotline.entrypoints.web.app import create_app

    hotline = build_hotline(Settings(database_url=NO_DATABASE))
    document: dict[str, Any] = create_app(hotline).openapi()
    return document


def openapi_command(
    out: Annotated[
        Path | None, typer.Option("--out", help="写入该文件（默认输出到标准输出）")
    ] = None,
) -> None:
    """Print the API's OpenAPI document (JSON); needs no database."""
    text = json.dumps(openapi_document(), ensure_ascii=False, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    out.write_text(text, encoding="utf-8")
    log(f"已写入 {out}")
