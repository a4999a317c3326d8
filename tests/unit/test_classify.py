"""The classifier end to end on a small synthetic Chinese corpus: train, save, load, predict,
evaluate, refuse altered models, and the ``hotline classifier`` commands through CliRunner."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from hotline.classify.evaluate import cross_validate, score_rankings
from hotline.classify.model import (
    FORMAT_VERSION,
    ModelError,
    TrainedModel,
    TrainingError,
    fit_and_rank,
    load,
    manifest_path,
    save,
    train,
)
from hotline.classify.predict import Classifier, load_model
from hotline.entrypoints.cli.classifier import classifier_app

PLACES = ["历下区", "市中区", "槐荫区", "天桥区", "历城区", "长清区"]
TOPICS = {
    "环境保护": ["工地噪音扰民", "餐馆油烟污染", "河道污水发臭", "垃圾焚烧冒黑烟"],
    "交通运输": ["公交车不按站停靠", "路口红绿灯故障", "出租车拒载绕路", "道路坑洼积水"],
    "教育文体": ["学校乱收补课费", "幼儿园食堂卫生差", "体育馆不对外开放", "老师体罚学生"],
}
ENDINGS = ["请尽快处理", "希望有关部门解决", "多次反映没人管", "严重影响居民生活"]
NOISE = "槐荫区工地噪音扰民,晚上十二点还在施工"
BUS = "天桥区的公交车经常不按站停靠,乘客上下车很危险"

runner = CliRunner()
TRAINED_AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def corpus() -> tuple[list[str], list[str]]:
    """24 messages per class from templates: each class has its own words, all share some."""
    texts: list[str] = []
    labels: list[str] = []
    for label, topics in TOPICS.items():
        for number, (place, topic) in enumerate(itertools.product(PLACES, topics)):
            texts.append(f"{place}{topic},{ENDINGS[number % len(ENDINGS)]}。")
            labels.append(label)
    return texts, labels


def write_csv(path: Path, texts: list[str], labels: list[str]) -> Path:
    rows = ["text,label", *(f'"{t}",{label}' for t, label in zip(texts, labels, strict=True))]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained() -> TrainedModel:
    texts, labels = corpus()
    return train(texts, labels, trained_at=TRAINED_AT, source={"file": "synthetic"})


@pytest.fixture()
def model_file(trained: TrainedModel, tmp_path: Path) -> Path:
    path = tmp_path / "models" / "classifier.npz"
    save(trained, path)
    return path


# --- training and prediction -----------------------------------------------------------------


def test_round_trip_predicts_the_obvious_class(model_file: Path) -> None:
    classifier = load_model(model_file)
    assert classifier.labels == ("交通运输", "教育文体", "环境保护")
    top = classifier.predict_top(NOISE)
    assert top[0][0] == "环境保护"
    assert classifier.predict_top(BUS, k=1)[0][0] == "交通运输"
    assert len(top) == 3
    probabilities = [probability for _, probability in top]
    assert probabilities == sorted(probabilities, reverse=True)
    assert sum(probabilities) == pytest.approx(1.0)


def test_segmented_and_full_width_input_is_read_like_raw_text(model_file: Path) -> None:
    classifier = load_model(model_file)
    raw = classifier.predict_top("天桥区路口红绿灯故障")
    segmented = classifier.predict_top("天桥区 路口 红绿灯 故障")
    full_width = classifier.predict_top("天桥区路口红绿灯故障　")
    assert raw == segmented == full_width


def test_predictions_are_deterministic(model_file: Path) -> None:
    first, second = load_model(model_file), load_model(model_file)
    texts = [NOISE, BUS, "", "体育馆周末不开放"]
    batch = first.predict_top_batch(texts, k=3)
    assert batch == second.predict_top_batch(texts, k=3)
    assert batch == [first.predict_top(text) for text in texts]  # a batch changes nothing


def test_top_k_is_clipped_to_the_labels_and_refuses_zero(model_file: Path) -> None:
    classifier = load_model(model_file)
    assert len(classifier.predict_top(NOISE, k=10)) == 3
    with pytest.raises(ValueError):
        classifier.predict_top(NOISE, k=0)


def test_manifest_records_what_the_model_is(model_file: Path, trained: TrainedModel) -> None:
    manifest = json.loads(manifest_path(model_file).read_text(encoding="utf-8"))
    classifier = load_model(model_file)
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["sha256"] == classifier.sha256
    assert manifest["version"] == classifier.version
    assert classifier.version.endswith(classifier.sha256[:8])
    assert manifest["labels"] == list(classifier.labels)
    assert {"numpy", "scikit-learn", "scipy", "python"} <= set(manifest["libraries"])
    assert manifest["training_data"]["documents"] == 72
    assert manifest["training_data"]["classes"] == {label: 24 for label in TOPICS}
    assert manifest["metrics"]["macro_f1"] > 0.8
    assert 0 < manifest["temperature"] == trained.temperature


def test_training_refuses_one_class_and_mismatched_lengths() -> None:
    with pytest.raises(TrainingError, match="两个类别"):
        train(["噪音扰民", "油烟污染"], ["环境保护", "环境保护"], trained_at=TRAINED_AT)
    with pytest.raises(TrainingError):
        train(["噪音扰民"], ["环境保护", "交通运输"], trained_at=TRAINED_AT)


def test_tiny_classes_train_without_calibration() -> None:
    model = train(
        ["工地噪音扰民", "工地噪音很吵", "公交车晚点", "公交车绕路"],
        ["环", "环", "交", "交"],
        trained_at=TRAINED_AT,
    )
    assert model.temperature == 1.0
    assert model.metrics["method"].startswith("none")
    # two classes: scikit-learn's single weight column becomes one per label
    assert model.linear.rank(["工地噪音"])[0] == ["环", "交"]
    assert model.linear.rank(["公交车"])[0] == ["交", "环"]


# --- refusing damaged models -----------------------------------------------------------------


def test_an_altered_model_file_is_refused(model_file: Path) -> None:
    data = bytearray(model_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_file.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="sha256") as refused:
        load_model(model_file)
    assert refused.value.code == "checksum_mismatch"


def _rewrite_manifest(model_file: Path, **changes: object) -> None:
    where = manifest_path(model_file)
    manifest = json.loads(where.read_text(encoding="utf-8"))
    where.write_text(json.dumps({**manifest, **changes}), encoding="utf-8")


def test_a_manifest_of_another_format_version_is_refused(model_file: Path) -> None:
    _rewrite_manifest(model_file, format_version=FORMAT_VERSION + 1)
    with pytest.raises(ModelError) as refused:
        load(model_file)
    assert refused.value.code == "incompatible"


@pytest.mark.parametrize(
    ("damage", "code"),
    [
        ("delete manifest", "manifest_missing"),
        ("garble manifest", "manifest_invalid"),
        ("delete model", "model_missing"),
    ],
)
def test_missing_or_garbled_files_are_refused(model_file: Path, damage: str, code: str) -> None:
    if damage == "delete manifest":
        manifest_path(model_file).unlink()
    elif damage == "garble manifest":
        manifest_path(model_file).write_text("{not json", encoding="utf-8")
    else:
        model_file.unlink()
    with pytest.raises(ModelError) as refused:
        load(model_file)
    assert refused.value.code == code


def test_a_truncated_file_with_a_matching_checksum_is_still_refused(model_file: Path) -> None:
    import hashlib

    model_file.write_bytes(model_file.read_bytes()[:100])
    _rewrite_manifest(model_file, sha256=hashlib.sha256(model_file.read_bytes()).hexdigest())
    with pytest.raises(ModelError) as refused:
        load(model_file)
    assert refused.value.code == "corrupt"


def test_pickled_objects_are_never_loaded(model_file: Path) -> None:
    """An attacker who rewrites both files still cannot make loading run code."""
    import hashlib

    with np.load(model_file) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["weights"] = np.array([object()], dtype=object)
    with model_file.open("wb") as stream:
        np.savez(stream, allow_pickle=True, **arrays)
    _rewrite_manifest(model_file, sha256=hashlib.sha256(model_file.read_bytes()).hexdigest())
    with pytest.raises(ModelError) as refused:
        load(model_file)
    assert refused.value.code == "corrupt"


# --- evaluation ------------------------------------------------------------------------------


def test_score_rankings_counts_first_choices_and_top_three() -> None:
    truth = ["甲", "甲", "乙", "丙"]
    rankings = [["甲", "乙", "丙"], ["乙", "甲", "丙"], ["乙", "甲", "丙"], ["甲", "乙", "丙"]]
    evaluation = score_rankings(truth, rankings)
    assert evaluation.accuracy == pytest.approx(0.5)
    assert evaluation.top3_accuracy == 1.0
    assert evaluation.per_class["甲"].support == 2
    assert evaluation.per_class["乙"].precision == pytest.approx(0.5)
    assert evaluation.per_class["丙"].f1 == 0.0
    # macro-F1 over 甲 (P ½, R ½), 乙 (P ½, R 1), 丙 (0)
    assert evaluation.macro_f1 == pytest.approx((0.5 + 2 / 3 + 0) / 3)


def test_cross_validation_of_the_pipeline() -> None:
    texts, labels = corpus()
    report = cross_validate(texts, labels, fit_and_rank(), folds=3, seed=1)
    document = report.as_dict()
    assert len(report.per_fold) == 3
    assert document["macro_f1"]["mean"] > 0.8
    assert report.pooled.documents == len(texts)


# --- the command line ------------------------------------------------------------------------


def test_cli_train_evaluate_predict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hotline.entrypoints.cli.classifier.utc_now", lambda: TRAINED_AT)
    texts, labels = corpus()
    data = write_csv(tmp_path / "train.csv", texts, labels)
    model = tmp_path / "clf.npz"
    common = ["--text-column", "text", "--label-column", "label"]

    trained = runner.invoke(
        classifier_app, ["train", "--data", str(data), *common, "--model", str(model), "--json"]
    )
    assert trained.exit_code == 0, trained.stderr
    summary = json.loads(trained.stdout)
    assert summary["documents"] == 72 and summary["macro_f1"] > 0.8
    assert summary["version"].startswith("20261130T080000Z-")  # the entry point's clock
    assert "读入 72 条" in trained.stderr  # progress on stderr, never on stdout

    evaluated = runner.invoke(
        classifier_app, ["evaluate", "--model", str(model), "--data", str(data), *common, "--json"]
    )
    assert evaluated.exit_code == 0, evaluated.stderr
    report = json.loads(evaluated.stdout)
    assert {"accuracy", "macro_f1", "top3_accuracy", "per_class", "docs_per_second"} <= set(report)
    assert set(report["per_class"]["环境保护"]) == {"precision", "recall", "f1", "support"}
    assert report["accuracy"] > 0.9

    predicted = runner.invoke(
        classifier_app, ["predict", "--model", str(model), "--top", "2", "--json", NOISE]
    )
    assert predicted.exit_code == 0, predicted.stderr
    document = json.loads(predicted.stdout)
    assert "\\u" not in predicted.stdout  # Chinese written as characters
    assert [p["label"] for p in document["predictions"]][:1] == ["环境保护"]
    assert len(document["predictions"]) == 2

    plain = runner.invoke(classifier_app, ["predict", "--model", str(model), BUS])
    assert plain.exit_code == 0
    assert plain.stdout.splitlines()[0].split("\t")[0] == "交通运输"


def test_cli_reports_bad_input_without_a_traceback(tmp_path: Path) -> None:
    data = tmp_path / "bad.csv"
    data.write_text("标题,类别\n噪音,环境\n", encoding="utf-8")
    result = runner.invoke(
        classifier_app,
        [
            "train",
            "--data",
            str(data),
            "--text-column",
            "内容",
            "--label-column",
            "类别",
            "--model",
            str(tmp_path / "m.npz"),
        ],
    )
    assert result.exit_code != 0
    assert result.stdout == ""
    assert "内容" in result.stderr and "标题" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_refuses_an_altered_model(model_file: Path) -> None:
    data = model_file.read_bytes()
    model_file.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    result = runner.invoke(classifier_app, ["predict", "--model", str(model_file), NOISE])
    assert result.exit_code != 0
    assert "sha256" in result.stderr
    assert result.stdout == ""


def test_a_classifier_wraps_a_saved_model(model_file: Path) -> None:
    classifier = Classifier(load(model_file))
    assert classifier.manifest["model_file"] == "classifier.npz"
    assert classifier.rank_batch([NOISE])[0][0] == "环境保护"
