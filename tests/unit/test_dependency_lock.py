"""requirements.lock pins every dependency of pyproject.toml, at an allowed version, with hashes.

`make install` installs from the lock with --require-hashes; a dependency added to pyproject.toml
without `make lock` would otherwise be missing from a fresh install (docs/decisions/0028).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ ;\\]+)")
PYTHON_311_LINUX = {
    "python_version": "3.11",
    "python_full_version": "3.11.7",
    "sys_platform": "linux",
}


def declared_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    texts = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [Requirement(text) for text in texts]


def locked_versions() -> dict[str, list[Version]]:
    versions: dict[str, list[Version]] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if match := PINNED.match(line):
            name = canonicalize_name(match.group(1))
            versions.setdefault(name, []).append(Version(match.group(2)))
    return versions


def test_every_declared_dependency_is_locked_at_an_allowed_version() -> None:
    locked = locked_versions()
    problems = []
    for requirement in declared_requirements():
        if requirement.marker and not requirement.marker.evaluate(PYTHON_311_LINUX):
            continue
        name = canonicalize_name(requirement.name)
        allowed = [
            v for v in locked.get(name, []) if requirement.specifier.contains(v, prereleases=True)
        ]
        if not allowed:
            problems.append(f"{requirement} (locked: {locked.get(name) or 'missing'})")
    assert not problems, "requirements.lock is stale, run `make lock`: " + "; ".join(problems)


def test_every_locked_package_carries_a_hash() -> None:
    text = (ROOT / "requirements.lock").read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    unhashed = [
        e.split(" ", 1)[0] for e in entries if PINNED.match(e) and "--hash=sha256:" not in e
    ]
    assert not unhashed
    assert len(locked_versions()) > 50  # the lock was parsed, not an empty or truncated file
