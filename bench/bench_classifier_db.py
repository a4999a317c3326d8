"""Retraining the classifier from the case database and its production-accuracy report, over
generated cases, each beside a baseline measured in the same run.

    .venv/bin/python bench/generate.py --database-url URL --cases N --months 12   # the data, once
    .venv/bin/python bench/bench_classifier_db.py --database-url URL [--month 2026-10] [--json]

Steps: ``retrain_from_cases`` on every closed case with nothing deployed (deploys the
candidate); the intake records for every case (the deployed model's top three, in batches, as
the ``enrich`` job writes them, and the registered category); the report
(``classifier_report``) for one month and for the whole data, median of ``--repeat`` runs,
against a baseline that reads the same joined rows and counts in Python (the totals must agree);
a second retrain, now compared with the deployed model. The generated texts are template
sentences per category, so the quality figures say little about real complaints (see
docs/classifier.md for those); the times are the point. Results go to
``bench/results/classifier_db.json`` with the machine and the date.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, func, select  # noqa: E402

from bench.common import print_json, redact, stderr, write_result  # noqa: E402
from hotline.adapters.db.models import Case, CaseClassification  # noqa: E402
from hotline.bootstrap import build_hotline  # noqa: E402
from hotline.config import Settings  # noqa: E402
from hotline.domain.indicators import Period, month_period  # noqa: E402
from hotline.reports.classifier_accuracy import classifier_report  # noqa: E402
from hotline.services.classifier.deployment import (  # noqa: E402
    ModelGuess,
    active_model,
    code_for,
    known_codes,
    model_text,
)
from hotline.services.classifier.feedback import (  # noqa: E402
    record_registration,
    record_suggestion,
)
from hotline.services.classifier.training import RetrainRequest, retrain_from_cases  # noqa: E402
from hotline.services.context import Hotline  # noqa: E402

BATCH = 2000


def timed(work: Callable[[], Any], repeat: int) -> tuple[dict[str, float], Any]:
    seconds, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - began)
    summary = {"median_s": round(statistics.median(seconds), 4), "min_s": round(min(seconds), 4)}
    return summary, result


def retrain(hotline: Hotline, now: datetime, deploy: bool) -> dict[str, Any]:
    began = time.perf_counter()
    result = retrain_from_cases(
        hotline, RetrainRequest(deploy=deploy), now, progress=lambda m: stderr.print(m)
    )
    figures = result["comparison"]
    return {
        "seconds": round(time.perf_counter() - began, 2),
        "cases": result["cases"],
        "categories": len(result["classes"]),
        "held_out_cases": result["held_out_cases"],
        "current_status": result["current"]["status"],
        **{name: figures[name] for name in ("accuracy", "macro_f1", "top3_accuracy")},
        "deployed": result["deployed"] is not None,
    }


def _record_batch(hotline: Hotline, ids: list[int], now: datetime) -> None:
    deployed = active_model(hotline)
    assert deployed is not None
    codes = known_codes(hotline)
    with hotline.db.transaction() as session:
        cases = session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.id)).all()
        texts = [model_text(case.title, case.content) for case in cases]
        tops = deployed[0].predict_top_batch(texts, 3)
        for case, top in zip(cases, tops, strict=True):
            guesses = [
                ModelGuess(rank, label, code_for(label, deployed[1], codes), probability)
                for rank, (label, probability) in enumerate(top, start=1)
            ]
            record_suggestion(session, case, deployed[0].version, guesses, now)
            record_registration(session, case, "bench", now)


def record_all(hotline: Hotline, now: datetime) -> dict[str, Any]:
    """What intake would have recorded, for every case (registered = its category now)."""
    with hotline.db.transaction() as session:
        ids = list(session.scalars(select(Case.id).order_by(Case.id)))
        session.execute(delete(CaseClassification))
    began = time.perf_counter()
    for start in range(0, len(ids), BATCH):
        _record_batch(hotline, ids[start : start + BATCH], now)
    seconds = time.perf_counter() - began
    per_case_ms = round(seconds / max(len(ids), 1) * 1000, 3)
    return {"cases": len(ids), "seconds": round(seconds, 2), "ms_per_case": per_case_ms}


def python_counts(hotline: Hotline, period: Period) -> dict[str, int]:
    """The baseline: the joined rows into Python, counted there."""
    stmt = (
        select(Case.category_code, CaseClassification)
        .outerjoin(CaseClassification, CaseClassification.case_id == Case.id)
        .where(Case.received_on.between(period.start, period.end))
    )
    counts = {"cases": 0, "suggested": 0, "judged": 0, "right": 0}
    with hotline.db.transaction() as session:
        for final, row in session.execute(stmt):
            counts["cases"] += 1
            if row is None or row.model_version is None:
                continue
            counts["suggested"] += 1
            if final is not None:
                counts["judged"] += 1
                counts["right"] += int(final == row.top1_code)
    return counts


def report_timing(hotline: Hotline, period: Period, repeat: int) -> dict[str, Any]:
    ours, report = timed(lambda: classifier_report(hotline.db, period), repeat)
    baseline, counted = timed(lambda: python_counts(hotline, period), repeat)
    total = report["total"]
    agree = (
        total["cases"] == counted["cases"]
        and total["suggested"] == counted["suggested"]
        and (total["accuracy"]["numerator"], total["accuracy"]["denominator"])
        == (counted["right"], counted["judged"])
    )
    return {
        "period": period.as_data(),
        "cases": total["cases"],
        "report": ours,
        "baseline_python_count": baseline,
        "totals_agree": agree,
        "coverage": total["coverage"]["value"],
        "accuracy": total["accuracy"]["value"],
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    model_dir = Path(args.model_dir or tempfile.mkdtemp(prefix="hotline-models-"))
    settings = Settings(database_url=args.database_url, model_dir=model_dir)
    hotline = build_hotline(settings)
    now = datetime.now(UTC)
    with hotline.db.transaction() as session:
        first, last = session.execute(
            select(func.min(Case.received_on), func.max(Case.received_on))
        ).one()
    (model_dir / "active.json").unlink(missing_ok=True)
    stderr.print("retrain, nothing deployed …")
    first_retrain = retrain(hotline, now, deploy=True)
    stderr.print("recording intake suggestions for every case …")
    recorded = record_all(hotline, now)
    reports = [
        report_timing(hotline, month_period(args.month), args.repeat),
        report_timing(hotline, Period(first, last), args.repeat),
    ]
    stderr.print("retrain again, compared with the deployed model …")
    second_retrain = retrain(hotline, now, deploy=True)
    return {
        "database": redact(args.database_url),
        "dialect": hotline.db.engine.dialect.name,
        "retrain_nothing_deployed": first_retrain,
        "record_intake_suggestions": recorded,
        "reports": reports,
        "retrain_against_deployed": second_retrain,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("HOTLINE_DATABASE_URL"))
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--model-dir", help="where models go (default: a new temporary folder)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url or HOTLINE_DATABASE_URL is required")
    result = run(args)
    path = write_result("classifier_db", result)
    stderr.print(f"results: {path}")
    if args.json:
        print_json(result)
    else:
        for name, value in result.items():
            print(f"{name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
