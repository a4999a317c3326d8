"""How long ``hotline`` commands take from start to exit, and how many modules they import.

Run: ``.venv/bin/python bench/bench_cli_startup.py [--runs 15] [--before-src DIR]``.

Each command runs ``--runs`` times as a fresh process (``python -m hotline …``, the same
interpreter as the ``hotline`` script) after one warm-up run that compiles the bytecode; the
figures are the minimum and the median wall time and CPU time (user + system, which other work
on a shared machine skews less than wall time), and the number of modules the process had
imported at exit. The baseline is the same commands on another source tree measured in the same
run, interleaved run by run so that a change in the machine's load hits both alike:
``--before-src`` points at a ``src`` folder exported from an earlier commit, e.g.

    git archive 20b100b src | tar -x -C /tmp/cli-before
    .venv/bin/python bench/bench_cli_startup.py --before-src /tmp/cli-before/src

The commands: ``--help``; a group's ``--help``; two calendar commands without a database (the
"light" commands: the default SQLite file does not exist in the scratch var dir); and
``report daily`` on a migrated, seeded, empty SQLite database (a command that needs the database:
what it imports beyond the light ones is SQLAlchemy, the models and the notice). Writes
``bench/results/cli_startup.json``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine_info, print_json, stderr, write_result

COMMANDS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    # label, arguments, needs the migrated database
    ("hotline --help", ("--help",), False),
    ("hotline report --help", ("report", "--help"), False),
    ("hotline calendar is-workday 2026-10-09", ("calendar", "is-workday", "2026-10-09"), False),
    ("hotline calendar deadline --working-days 5",
     ("calendar", "deadline", "--from", "2026-09-30T16:00", "--working-days", "5"), False),
    ("hotline report daily (empty database)",
     ("report", "daily", "--date", "2026-11-25", "--out", "{tmp}/daily.html"), True),
)  # fmt: skip

# The number of modules at exit tells how much the process imported.
COUNT_MODULES = (
    "import atexit, sys; "
    "atexit.register(lambda: sys.stderr.write(f'\\n#modules {len(sys.modules)}\\n'))"
)
RUN_HOTLINE = (
    "import runpy; sys.argv = ['hotline', *sys.argv[1:]]; "
    "runpy.run_module('hotline', run_name='__main__')"
)


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float  # user + system time of the process: less skewed by other work than wall time
    modules: int


def _env(src: Path | None, var_dir: Path) -> dict[str, str]:
    env = {**os.environ, "HOTLINE_VAR_DIR": str(var_dir), "COLUMNS": "100"}
    env.pop("HOTLINE_DATABASE_URL", None)
    if src is not None:  # the tree measured comes first on the path, before the editable install
        env["PYTHONPATH"] = str(src)
    return env


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(args: tuple[str, ...], env: dict[str, str]) -> Run:
    """One run as ``python -m hotline ARGS``; a failing command stops the benchmark."""
    code = f"{COUNT_MODULES}; {RUN_HOTLINE}"
    cpu, started = _child_cpu(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True
    )
    seconds, cpu = time.perf_counter() - started, _child_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"hotline {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    modules = [line for line in done.stderr.splitlines() if line.startswith("#modules ")]
    return Run(seconds, cpu, int(modules[-1].split()[1]))


def _prepare_database(src: Path | None, var_dir: Path) -> None:
    env = _env(src, var_dir)
    for args in (("db", "upgrade"), ("seed",)):
        _run(args, env)


def _figures(runs: list[Run]) -> dict[str, Any]:
    wall, cpu = [run.wall_s for run in runs], [run.cpu_s for run in runs]
    return {
        "wall_min_s": round(min(wall), 3),
        "wall_median_s": round(statistics.median(wall), 3),
        "cpu_min_s": round(min(cpu), 3),
        "cpu_median_s": round(statistics.median(cpu), 3),
        "modules": runs[-1].modules,
    }


def measure(trees: dict[str, Path | None], runs: int, scratch: Path) -> list[dict[str, Any]]:
    dirs = {}
    for name, src in trees.items():
        empty, migrated = scratch / name / "empty", scratch / name / "db"
        empty.mkdir(parents=True)
        migrated.mkdir(parents=True)
        _prepare_database(src, migrated)
        dirs[name] = (empty, migrated)
    rows = []
    for label, template, needs_db in COMMANDS:
        args = tuple(arg.replace("{tmp}", str(scratch)) for arg in template)
        done: dict[str, list[Run]] = {name: [] for name in trees}
        for _ in range(runs + 1):  # the first run of each tree is the warm-up, not counted
            for name, src in trees.items():
                env = _env(src, dirs[name][1] if needs_db else dirs[name][0])
                done[name].append(_run(args, env))
        row: dict[str, Any] = {"command": label}
        row |= {name: _figures(done[name][1:]) for name in trees}
        stderr.print(row)
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command and tree")
    parser.add_argument("--before-src", type=Path, help="a src folder of an earlier commit")
    options = parser.parse_args()
    trees: dict[str, Path | None] = {"after": None}
    if options.before_src is not None:
        trees = {"before": options.before_src.resolve(), "after": None}
    machine = machine_info()  # the load average as the run starts; the one at its end beside it
    with tempfile.TemporaryDirectory(prefix="cli-startup-") as scratch:
        rows = measure(trees, options.runs, Path(scratch))
    machine["load_average_after"] = machine_info()["load_average"]
    result = {"machine": machine, "runs": options.runs, "commands": rows}
    write_result("cli_startup", result)
    print_json(result)


if __name__ == "__main__":
    main()
