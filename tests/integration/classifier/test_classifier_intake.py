"""A deployed classifier suggests categories at intake; without one, intake works unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from hotline.adapters.db.models import Case, CaseEvent
from hotline.classify.model import save, train
from hotline.domain.errors import InvalidInput
from hotline.domain.roles import Actor
from hotline.entrypoints.worker import run_worker
from hotline.services.classifier.deployment import active_model, deploy_model
from hotline.services.context import Hotline
from tests.integration.helpers import new_case

# Labels that are taxonomy codes (E0301 夜间施工噪音, E0103 露天烧烤) and one that needs a map.
TOPICS = {
    "E0301": ["工地夜间施工噪音扰民", "凌晨还在打桩施工", "施工机械轰鸣睡不着"],
    "E0103": ["路边露天烧烤油烟大", "夜市烧烤摊烟熏火燎", "烧烤店门口占道烤串"],
    "垃圾": ["小区垃圾堆放没人清", "垃圾桶满了溢出来", "路边堆着建筑垃圾"],
}
PLACES = ["历下区", "市中区", "槐荫区", "天桥区", "历城区", "长清区", "章丘区", "济阳区"]


def _model(tmp_path: Path) -> Path:
    texts, labels = [], []
    for label, topics in TOPICS.items():
        for place in PLACES:
            for topic in topics:
                texts.append(f"{place}{topic}，请尽快处理。")
                labels.append(label)
    path = tmp_path / "incoming" / "model.npz"
    save(train(texts, labels, trained_at=datetime(2026, 11, 1, tzinfo=UTC)), path)
    return path


def _enrich_details(hotline: Hotline, number: str) -> dict[str, object]:
    with hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        event = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == "enrich")
        ).one()
        return dict(event.details)


def test_intake_without_a_model_offers_no_model_suggestion(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    assert active_model(hotline) is None
    number = new_case(hotline, actors["operator"])
    run_worker(hotline, once=True)
    sources = {s["source"] for s in _enrich_details(hotline, number)["suggestions"]}  # type: ignore[attr-defined]
    assert "category_from_model" not in sources


def test_a_deployed_model_suggests_mapped_categories(
    hotline: Hotline, actors: dict[str, Actor], tmp_path: Path
) -> None:
    active = deploy_model(hotline, _model(tmp_path), {"垃圾": "E0101"}, hotline.now())
    assert active["unmapped_labels"] == []
    number = new_case(
        hotline, actors["operator"], content="槐荫区小区门口路边露天烧烤油烟大", address=None
    )
    run_worker(hotline, once=True)
    details = _enrich_details(hotline, number)
    from_model = [
        s
        for s in details["suggestions"]  # type: ignore[attr-defined]
        if s["source"] == "category_from_model"
    ]
    assert from_model[0]["value"] == "E0103"
    assert details["applied"]["category_code"] == "E0103"  # type: ignore[index]


def test_deploy_refuses_unknown_codes_and_altered_models(hotline: Hotline, tmp_path: Path) -> None:
    model = _model(tmp_path)
    with pytest.raises(InvalidInput, match="NOPE"):
        deploy_model(hotline, model, {"垃圾": "NOPE"}, hotline.now())
    model.write_bytes(model.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(InvalidInput, match="模型无法部署"):
        deploy_model(hotline, model, {}, hotline.now())


def test_deploy_cli(hotline: Hotline, tmp_path: Path) -> None:
    model = _model(tmp_path)
    mapping = tmp_path / "labels.yaml"
    mapping.write_text("垃圾: E0101\n", encoding="utf-8")
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": hotline.settings.resolved_database_url,
        "HOTLINE_VAR_DIR": str(hotline.settings.var_dir),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "hotline",
            "classifier",
            "deploy",
            str(model),
            "--label-map",
            str(mapping),
            "--json",
        ],
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["label_map"] == {"垃圾": "E0101"}
    assert active_model(hotline) is not None
