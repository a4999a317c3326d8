"""Train the classifier: TF-IDF features (features.py) → linear SVM → temperature-scaled softmax.

A LinearSVC on character n-grams is as good as anything cheap on this task (docs/classifier.md);
its decision scores are not probabilities, so a temperature is fitted on out-of-fold scores
(minimum log-loss of ``softmax(scores / T)``), which gives honest top-K confidences without
changing the ranking. The same out-of-fold predictions yield the metrics kept in the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from statistics import fmean
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import numpy.typing as npt

from hotline.classify.features import Block, FeatureConfig, Featurizer, fit_transform

if TYPE_CHECKING:
    from hotline.classify.calibration import OutOfFold

# scikit-learn and scipy.optimize are imported inside the training functions: prediction (the
# intake form, ``hotline classifier predict``) never needs them, and they take a second to load.

FloatArray = npt.NDArray[np.float64]
Progress = Callable[[str], None]


class TrainingError(ValueError):
    """The texts and labels cannot train a model (mismatched lengths, one class, no features)."""


@dataclass(frozen=True)
class TrainingConfig:
    features: FeatureConfig = field(default_factory=FeatureConfig)
    svm_c: float = 2.0  # chosen by 5-fold CV on the TipDM set: 1 → 0.931, 2 → 0.932, 4 → 0.931
    calibration_folds: int = 3
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "features": self.features.as_dict()}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainingConfig:
        features = FeatureConfig.from_dict(values.get("features", {}))
        return cls(**{**values, "features": features})


@dataclass(frozen=True)
class LinearModel:
    """Scores = features · weights + intercept, one column per label."""

    labels: tuple[str, ...]
    featurizer: Featurizer
    # float64 in memory, like the features: a float32 matrix would be converted on every call
    weights: FloatArray  # (features, labels)
    intercept: FloatArray  # (labels,)

    def scores(self, texts: Sequence[str]) -> FloatArray:
        product = self.featurizer.transform(texts) @ self.weights
        return np.asarray(product, dtype=np.float64) + self.intercept

    def rank(self, texts: Sequence[str]) -> list[list[str]]:
        order = np.argsort(-self.scores(texts), axis=1, kind="stable")
        return [[self.labels[column] for column in row] for row in order]


@dataclass(frozen=True)
class TrainedModel:
    linear: LinearModel
    temperature: float
    config: TrainingConfig
    trained_at: datetime
    training_data: dict[str, Any]
    metrics: dict[str, Any]

    @property
    def labels(self) -> tuple[str, ...]:
        return self.linear.labels

    def probabilities(self, texts: Sequence[str]) -> FloatArray:
        """(texts, labels) calibrated probabilities; each row sums to 1."""
        scaled = self.linear.scores(texts) / self.temperature
        exponentials = np.exp(scaled - scaled.max(axis=1, keepdims=True))  # no overflow
        return np.asarray(exponentials / exponentials.sum(axis=1, keepdims=True))


def fit_linear(
    texts: Sequence[str],
    labels: Sequence[str],
    config: TrainingConfig,
    progress: Progress | None = None,
) -> LinearModel:
    featurizer, matrix = fit_transform(texts, config.features, progress)
    if featurizer.size == 0:
        raise TrainingError("没有可用的特征:文本为空,或彼此没有共同的字")
    from sklearn.svm import LinearSVC

    svm = LinearSVC(C=config.svm_c, random_state=config.seed)
    svm.fit(matrix, list(labels))
    weights, intercept = svm.coef_, svm.intercept_
    if weights.shape[0] == 1:  # two classes: scikit-learn keeps one column, for the second label
        weights, intercept = np.vstack([-weights, weights]), np.hstack([-intercept, intercept])
    return LinearModel(
        labels=tuple(str(label) for label in svm.classes_),
        featurizer=featurizer,
        weights=np.ascontiguousarray(weights.T, dtype=np.float64),
        intercept=intercept.astype(np.float64),
    )


def fit_and_rank(config: TrainingConfig | None = None) -> Callable[..., list[list[str]]]:
    """Our pipeline as a FitRank for ``evaluate.cross_validate`` (no calibration: it would not
    change the ranking)."""
    chosen = config or TrainingConfig()

    def fit_rank(
        train_texts: Sequence[str], train_labels: Sequence[str], test_texts: Sequence[str]
    ) -> list[list[str]]:
        return fit_linear(train_texts, train_labels, chosen).rank(test_texts)

    return fit_rank


def _check_training_set(texts: Sequence[str], labels: Sequence[str]) -> None:
    if len(texts) != len(labels):
        raise TrainingError(f"文本 {len(texts)} 条,类别标签却有 {len(labels)} 个")
    if len(set(labels)) < 2:
        raise TrainingError("训练至少需要两个类别")


def training_summary(
    texts: Sequence[str], labels: Sequence[str], source: dict[str, Any] | None
) -> dict[str, Any]:
    """What the model learnt from, for the manifest; the fingerprint identifies the data."""
    fingerprint = hashlib.sha256()
    for text, label in zip(texts, labels, strict=True):
        fingerprint.update(f"{label}\x1f{text}\x1e".encode("utf-8", "surrogatepass"))
    return {
        "documents": len(texts),
        "classes": dict(sorted(Counter(labels).items())),
        "mean_chars": round(fmean(len(text) for text in texts), 1),
        "fingerprint_sha256": fingerprint.hexdigest(),
        "source": source or {},
    }


def _held_out_metrics(oof: OutOfFold | None, labels: Sequence[str]) -> dict[str, Any]:
    if oof is None:
        return {"method": "none: too few texts per class to hold any out"}
    from hotline.classify.evaluate import score_rankings

    evaluation = score_rankings(labels, oof.rankings()).as_dict()
    method = f"{oof.folds}-fold out-of-fold predictions on the training data"
    return {"method": method, **evaluation}


def _calibrate(
    texts: Sequence[str], labels: Sequence[str], config: TrainingConfig, progress: Progress | None
) -> tuple[float, OutOfFold | None]:
    """(temperature, out-of-fold scores); T = 1 where a class is smaller than the folds: every
    class must be in every fold, and so few examples would calibrate nothing anyway."""
    from hotline.classify.calibration import fit_temperature, out_of_fold_scores

    folds = config.calibration_folds
    if folds < 2 or min(Counter(labels).values()) < folds:
        return 1.0, None
    fit = partial(fit_linear, config=config)
    oof = out_of_fold_scores(texts, labels, fit, folds=folds, seed=config.seed, progress=progress)
    column = {label: number for number, label in enumerate(oof.labels)}
    truth = np.array([column[label] for label in labels], dtype=np.int64)
    return fit_temperature(oof.scores, truth), oof


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    config: TrainingConfig | None = None,
    *,
    trained_at: datetime,
    source: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> TrainedModel:
    """Fit the final model on everything, calibrate on out-of-fold scores, record metrics.
    ``trained_at`` is the caller's ``now``: it names the model's version, so it must not be read
    from the clock here."""
    chosen = config or TrainingConfig()
    _check_training_set(texts, labels)
    temperature, oof = _calibrate(texts, labels, chosen, progress)
    linear = fit_linear(texts, labels, chosen, progress)
    return TrainedModel(
        linear=linear,
        temperature=temperature,
        config=chosen,
        trained_at=trained_at,
        training_data=training_summary(texts, labels, source),
        metrics=_held_out_metrics(oof, labels),
    )


# --- storage: an .npz of plain arrays beside a JSON manifest (docs/decisions/0002) ----------

FORMAT_NAME = "hotline-classifier"
FORMAT_VERSION = 1


class ModelError(Exception):
    """A model file that cannot be used: missing, altered, corrupt or of another format.
    ``code`` is stable for programs; the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SavedModel:
    model: TrainedModel
    manifest: dict[str, Any]

    @property
    def sha256(self) -> str:
        return str(self.manifest["sha256"])

    @property
    def version(self) -> str:
        return str(self.manifest["version"])


def manifest_path(model_path: Path) -> Path:
    """``model.npz`` → ``model.npz.manifest.json``: beside it, never mistaken for another's."""
    return model_path.with_name(model_path.name + ".manifest.json")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _arrays(model: TrainedModel) -> dict[str, npt.NDArray[Any]]:
    linear = model.linear
    header = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "labels": list(model.labels),
        "temperature": model.temperature,
        "features": linear.featurizer.config.as_dict(),
        "blocks": [block.name for block in linear.featurizer.blocks],
    }
    arrays: dict[str, npt.NDArray[Any]] = {
        "header": np.array(json.dumps(header, ensure_ascii=False)),
        "weights": linear.weights.astype(np.float32),  # half the file; 7 digits are plenty
        "intercept": linear.intercept,
    }
    for block in linear.featurizer.blocks:
        arrays[f"{block.name}_keys"] = block.keys
        arrays[f"{block.name}_idf"] = block.idf.astype(np.float32)
    return arrays


def library_versions() -> dict[str, str]:
    import jieba
    import scipy
    import sklearn

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "jieba": str(getattr(jieba, "__version__", "unknown")),
    }


def _manifest(model: TrainedModel, path: Path, sha256: str) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "model_file": path.name,
        "sha256": sha256,
        "size_bytes": path.stat().st_size,
        "version": f"{model.trained_at.astimezone(UTC):%Y%m%dT%H%M%SZ}-{sha256[:8]}",
        "trained_at": model.trained_at.astimezone(UTC).isoformat(),
        "labels": list(model.labels),
        "temperature": model.temperature,
        "config": model.config.as_dict(),
        "libraries": library_versions(),
        "training_data": model.training_data,
        "metrics": model.metrics,
    }


def _write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write beside the target, then rename: a reader never sees half a file."""
    unfinished = path.with_name(f".{path.name}.partial")
    with unfinished.open("wb") as stream:
        write(stream)
    os.replace(unfinished, path)


def save(model: TrainedModel, path: str | os.PathLike[str]) -> dict[str, Any]:
    """Write the model file and its manifest (with the model file's sha256); return the
    manifest."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    arrays = _arrays(model)

    def write_arrays(stream: BinaryIO) -> None:
        np.savez_compressed(stream, **arrays)  # type: ignore[arg-type]  # numpy's stub: names

    _write_atomically(target, write_arrays)
    manifest = _manifest(model, target, file_sha256(target))
    document = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")

    def write_manifest(stream: BinaryIO) -> None:
        stream.write(document)

    _write_atomically(manifest_path(target), write_manifest)
    return manifest


# --- loading ---------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, Any]:
    where = manifest_path(path)
    if not path.is_file():
        raise ModelError("model_missing", f"模型文件不存在:{path}")
    try:
        manifest = json.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError("manifest_missing", f"缺少模型清单文件:{where}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelError("manifest_invalid", f"模型清单无法读取:{where}({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ModelError("manifest_invalid", f"不是 hotline 分类器的模型清单:{where}")
    return manifest


def _check_compatible(manifest: dict[str, Any]) -> None:
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelError(
            "incompatible",
            f"模型格式版本 {version} 与本程序支持的版本 {FORMAT_VERSION} 不符,请重新训练模型",
        )


def _check_integrity(path: Path, manifest: dict[str, Any]) -> None:
    if file_sha256(path) != manifest.get("sha256"):
        raise ModelError(
            "checksum_mismatch",
            f"模型文件的 sha256 与清单不符,文件已被改动或损坏,拒绝加载:{path}",
        )


def _read_arrays(path: Path) -> dict[str, npt.NDArray[Any]]:
    """Plain arrays only: ``allow_pickle=False`` keeps code out of the model file."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise ModelError("corrupt", f"模型文件已损坏,无法读取:{path}({error})") from None


def _model_from(arrays: dict[str, npt.NDArray[Any]], manifest: dict[str, Any]) -> TrainedModel:
    header = json.loads(str(arrays["header"]))
    if header.get("labels") != manifest.get("labels"):
        raise ModelError("inconsistent", "模型文件与清单的类别列表不一致")
    features = FeatureConfig.from_dict(header["features"])
    blocks = tuple(
        Block(name, arrays[f"{name}_keys"], arrays[f"{name}_idf"].astype(np.float64))
        for name in header["blocks"]
    )
    linear = LinearModel(
        labels=tuple(header["labels"]),
        featurizer=Featurizer(features, blocks),
        weights=np.ascontiguousarray(arrays["weights"], dtype=np.float64),
        intercept=arrays["intercept"].astype(np.float64),
    )
    return TrainedModel(
        linear=linear,
        temperature=float(header["temperature"]),
        config=TrainingConfig.from_dict(manifest["config"]),
        trained_at=datetime.fromisoformat(manifest["trained_at"]),
        training_data=manifest.get("training_data", {}),
        metrics=manifest.get("metrics", {}),
    )


def load(path: str | os.PathLike[str]) -> SavedModel:
    """Read a saved model, refusing it unless the manifest's format version and the model
    file's sha256 both match."""
    target = Path(path)
    manifest = read_manifest(target)
    _check_compatible(manifest)
    _check_integrity(target, manifest)
    arrays = _read_arrays(target)
    try:
        return SavedModel(_model_from(arrays, manifest), manifest)
    except (KeyError, TypeError, ValueError) as error:
        raise ModelError("corrupt", f"模型文件内容不完整:{path}({error!r})") from None
