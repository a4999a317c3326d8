"""``hotline answers import|export``: the standard answers as YAML, the Jinan sample included."""

from __future__ import annotations

import json
from pathlib import Path

from hotline.config import Settings
from hotline.domain.roles import SYSTEM
from hotline.services.context import Hotline
from hotline.services.reference.standard_answers import (
    AnswerQuery,
    list_answers,
    parse_answers,
    read_answers,
)
from tests.integration.test_cli import _run


def test_the_sample_imports_once_and_exports_round_trip(
    settings: Settings, hotline: Hotline, tmp_path: Path
) -> None:
    sample = read_answers(None)
    first = _run(settings, "answers", "import", "--sample", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"created": len(sample), "updated": 0, "unchanged": 0}
    again = _run(settings, "answers", "import", "--sample", "--json")
    assert json.loads(again.stdout) == {"created": 0, "updated": 0, "unchanged": len(sample)}

    noise = list_answers(hotline, AnswerQuery(category="E0301"))["items"]
    assert noise[0]["title"] == "夜间施工噪音" and noise[-1]["category_code"] is None
    assert noise[0]["created_by"] == SYSTEM.name

    out = tmp_path / "answers.yaml"
    exported = _run(settings, "answers", "export", str(out), "--json")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["answers"] == len(sample)
    assert set(parse_answers(out.read_text(encoding="utf-8"))) == set(sample)


def test_a_changed_text_updates_and_a_bad_file_changes_nothing(
    settings: Settings, hotline: Hotline, tmp_path: Path
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("standard_answers:\n  - {title: 结束语, body: 谢谢来电}\n", encoding="utf-8")
    assert _run(settings, "answers", "import", str(good)).returncode == 0
    good.write_text(
        "standard_answers:\n  - {title: 结束语, body: 感谢您的来电}\n", encoding="utf-8"
    )
    changed = _run(settings, "answers", "import", str(good), "--json")
    assert json.loads(changed.stdout) == {"created": 0, "updated": 1, "unchanged": 0}

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "standard_answers:\n  - {title: 新的, body: 新的答复}\n"
        "  - {title: 错类别, body: 文本, category: Z9999}\n",
        encoding="utf-8",
    )
    refused = _run(settings, "answers", "import", str(bad))
    assert refused.returncode == 2 and "standard_answers[1]" in refused.stderr
    assert "Z9999" in refused.stderr
    titles = [item["title"] for item in list_answers(hotline, AnswerQuery())["items"]]
    assert titles == ["结束语"]  # the first item of the refused file was not kept


def test_file_shapes_are_checked_by_name(settings: Settings, tmp_path: Path) -> None:
    cases = {
        "answers: []\n": "standard_answers",
        "standard_answers:\n  - {title: 甲, body: 乙, author: 我}\n": "author",
        "standard_answers:\n  - {title: '', body: 乙}\n": "标题",
        "standard_answers: [[": "YAML",
    }
    for text, expected in cases.items():
        path = tmp_path / "answers.yaml"
        path.write_text(text, encoding="utf-8")
        result = _run(settings, "answers", "import", str(path))
        assert result.returncode == 2 and expected in result.stderr, (text, result.stderr)
    both = _run(settings, "answers", "import", str(tmp_path / "x.yaml"), "--sample")
    assert both.returncode == 2 and "二者选一" in both.stderr
