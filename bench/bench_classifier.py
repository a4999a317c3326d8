"""Every figure of docs/classifier.md in one run, beside a plain baseline measured the same way.

Run: ``.venv/bin/python bench/bench_classifier.py [--folds 5] [--no-words]``.

* Stratified k-fold cross-validation (seed 0) on TipDM ``classify_train.csv``: our pipeline and
  the baseline (character 1–2-gram TF-IDF with scikit-learn's defaults + ``LinearSVC()``), on
  the text as given (jieba-segmented, stop words removed) and with every space removed (raw,
  unsegmented input); optionally our pipeline with jieba word 1–2-grams added.
* Training time on the whole set (ours includes the calibration folds), model size on disk.
* Speed on one pinned core, BLAS/OpenMP limited to one thread (threadpoolctl): raw
  ``hot_messages.csv`` messages (subject + detail) through the whole prediction (folding,
  n-grams, scores, probabilities, top 3): batch documents per second, and median/p99 latency of
  one message at a time.

Prints one JSON document and writes it to ``bench/results/classifier.json``. The data stays in
``../shared/data/tipdm2020c`` (``--data-dir``); nothing is copied into the repository.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pickle
import platform
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from hotline.classify.dataset import load_dataset
from hotline.classify.evaluate import cross_validate
from hotline.classify.features import FeatureConfig
from hotline.classify.model import TrainingConfig, fit_and_rank, save, train
from hotline.classify.predict import load_model

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "tipdm2020c"
RESULT = ROOT / "bench" / "results" / "classifier.json"
WORDS = TrainingConfig(features=FeatureConfig(word_orders=(1, 2)))
TARGETS = {
    "cv_macro_f1_min": 0.92,
    "batch_docs_per_second_min": 1500,
    "single_median_ms_max": 2.0,
    "single_p99_ms_max": 10.0,
    "training_seconds_max": 120,
    "model_megabytes_max": 50,
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the baseline ----------------------------------------------------------------------------


def baseline_pipeline() -> Pipeline:
    return make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 2)), LinearSVC())


def baseline_fit_rank(
    train_texts: Sequence[str], train_labels: Sequence[str], test_texts: Sequence[str]
) -> list[list[str]]:
    pipeline = baseline_pipeline().fit(list(train_texts), list(train_labels))
    order = np.argsort(-pipeline.decision_function(list(test_texts)), axis=1, kind="stable")
    classes = pipeline.classes_
    return [[str(classes[column]) for column in row] for row in order]


# --- data and machine ------------------------------------------------------------------------


def hot_messages(path: Path) -> list[str]:
    """Raw messages as an operator would see them: subject, line break, detail."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return [f"{row['subject']}\n{row['detail']}" for row in csv.DictReader(stream)]


def machine() -> dict[str, Any]:
    model_name = platform.processor() or "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = re.findall(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model_name = names[0].strip() if names else model_name
    return {
        "cpu": model_name,
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
    }


def load_average() -> list[float] | None:
    """1, 5 and 15-minute run-queue averages: above the core count, timings are contended."""
    return [round(value, 2) for value in os.getloadavg()] if hasattr(os, "getloadavg") else None


def pin_to_one_core() -> int | None:
    if not hasattr(os, "sched_setaffinity"):
        return None
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return core


# --- measurements ----------------------------------------------------------------------------


def cv_figures(
    name: str, texts: list[str], labels: list[str], fit_rank: Any, folds: int
) -> dict[str, Any]:
    log(f"cross-validation: {name}")
    report = cross_validate(texts, labels, fit_rank, folds=folds, seed=0, progress=log).as_dict()
    pooled = report.pop("pooled")
    report["pooled_per_class_f1"] = {
        label: round(figures["f1"], 4) for label, figures in pooled["per_class"].items()
    }
    return report


def latency(predict_one: Callable[[str], object], texts: list[str]) -> dict[str, float]:
    """Wall-clock milliseconds per message, and CPU milliseconds: on a shared machine the wall
    clock's tail is other processes' time slices, the CPU time is the work itself."""
    wall, cpu = [], []
    for text in texts:
        started, started_cpu = time.perf_counter(), time.thread_time()
        predict_one(text)
        wall.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - started_cpu)
    wall_ms, cpu_ms = np.array(wall) * 1000, np.array(cpu) * 1000
    return {
        "single_median_ms": round(float(np.median(wall_ms)), 3),
        "single_p99_ms": round(float(np.percentile(wall_ms, 99)), 3),
        "single_mean_ms": round(float(wall_ms.mean()), 3),
        "single_cpu_median_ms": round(float(np.median(cpu_ms)), 3),
        "single_cpu_p99_ms": round(float(np.percentile(cpu_ms, 99)), 3),
    }


def throughput(predict_batch: Callable[[list[str]], object], texts: list[str]) -> dict[str, float]:
    """Documents per second, the median of three passes over the whole batch, by the wall
    clock and by CPU time."""
    wall, cpu = [], []
    for _ in range(3):
        started, started_cpu = time.perf_counter(), time.thread_time()
        predict_batch(texts)
        wall.append(len(texts) / (time.perf_counter() - started))
        cpu.append(len(texts) / (time.thread_time() - started_cpu))
    return {
        "batch_docs_per_second": round(statistics.median(wall), 1),
        "batch_docs_per_cpu_second": round(statistics.median(cpu), 1),
    }


def speed(
    predict_batch: Callable[[list[str]], object],
    predict_one: Callable[[str], object],
    texts: list[str],
) -> dict[str, float]:
    predict_batch(texts[:50])  # warm caches, as a running service would be
    return {**throughput(predict_batch, texts), **latency(predict_one, texts)}


def train_ours(
    texts: list[str], labels: list[str], config: TrainingConfig, folder: Path, name: str
) -> tuple[Path, dict[str, Any]]:
    log(f"training on all {len(texts)} texts: {name}")
    started = time.perf_counter()
    trained_at = datetime.now(UTC)  # a benchmark is its own entry point
    model = train(
        texts, labels, config, trained_at=trained_at, source={"file": "classify_train.csv"}
    )
    seconds = time.perf_counter() - started
    path = folder / f"{name}.npz"
    manifest = save(model, path)
    return path, {
        "training_seconds": round(seconds, 1),
        "model_bytes": manifest["size_bytes"],
        "temperature": round(model.temperature, 4),
        "held_out_3fold_macro_f1": round(model.metrics["macro_f1"], 4),
    }


def train_baseline(texts: list[str], labels: list[str]) -> tuple[Pipeline, dict[str, Any]]:
    log("training the baseline on all texts")
    started = time.perf_counter()
    pipeline = baseline_pipeline().fit(texts, labels)
    seconds = time.perf_counter() - started
    size = len(pickle.dumps(pipeline, protocol=pickle.HIGHEST_PROTOCOL))
    return pipeline, {"training_seconds": round(seconds, 1), "model_bytes": size}


# --- the run ---------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=RESULT)
    parser.add_argument(
        "--no-words", action="store_true", help="skip the jieba-words variant (~3 minutes)"
    )
    return parser.parse_args()


def cross_validations(
    seg: list[str], raw: list[str], labels: list[str], folds: int, words: bool
) -> dict[str, Any]:
    results: dict[str, Any] = {"folds": folds, "seed": 0}
    results["ours"] = {
        "segmented": cv_figures("ours, segmented", seg, labels, fit_and_rank(), folds),
        "raw": cv_figures("ours, raw", raw, labels, fit_and_rank(), folds),
    }
    results["baseline"] = {
        "segmented": cv_figures("baseline, segmented", seg, labels, baseline_fit_rank, folds),
        "raw": cv_figures("baseline, raw", raw, labels, baseline_fit_rank, folds),
    }
    if words:
        figures = cv_figures("ours + jieba words, raw", raw, labels, fit_and_rank(WORDS), folds)
        results["ours_with_jieba_words"] = {"raw": figures}
    return results


def speeds(
    models: dict[str, Path], baseline: Pipeline, hot: list[str]
) -> dict[str, dict[str, float]]:
    core = pin_to_one_core()
    log(f"speed on core {core}: {len(hot)} raw messages")
    results: dict[str, dict[str, float]] = {}
    for name, path in models.items():
        classifier = load_model(path)
        results[name] = speed(
            lambda texts, c=classifier: c.predict_top_batch(texts, 3),  # type: ignore[misc]
            lambda text, c=classifier: c.predict_top(text, 3),  # type: ignore[misc]
            hot,
        )
    results["baseline"] = speed(
        baseline.decision_function, lambda text: baseline.decision_function([text]), hot
    )
    return results


def verdicts(document: dict[str, Any]) -> dict[str, bool]:
    cv = document["cross_validation"]["ours"]
    ours, trained = document["speed"]["ours"], document["training"]["ours"]
    return {
        "cv_macro_f1_segmented": cv["segmented"]["macro_f1"]["mean"] >= TARGETS["cv_macro_f1_min"],
        "cv_macro_f1_raw": cv["raw"]["macro_f1"]["mean"] >= TARGETS["cv_macro_f1_min"],
        "batch_throughput": ours["batch_docs_per_second"] >= TARGETS["batch_docs_per_second_min"],
        "single_median": ours["single_median_ms"] <= TARGETS["single_median_ms_max"],
        "single_p99": ours["single_p99_ms"] <= TARGETS["single_p99_ms_max"],
        "training_time": trained["training_seconds"] <= TARGETS["training_seconds_max"],
        "model_size": trained["model_bytes"] <= TARGETS["model_megabytes_max"] * 1024 * 1024,
    }


def main() -> None:
    options = arguments()
    started_at = datetime.now(UTC)
    dataset = load_dataset(options.data_dir / "classify_train.csv", ["text"], "label")
    seg, labels = dataset.texts, dataset.labels
    raw = [re.sub(r"\s+", "", text) for text in seg]  # unsegmented input, simulated
    hot = hot_messages(options.data_dir / "hot_messages.csv")
    document: dict[str, Any] = {
        "benchmark": "classifier",
        "date": started_at.isoformat(timespec="seconds"),
        "machine": machine(),
        "data": {
            "train": "tipdm2020c/classify_train.csv",
            "documents": len(seg),
            "classes": dict(Counter(labels).most_common()),
            "speed_texts": "tipdm2020c/hot_messages.csv subject + detail",
            "speed_documents": len(hot),
            "speed_mean_chars": round(statistics.fmean(len(text) for text in hot), 1),
        },
        "baseline": "TfidfVectorizer(analyzer='char', ngram_range=(1, 2)) + LinearSVC()",
        "ours": TrainingConfig().as_dict(),
        "targets": TARGETS,
        "load_average": {"start": load_average()},
    }
    document["cross_validation"] = cross_validations(
        seg, raw, labels, options.folds, not options.no_words
    )
    with tempfile.TemporaryDirectory() as folder:
        models, training = {}, {}
        models["ours"], training["ours"] = train_ours(
            seg, labels, TrainingConfig(), Path(folder), "ours"
        )
        if not options.no_words:
            models["ours_with_jieba_words"], training["ours_with_jieba_words"] = train_ours(
                seg, labels, WORDS, Path(folder), "words"
            )
        baseline, training["baseline"] = train_baseline(raw, labels)
        document["training"] = training
        document["load_average"]["speed"] = load_average()
        with threadpool_limits(limits=1):  # BLAS and OpenMP: one thread, as on one core
            document["speed"] = speeds(models, baseline, hot)
    document["load_average"]["end"] = load_average()
    document["met"] = verdicts(document)
    document["seconds"] = round((datetime.now(UTC) - started_at).total_seconds(), 1)
    text = json.dumps(document, ensure_ascii=False, indent=2)
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
