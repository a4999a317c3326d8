"""The mutation score of src/hotline/domain/ per module, from the results mutmut left in mutants/.

`make test-slow` runs `mutmut run` (configured in pyproject.toml's [tool.mutmut]) and then this,
which prints killed, survived, timeout and untested mutants per module and exits non-zero when the
core rule modules together fall below ``--floor`` (docs/testing.md says why these modules and how
the floor was chosen). mutmut's own mapping from a mutant's exit code to its status is used, so
the two can never disagree.

    python -m tests.mutation_score [--floor 0.90] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

DOMAIN = Path("mutants/src/hotline/domain")
CORE = ("lifecycle", "rules", "sla", "deadlines", "ledger", "supervision", "calendar", "history",
        "scoring")  # fmt: skip
COLUMNS = ("killed", "survived", "timeout", "no tests", "not checked")


def module_counts(domain: Path = DOMAIN) -> dict[str, Counter[str]]:
    """Statuses per module (``handlers/unit`` for a handler module), from mutmut's .meta files."""
    counts: dict[str, Counter[str]] = {}
    for meta in sorted(domain.rglob("*.py.meta")):
        exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
        if exit_codes:
            name = str(meta.relative_to(domain)).removesuffix(".py.meta")
            counts[name] = Counter(status_by_exit_code[code] for code in exit_codes.values())
    return counts


def score(counts: Counter[str]) -> float:
    """Detected (killed or timed out) over every mutant, untested and unchecked ones included:
    a mutant no test runs is a rule no test guards."""
    total = sum(counts.values())
    return (counts["killed"] + counts["timeout"]) / total if total else 1.0


def table(counts: dict[str, Counter[str]], markdown: bool) -> str:
    head = ("module", *COLUMNS, "other", "score")
    rows = [head] if not markdown else [head, tuple("---" for _ in head)]
    for name, found in [*counts.items(), ("core modules", _sum(counts, CORE)),
                        ("all of domain/", _sum(counts, tuple(counts)))]:  # fmt: skip
        other = sum(n for status, n in found.items() if status not in COLUMNS)
        numbers = [str(found[column]) for column in COLUMNS]
        rows.append((name, *numbers, str(other), f"{score(found):.1%}"))
    if markdown:
        return "\n".join("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join("  ".join(cell.ljust(14) for cell in row) for row in rows)


def _sum(counts: dict[str, Counter[str]], names: tuple[str, ...]) -> Counter[str]:
    total: Counter[str] = Counter()
    for name in names:
        total += counts.get(name, Counter())
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--floor", type=float, default=0.0, help="least core score, 0–1")
    parser.add_argument("--markdown", action="store_true", help="a table for docs/testing.md")
    args = parser.parse_args(argv)
    counts = module_counts()
    if not counts:
        print(f"no mutmut results under {DOMAIN}: run `mutmut run` first", file=sys.stderr)
        return 2
    print(table(counts, args.markdown))
    core = score(_sum(counts, CORE))
    if core < args.floor:
        print(f"core modules' mutation score {core:.1%} is under the floor {args.floor:.0%}",
              file=sys.stderr)  # fmt: skip
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
