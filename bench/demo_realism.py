"""The demo content's realism figures (docs/demo.md) beside the old generator's, measured the
same way in the same run.

Run: ``.venv/bin/python bench/demo_realism.py [--seed 42] [--end 2026-12-07] [--per-day 40]``.

* The new content: a year of ``hotline.demo.content`` draws and every figure of
  ``python -m hotline.demo.content.report`` (places, locating, near-duplicates, classifier,
  rhythm, repeats, outcomes), plus the CPU seconds the draws took.
* The baseline: the texts of the generator the demo replaced (``bench/synth`` at
  ``--baseline-commit``, read out of this repository's own git history into a temporary folder):
  one text per case for as many cases, each minor category drawn with the weights that generator
  used; its classifier macro-F1 and near-duplicate rate, computed by the same functions.

Prints one JSON document and writes it to ``bench/results/demo_realism.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from hotline.config import Settings
from hotline.demo.content.report import (
    build_content,
    classifier_macro_f1,
    generate,
    locator_function,
    near_duplicate_rate,
    report,
)

ROOT = Path(__file__).resolve().parent.parent
# The last commit whose bench/synth the demo content replaced (still generating the old texts).
BASELINE_COMMIT = "398f7f687c1530d5d357a1dab54567820f9a003d"
PAIR_SAMPLE = 1500


@dataclass(frozen=True)
class OldText:
    category: str
    subject: str
    content: str
    problem_key: str


def old_generator(commit: str, folder: Path) -> None:
    """Extract bench/synth of ``commit`` into ``folder`` (git archive; nothing downloaded)."""
    archive = subprocess.run(
        ["git", "archive", commit, "bench/__init__.py", "bench/synth"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        sys.exit(f"cannot read bench/synth at {commit}: {archive.stderr.decode().strip()}")
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")


def baseline_texts(folder: Path, cases: int, seed: int) -> list[OldText]:
    sys.path.insert(0, str(folder))
    from bench.synth.text import complaint, topic_for  # type: ignore[import-not-found]
    from bench.synth.vocabulary import GENERIC, TOPICS  # type: ignore[import-not-found]

    profile = Settings().profile
    parents = {c.parent for c in profile.categories if c.parent}
    minors = [c for c in profile.categories if c.code not in parents and c.level == "minor"]
    topics = {c.code: topic_for(c.name, list(c.keywords or ())) for c in minors}
    topic_weight = {t.key: t.weight for t in (*TOPICS, GENERIC)}
    shares: dict[str, int] = {}
    for topic in topics.values():
        shares[topic.key] = shares.get(topic.key, 0) + 1
    weights = [topic_weight[topics[c.code].key] / shares[topics[c.code].key] for c in minors]
    districts = [r.name for r in profile.regions if r.level in ("district", "zone")]
    rng = random.Random(seed)
    texts = []
    for n in range(cases):
        category = rng.choices(minors, weights=weights)[0]
        text = complaint(rng, topics[category.code], category.name, rng.choice(districts), "12345")
        texts.append(OldText(category.code, text.title or "", text.content, f"old-{n}"))
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 12, 7))
    parser.add_argument("--per-day", type=float, default=40.0)
    parser.add_argument("--baseline-commit", default=BASELINE_COMMIT)
    args = parser.parse_args()
    locate, _warnings = locator_function()
    content = build_content(args.seed, args.per_day)
    started = time.process_time()
    year = generate(content, args.end)
    draw_cpu = time.process_time() - started
    figures = report(year, locate_sample=2000, pair_sample=PAIR_SAMPLE, locate=locate)
    with tempfile.TemporaryDirectory() as folder:
        old_generator(args.baseline_commit, Path(folder))
        old = baseline_texts(Path(folder), len(year.draws), args.seed)
    sample = random.Random(args.seed).sample(old, PAIR_SAMPLE)
    result: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "seed": args.seed,
        "days": f"{year.first} – {year.last}",
        "cases": len(year.draws),
        "draw_cpu_seconds": round(draw_cpu, 2),
        "content": {f.name.strip(): round(f.value, 4) for f in figures},
        "all_thresholds_met": all(f.ok for f in figures),
        "baseline": {
            "generator": f"bench/synth at {args.baseline_commit[:7]}",
            "cases": len(old),
            "categories": len({t.category for t in old}),
            "classifier macro-F1, 30 largest categories, 80/20": round(
                classifier_macro_f1(old, seed=args.seed), 4
            ),
            "pairs from different problems with 5-gram Jaccard ≥ 0.8": near_duplicate_rate(sample),
        },
    }
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    (ROOT / "bench" / "results" / "demo_realism.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
