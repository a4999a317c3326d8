"""``hotline openapi``: the OpenAPI document the workbench's types are generated from."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hotline.entrypoints.cli.main import app

runner = CliRunner()
UNREACHABLE = {"HOTLINE_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none"}


def test_prints_the_document_without_a_database() -> None:
    result = runner.invoke(app, ["openapi"], env=UNREACHABLE)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["openapi"].startswith("3.")
    assert "/api/v1/cases/{number}/actions" in document["paths"]
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_the_same_code_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for out in (first, second):
        result = runner.invoke(app, ["openapi", "--out", str(out)], env=UNREACHABLE)
        assert result.exit_code == 0, result.stderr
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    assert text.endswith("}\n") and "工单" in text  # Chinese as characters, not \\u escapes
