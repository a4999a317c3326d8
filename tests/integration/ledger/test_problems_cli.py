"""``hotline problems list`` (JSON, xlsx) and ``hotline repeats import`` on a real database."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from hotline.adapters.db.models import Case, ProblemLink
from hotline.config import Settings
from hotline.domain.roles import Actor
from hotline.entrypoints.worker import run_worker
from hotline.services.context import Hotline
from tests.integration.helpers import new_case
from tests.integration.ledger_corpus import store_archive_model
from tests.integration.test_cli import _run

TEXTS = (
    "历下区山大路东方小区门口烧烤摊每天晚上营业到凌晨两点，油烟很大，噪音扰民。",
    "历下区文化东路的井盖破损塌陷，行人差点掉进去，请尽快维修。",
    "市中区经四路有商户占道经营，把货物堆在人行道上，行人只能走机动车道。",
    "天桥区北园大街工地夜间施工噪音扰民，凌晨还在作业。",
)


def _cases(hotline: Hotline, actors: dict[str, Actor]) -> list[str]:
    store_archive_model(hotline)
    numbers = [new_case(hotline, actors["operator"], content=text, address=None) for text in TEXTS]
    run_worker(hotline, once=True)
    return numbers


def _problem_ids(hotline: Hotline, numbers: list[str]) -> list[int | None]:
    with hotline.db.transaction() as session:
        found = {number: problem for number, problem in session.execute(
            select(Case.number, Case.problem_id))}  # fmt: skip
    return [found[number] for number in numbers]


def test_problems_list_json_and_xlsx(
    settings: Settings, hotline: Hotline, actors: dict[str, Actor], tmp_path: Path
) -> None:
    numbers = _cases(hotline, actors)
    result = _run(settings, "problems", "list", "--json", "--sort", "count")
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert listed["total"] == len(set(_problem_ids(hotline, numbers))) == 4
    out = tmp_path / "ledger.xlsx"
    result = _run(settings, "problems", "list", "--xlsx", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(out)
    sheet = load_workbook(out).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["问题编号", "状态", "问题"] and sheet["A1"].font.bold
    first = {name: cell.value for name, cell in zip(header, sheet[2], strict=True)}
    assert isinstance(first["投诉次数"], int) and isinstance(first["问题编号"], int)
    assert first["首次投诉"].year == 2026 and sheet.freeze_panes == "A2"
    bad = _run(settings, "problems", "list", "--sort", "size")
    assert bad.returncode != 0 and "sort" in bad.stderr and bad.stdout == ""


def test_repeats_import_merges_groups_reports_unknown_ids_and_is_idempotent(
    settings: Settings, hotline: Hotline, actors: dict[str, Actor], tmp_path: Path
) -> None:
    a, b, c, d = _cases(hotline, actors)
    groups = tmp_path / "groups.csv"
    groups.write_text(
        f"message_id,group_id\n{a},1\n{b},1\n{c},2\n{d},2\nnot-a-case,3\n", encoding="utf-8"
    )
    result = _run(settings, "repeats", "import", "--groups", str(groups), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["cases_moved"] == 2 and summary["problems_merged"] == 2
    assert summary["unknown_ids"] == ["not-a-case"]
    first, second, third, fourth = _problem_ids(hotline, [a, b, c, d])
    assert first == second and third == fourth and first != third
    with hotline.db.transaction() as session:
        by = session.scalars(select(ProblemLink.by).where(ProblemLink.action == "link")).all()
    assert by.count("import:groups.csv") == 2
    again = _run(settings, "repeats", "import", "--groups", str(groups), "--json")
    assert json.loads(again.stdout)["cases_moved"] == 0
    assert json.loads(again.stdout)["unchanged"] == 4


def test_repeats_import_through_a_data_file_and_bad_input(
    settings: Settings, hotline: Hotline, actors: dict[str, Actor], tmp_path: Path
) -> None:
    a, b, _, _ = _cases(hotline, actors)
    data = tmp_path / "messages.csv"
    data.write_text(f"msg,case_number,text\nm1,{a},x\nm2,{b},y\nm3,,z\n", encoding="utf-8")
    groups = tmp_path / "groups.csv"
    groups.write_text("message_id,group_id\nm1,7\nm2,7\nm3,8\n", encoding="utf-8")
    result = _run(settings, "repeats", "import", "--groups", str(groups), "--data", str(data),
                  "--id-column", "msg", "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["unknown_ids"] == ["m3"]
    first, second = _problem_ids(hotline, [a, b])
    assert first == second
    duplicate = tmp_path / "dup.csv"
    duplicate.write_text("message_id,group_id\nm1,1\nm1,2\n", encoding="utf-8")
    refused = _run(settings, "repeats", "import", "--groups", str(duplicate))
    assert refused.returncode == 2 and "m1" in refused.stderr
    header = tmp_path / "header.csv"
    header.write_text("id,group\n1,1\n", encoding="utf-8")
    refused = _run(settings, "repeats", "import", "--groups", str(header))
    assert refused.returncode == 2 and "message_id,group_id" in refused.stderr
    missing = _run(settings, "repeats", "import", "--groups", str(groups), "--data", str(data),
                   "--id-column", "nope")  # fmt: skip
    assert missing.returncode == 2 and "nope" in missing.stderr
