"""Production accuracy: intake records the model's suggestion and the registered category, the
dispatcher may re-sort, and the report's figures on hand-built cases are exactly as expected."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hotline.adapters.db.models import Case, CaseClassification, CaseEvent
from hotline.classify.model import save, train
from hotline.domain.errors import InvalidInput
from hotline.domain.indicators import Period
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.entrypoints.worker import run_worker
from hotline.reports.classifier_accuracy import NO_CATEGORY, classifier_report
from hotline.services.classifier.deployment import ModelGuess, deploy_model
from hotline.services.classifier.feedback import record_suggestion
from hotline.services.context import Hotline
from tests.conftest import FakeClock
from tests.integration.classifier_cases import (
    closed_case,
    handle_and_close,
    registered_case,
    topic_cases,
)
from tests.integration.helpers import act, new_case

DAY = date(2026, 11, 24)  # the fake clock's local date


def _suggest(hotline: Hotline, number: str, version: str, codes: list[str | None]) -> None:
    """What the enrichment job records for a deployed model's three guesses."""
    guesses = [
        ModelGuess(rank, f"label-{code}", code, 0.5 / rank)
        for rank, code in enumerate(codes, start=1)
    ]
    with hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        record_suggestion(session, case, version, guesses, hotline.now())


def _classification(hotline: Hotline, number: str) -> CaseClassification:
    with hotline.db.transaction() as session:
        row = session.scalars(
            select(CaseClassification).join(Case).where(Case.number == number)
        ).one()
        session.expunge(row)
        return row


def _figure(report: dict[str, Any], key: str) -> tuple[int, int]:
    value = report[key]
    return value["numerator"], value["denominator"]


@pytest.fixture
def hand_built(hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> dict[str, Any]:
    """Seven cases on DAY with known suggestions, choices and final categories, one later."""
    a = closed_case(hotline, actors, "施工噪音", "E0301")
    _suggest(hotline, a, "v1", ["E0301", "E0103", "E0101"])  # kept, right
    b = closed_case(hotline, actors, "施工噪音二", "E0301")
    _suggest(hotline, b, "v1", ["E0103", "E0301", "E0101"])  # overridden, in top 3
    c = closed_case(hotline, actors, "堆着垃圾", "E0103", resort_to="E0101")
    _suggest(hotline, c, "v1", ["E0101", "E0302", "E0304"])  # overridden, then re-sorted to it
    registered_case(hotline, actors, "没有建议的工单", "E0301")  # no model at the time
    e = new_case(hotline, actors["operator"], content="尚未立案")
    _suggest(hotline, e, "v1", ["E0301", "E0103", "E0101"])  # no choice, no category yet
    f = registered_case(hotline, actors, "烧烤油烟", "E0103")
    _suggest(hotline, f, "v1", [None, "E0103", "E0301"])  # first label mapped to nothing
    g = registered_case(hotline, actors, "烧烤摊", "E0103")
    _suggest(hotline, g, "v2", ["E0103", "E0101", "E0301"])
    clock.advance(days=2)
    later = registered_case(hotline, actors, "两天后", "E0301")
    _suggest(hotline, later, "v2", ["E0101", "E0103", "E0301"])
    return classifier_report(hotline.db, Period(DAY, DAY))


def test_totals_on_hand_built_cases(hand_built: dict[str, Any]) -> None:
    total = hand_built["total"]
    assert total["cases"] == 7 and total["suggested"] == 6
    assert _figure(total, "coverage") == (6, 7)
    assert _figure(total, "top1_agreement") == (2, 5)  # a, g
    assert _figure(total, "top3_agreement") == (4, 5)  # not c
    assert _figure(total, "override_rate") == (3, 5)  # b, c, f
    assert _figure(total, "resort_rate") == (1, 5)  # c
    assert _figure(total, "accuracy") == (3, 5)  # a, c, g
    assert _figure(total, "top3_accuracy") == (5, 5)
    assert total["accuracy"]["value"] == pytest.approx(0.6)
    assert set(hand_built["definitions"]) >= set(total) - {"cases", "suggested"}


def test_per_model_version_and_per_category(hand_built: dict[str, Any]) -> None:
    versions = {row["model_version"]: row for row in hand_built["per_model_version"]}
    assert list(versions) == ["v1", "v2"]
    assert versions["v1"]["suggested"] == 5
    assert _figure(versions["v1"], "top1_agreement") == (1, 4)
    assert _figure(versions["v1"], "accuracy") == (2, 4)
    assert _figure(versions["v2"], "accuracy") == (1, 1)
    categories = {row["code"]: row for row in hand_built["per_category"]}
    assert set(categories) == {"E0101", "E0103", "E0301", NO_CATEGORY}
    assert categories["E0301"]["name"] == "夜间施工噪音"
    assert categories["E0301"]["cases"] == 3 and categories["E0301"]["suggested"] == 2
    assert _figure(categories["E0301"], "accuracy") == (1, 2)
    assert _figure(categories["E0301"], "precision") == (1, 1)
    assert _figure(categories["E0103"], "accuracy") == (1, 2)
    assert _figure(categories["E0103"], "precision") == (1, 2)  # b was wrongly E0103
    assert _figure(categories["E0101"], "accuracy") == (1, 1)
    assert categories[NO_CATEGORY]["accuracy"]["value"] is None


def test_an_empty_period_has_no_values_and_a_reversed_one_is_refused(hotline: Hotline) -> None:
    report = classifier_report(hotline.db, Period(DAY, DAY))
    assert report["total"]["coverage"] == {"numerator": 0, "denominator": 0, "value": None}
    assert report["per_model_version"] == [] and report["per_category"] == []
    with pytest.raises(InvalidInput, match="结束日期"):
        Period(DAY, date(2026, 11, 1))
    with pytest.raises(InvalidInput, match="统计期"):
        classifier_report(hotline.db, Period(date(2020, 1, 1), DAY))


def _deploy_topic_model(hotline: Hotline, tmp_path: Path) -> str:
    pairs = topic_cases(8)
    path = tmp_path / "topics.npz"
    texts, codes = [text for text, _ in pairs], [code for _, code in pairs]
    save(train(texts, codes, trained_at=hotline.now()), path)
    return str(deploy_model(hotline, path, {}, hotline.now())["version"])


def test_intake_records_the_suggestion_and_the_registered_choice(
    hotline: Hotline, actors: dict[str, Actor], tmp_path: Path
) -> None:
    version = _deploy_topic_model(hotline, tmp_path)
    kept = new_case(hotline, actors["operator"], content="槐荫区路边露天烧烤油烟大", address=None)
    run_worker(hotline, once=True)
    act(hotline, kept, Action.REGISTER, actors["operator"])  # keeps the applied suggestion
    # Registered (with another category) before the worker got to it: the order may vary.
    changed = new_case(hotline, actors["operator"], content="夜市烧烤摊烟熏火燎", address=None)
    act(hotline, changed, Action.REGISTER, actors["operator"], category_code="E0101")
    run_worker(hotline, once=True)
    first, second = _classification(hotline, kept), _classification(hotline, changed)
    assert (first.model_version, first.top1_code, first.registered_code) == (
        version, "E0103", "E0103",
    )  # fmt: skip
    assert first.top1_probability is not None and first.top1_probability > 0.3
    assert [guess["rank"] for guess in first.suggestions] == [1, 2, 3]
    assert (second.top1_code, second.registered_code, second.registered_by) == (
        "E0103", "E0101", "op",
    )  # fmt: skip
    report = classifier_report(hotline.db, Period(DAY, DAY))
    assert _figure(report["total"], "top1_agreement") == (1, 2)
    assert report["per_model_version"][0]["model_version"] == version


def test_dispatch_may_re_sort_the_category(hotline: Hotline, actors: dict[str, Actor]) -> None:
    number = registered_case(hotline, actors, "堆着垃圾", "E0103")
    with pytest.raises(InvalidInput, match="NOPE"):
        act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ",
            category_code="NOPE")  # fmt: skip
    handle_and_close(hotline, actors, number, category_code="E0101")
    with hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        event = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == "dispatch")
        ).one()
        assert case.category_code == "E0101"
        assert event.details["previous_category_code"] == "E0103"
    assert _classification(hotline, number).registered_code == "E0103"


def _cli(hotline: Hotline, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": hotline.settings.resolved_database_url,
        "HOTLINE_VAR_DIR": str(hotline.settings.var_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "hotline", "classifier", *args],
        env=env, text=True, capture_output=True, timeout=300, check=False,
    )  # fmt: skip


def test_cli_report_train_from_db_and_refusals(hotline: Hotline, actors: dict[str, Actor]) -> None:
    refused = _cli(hotline, "train", "--from-db", "--json")
    assert refused.returncode == 2 and refused.stdout == ""
    assert "至少需要 30 件" in refused.stderr
    assert _cli(hotline, "train", "--deploy").returncode == 2
    for text, code in topic_cases(6):
        closed_case(hotline, actors, text, code)
    trained = _cli(hotline, "train", "--from-db", "--min-cases", "12", "--deploy", "--json")
    assert trained.returncode == 0, trained.stderr
    result = json.loads(trained.stdout)
    assert result["decision"]["deploy"] is True and result["current"]["status"] == "none"
    human = _cli(hotline, "report", "--from", DAY.isoformat(), "--to", DAY.isoformat())
    assert human.returncode == 0, human.stderr
    assert "建议覆盖率" in human.stdout
    report = json.loads(
        _cli(hotline, "report", "--from", "2026-11-24", "--to", "2026-11-24", "--json").stdout
    )
    assert report["total"]["cases"] == 18
    bad = _cli(hotline, "report", "--from", "2026-11-30", "--to", "2026-11-24")
    assert bad.returncode == 2 and "结束日期" in bad.stderr
