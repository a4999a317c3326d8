"""``hotline classifier``: train, evaluate and try the Chinese complaint classifier on files;
deploy it; retrain it on closed cases (``train --from-db``) and report its production accuracy
(``report``), those two in ``classifier_db.py``.

stdout holds the result only (with ``--json`` one JSON document); progress goes to stderr.
numpy and scikit-learn are imported inside the commands, so other ``hotline`` commands start
without them.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from hotline.bootstrap import build_hotline, utc_now
from hotline.entrypoints.cli.classifier_db import DbTraining, report_command, train_from_db
from hotline.entrypoints.cli.groups import command_group
from hotline.entrypoints.cli.output import JsonOpt, emit_json, emit_value, fail, log, stderr

if TYPE_CHECKING:
    from hotline.classify.dataset import Dataset
    from hotline.classify.evaluate import Evaluation
    from hotline.classify.model import TrainingConfig
    from hotline.classify.predict import Classifier

classifier_app = command_group()

DATA_HELP = "已标注数据:CSV(UTF-8/GB18030)或 xlsx,首行为表头"
TEXT_HELP = "文本列,可重复给出(如标题、内容),按顺序拼接"
MODEL_HELP = "模型文件(旁边另有 .manifest.json)"
DataOption = Annotated[Path, typer.Option("--data", help=DATA_HELP)]
TextColumns = Annotated[list[str], typer.Option("--text-column", help=TEXT_HELP)]
LabelColumn = Annotated[str, typer.Option("--label-column", help="类别列")]
ModelOption = Annotated[Path, typer.Option("--model", help=MODEL_HELP)]


@contextmanager
def _refusals() -> Iterator[None]:
    """Bad files and refused models become a message on stderr and exit code 2."""
    from hotline.classify.dataset import DatasetError
    from hotline.classify.model import ModelError, TrainingError

    try:
        yield
    except (DatasetError, ModelError, TrainingError) as error:
        fail(escape(str(error)))


def _read(data: Path, text_columns: list[str], label_column: str, min_classes: int) -> Dataset:
    from hotline.classify.dataset import load_dataset

    dataset = load_dataset(data, text_columns, label_column, min_classes=min_classes)
    log(f"读入 {len(dataset.texts)} 条,{len(set(dataset.labels))} 个类别:{escape(data.name)}")
    return dataset


def _load(model: Path) -> Classifier:
    from hotline.classify.predict import load_model

    return load_model(model)


def _headline(metrics: dict[str, Any]) -> dict[str, Any]:
    names = ("accuracy", "macro_f1", "top3_accuracy")
    return {name: metrics[name] for name in names if name in metrics}


def _shown(name: str, value: object) -> str:
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    if isinstance(value, float) and name != "training_seconds":
        return f"{value:.4f}"
    return str(value)


@classifier_app.command("train")
def train_command(
    data: Annotated[Path | None, typer.Option("--data", help=DATA_HELP)] = None,
    text_column: Annotated[list[str] | None, typer.Option("--text-column", help=TEXT_HELP)] = None,
    label_column: Annotated[str | None, typer.Option("--label-column", help="类别列")] = None,
    model: Annotated[Path | None, typer.Option("--model", help=MODEL_HELP)] = None,
    from_db: Annotated[
        bool,
        typer.Option("--from-db", help="用数据库中已结案工单（最终类别）训练，并与已部署模型比较"),
    ] = False,
    from_: Annotated[
        str | None, typer.Option("--from", help="--from-db：受理日期起 YYYY-MM-DD")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="--from-db：受理日期止 YYYY-MM-DD（含）")
    ] = None,
    holdout: Annotated[
        float | None, typer.Option("--holdout", help="--from-db：留出比较的比例，默认 0.2")
    ] = None,
    min_cases: Annotated[
        int | None, typer.Option("--min-cases", help="--from-db：最少工单数，默认 30")
    ] = None,
    deploy: Annotated[
        bool, typer.Option("--deploy/--no-deploy", help="--from-db：新模型不差于当前模型时部署")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="--from-db：即使更差也部署")] = False,
    words: Annotated[
        bool, typer.Option("--words", help="加入结巴分词的词特征:略准一些,但预测慢约十倍")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """训练分类器：从标注文件（--data）或数据库的已结案工单（--from-db）。"""
    from hotline.classify.features import FeatureConfig
    from hotline.classify.model import TrainingConfig

    config = TrainingConfig(features=FeatureConfig(word_orders=(1, 2))) if words else None
    if from_db:
        if data or text_column or label_column:
            fail("--from-db 从数据库取训练数据，不能同时给 --data、--text-column 或 --label-column")
        options = DbTraining(from_, to, holdout, min_cases, model, deploy, force)
        train_from_db(options, config, as_json)
        return
    if from_ or to or holdout is not None or min_cases is not None or deploy or force:
        fail("--from、--to、--holdout、--min-cases、--deploy、--force 只能与 --from-db 一起用")
    if data is None or not text_column or label_column is None or model is None:
        fail("须提供 --data、--text-column、--label-column 和 --model（或用 --from-db）")
    _train_from_file(data, text_column, label_column, model, config, as_json)


def _train_from_file(
    data: Path,
    text_column: list[str],
    label_column: str,
    model: Path,
    config: TrainingConfig | None,
    as_json: bool,
) -> None:
    from hotline.classify.model import save, train

    with _refusals():
        dataset = _read(data, text_column, label_column, min_classes=2)
        started = time.perf_counter()
        with stderr.status("训练中…"):
            trained = train(
                dataset.texts,
                dataset.labels,
                config,
                trained_at=utc_now(),
                source=dataset.source,
                progress=log,
            )
        seconds = time.perf_counter() - started
        manifest = save(trained, model)
    summary = {
        "model": str(model),
        "version": manifest["version"],
        "sha256": manifest["sha256"],
        "size_bytes": manifest["size_bytes"],
        "labels": manifest["labels"],
        "documents": len(dataset.texts),
        "training_seconds": round(seconds, 1),
        "metrics_method": trained.metrics.get("method"),
        **_headline(trained.metrics),
    }
    if as_json:
        emit_json(summary)
        return
    for name, value in summary.items():
        emit_value(f"{name}: {_shown(name, value)}")


def _print_evaluation(evaluation: Evaluation) -> None:
    emit_value(f"documents: {evaluation.documents}")
    emit_value(f"accuracy: {evaluation.accuracy:.4f}")
    emit_value(f"macro_f1: {evaluation.macro_f1:.4f}")
    emit_value(f"top3_accuracy: {evaluation.top3_accuracy:.4f}")
    emit_value(f"docs_per_second: {evaluation.docs_per_second or 0:.0f}")
    for label, figures in evaluation.per_class.items():
        emit_value(
            f"{label}\tP {figures.precision:.4f}\tR {figures.recall:.4f}"
            f"\tF1 {figures.f1:.4f}\tn {figures.support}"
        )


@classifier_app.command("evaluate")
def evaluate_command(
    model: ModelOption,
    data: DataOption,
    text_column: TextColumns,
    label_column: LabelColumn,
    as_json: JsonOpt = False,
) -> None:
    """用已标注数据评估模型:准确率、宏平均 F1、前三命中率、各类别精确率/召回率。"""
    from hotline.classify.evaluate import evaluate_ranker

    with _refusals():
        classifier = _load(model)
        dataset = _read(data, text_column, label_column, min_classes=1)
    unknown = sorted(set(dataset.labels) - set(classifier.labels))
    if unknown:
        log(f"[yellow]警告:[/]模型不认识这些类别,它们只会被判错:{escape('、'.join(unknown))}")
    evaluation = evaluate_ranker(classifier.rank_batch, dataset.texts, dataset.labels)
    if as_json:
        emit_json(
            {"model_version": classifier.version, "unknown_labels": unknown} | evaluation.as_dict()
        )
        return
    _print_evaluation(evaluation)


def _read_text(text: str) -> str:
    return sys.stdin.read() if text == "-" else text


@classifier_app.command("predict")
def predict_command(
    text: Annotated[str, typer.Argument(help="诉求文本(标题加内容);- 表示从标准输入读取")],
    model: ModelOption,
    top: Annotated[int, typer.Option("--top", min=1, help="给出前 K 个类别")] = 3,
    as_json: JsonOpt = False,
) -> None:
    """为一条诉求推荐类别:前 K 个类别及其概率。"""
    with _refusals():
        classifier = _load(model)
    message = _read_text(text)
    if not message.strip():
        fail("诉求文本为空")
    suggestions = classifier.predict_top(message, top)
    if as_json:
        emit_json(
            {
                "model_version": classifier.version,
                "predictions": [
                    {"label": label, "probability": probability}
                    for label, probability in suggestions
                ],
            }
        )
        return
    for label, probability in suggestions:
        emit_value(f"{label}\t{probability:.4f}")


classifier_app.command("report")(report_command)


@classifier_app.command("deploy")
def deploy_command(
    model: Annotated[Path, typer.Argument(help="训练好的模型文件（.npz，旁边有 .manifest.json）")],
    label_map: Annotated[
        Path | None,
        typer.Option(help="标签 → 类别代码的映射（YAML 或 JSON 对象），标签本身是代码时可省略"),
    ] = None,
    json_output: JsonOpt = False,
) -> None:
    """Make a model the one intake uses: verified, copied into the model directory."""
    from hotline.services.classifier.deployment import deploy_model

    mapping = _read_label_map(label_map) if label_map else {}
    hotline = build_hotline()
    active = deploy_model(hotline, model, mapping, hotline.now())
    if active["unmapped_labels"]:
        log(f"以下标签没有对应的类别代码，不会给出建议：{'、'.join(active['unmapped_labels'])}")
    if json_output:
        emit_json(active)
    else:
        log(f"已部署模型 {active['version']}")
        emit_value(active["sha256"])


def _read_label_map(path: Path) -> dict[str, str]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        fail(f"无法读取标签映射 {escape(str(path))}：{escape(str(exc))}")
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        fail("标签映射须为「标签: 类别代码」的对象")
    return {str(key): value for key, value in data.items()}
