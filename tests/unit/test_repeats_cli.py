"""``hotline repeats cluster`` through Typer's CliRunner."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from openpyxl import Workbook
from typer.testing import CliRunner, Result

from hotline.entrypoints.cli.repeats import repeats_app
from tests.unit.repeats_corpus import CORPUS

runner = CliRunner()
HEADER = ["编号", "标题", "内容", "时间"]


def rows() -> list[list[str]]:
    return [
        [f"00{n}" if n < 3 else doc_id, title, body, f"2025-06-{n + 1:02d} 09:00:00"]
        for n, (doc_id, title, body) in enumerate(CORPUS)
    ]


def write_csv(path: Path, table: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows([HEADER, *table])
    return path


def cluster(data: Path, out: Path, *extra: str) -> Result:
    args = ["cluster", "--data", str(data), "--id-column", "编号", "--text-column", "标题"]
    args += ["--text-column", "内容", "--out", str(out), *extra]
    return runner.invoke(repeats_app, args, env={"HOTLINE_TIMEZONE": "Asia/Shanghai"})


def read_groups(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def flat(text: str) -> str:
    return "".join(text.split())


def test_a_good_file_gives_one_row_per_input_row(tmp_path: Path) -> None:
    out = tmp_path / "groups.csv"
    result = cluster(write_csv(tmp_path / "in.csv", rows()), out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == str(out)
    written = read_groups(out)
    assert written[0] == ["message_id", "group_id"]
    assert [row[0] for row in written[1:]] == [row[0] for row in rows()]  # ids exactly as given
    groups = {row[0]: row[1] for row in written[1:]}
    assert groups["000"] == groups["001"]  # fumes-1 and fumes-2
    assert groups["lamp"] != groups["manhole"]


def test_json_prints_one_summary_document(tmp_path: Path) -> None:
    result = cluster(write_csv(tmp_path / "in.csv", rows()), tmp_path / "g.csv", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["rows"] == len(CORPUS)
    assert 1 <= summary["groups"] < len(CORPUS)
    assert summary["largest_groups"][0]["size"] >= 2
    assert "seconds" in summary


def test_duplicate_ids_are_refused_by_name(tmp_path: Path) -> None:
    table = rows()
    table[5][0] = table[7][0] = "dup-9"
    result = cluster(write_csv(tmp_path / "in.csv", table), tmp_path / "g.csv")
    assert result.exit_code != 0
    assert "dup-9" in result.stderr and "重复" in result.stderr
    assert not (tmp_path / "g.csv").exists()


def test_a_missing_column_is_named_with_the_columns_present(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "in.csv", rows())
    args = ["cluster", "--data", str(data), "--id-column", "id", "--text-column", "内容"]
    result = runner.invoke(repeats_app, [*args, "--out", str(tmp_path / "g.csv")])
    assert result.exit_code != 0
    message = flat(result.stderr)
    assert "「id」" in message and "「编号」" in message and "「内容」" in message


def test_a_gb18030_file_is_read(tmp_path: Path) -> None:
    out = tmp_path / "g.csv"
    result = cluster(write_csv(tmp_path / "gbk.csv", rows(), encoding="gb18030"), out)
    assert result.exit_code == 0, result.stderr
    assert len(read_groups(out)) == len(CORPUS) + 1


def test_an_xlsx_file_is_read(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows():
        sheet.append([360100 if row[0] == "000" else row[0], *row[1:]])
    book.save(tmp_path / "in.xlsx")
    out = tmp_path / "g.csv"
    result = cluster(tmp_path / "in.xlsx", out)
    assert result.exit_code == 0, result.stderr
    assert read_groups(out)[1][0] == "360100"  # a number cell, written as typed


def test_the_window_needs_a_time_column(tmp_path: Path) -> None:
    result = cluster(
        write_csv(tmp_path / "in.csv", rows()), tmp_path / "g.csv", "--window-days", "30"
    )
    assert result.exit_code != 0 and "--time-column" in result.stderr


def test_a_window_with_times_runs(tmp_path: Path) -> None:
    extra = ("--time-column", "时间", "--window-days", "30", "--threshold", "0.2")
    result = cluster(write_csv(tmp_path / "in.csv", rows()), tmp_path / "g.csv", *extra)
    assert result.exit_code == 0, result.stderr


def test_an_unreadable_time_is_named(tmp_path: Path) -> None:
    table = rows()
    table[2][3] = "去年夏天"
    extra = ("--time-column", "时间", "--window-days", "30")
    result = cluster(write_csv(tmp_path / "in.csv", table), tmp_path / "g.csv", *extra)
    assert result.exit_code != 0 and "去年夏天" in result.stderr


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    result = cluster(tmp_path / "nope.csv", tmp_path / "g.csv")
    assert result.exit_code != 0 and "找不到文件" in result.stderr
