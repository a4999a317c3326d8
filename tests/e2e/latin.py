"""Latin words a person would see on a page: the workbench speaks Chinese everywhere.

A page's visible text is split into runs of letters, digits and joiners. A run with a digit is a
code or a figure (a case number, a category code `E0301`, `2026-W48`, `12345`), and allowed, as
is a keyboard shortcut (`Alt+K`, `Ctrl+Shift+Enter`). A run of letters alone is a word; it is
allowed only when it is a unit, a key on the keyboard, or a file format named as people name it.
A person's login name is a word like any other: pages show people by their names.
"""

from __future__ import annotations

import re

ALLOWED_WORDS = frozenset(
    {
        # units of size, time, distance
        "B", "KB", "MB", "GB", "ms", "s", "km", "m",
        # keys, as printed on the keyboard, in shortcut hints
        "Alt", "Ctrl", "Shift", "Enter", "Tab", "Esc", "Space",
        # file formats people choose by these names
        "HTML", "xlsx", "PDF", "CSV", "JSON",
    }
)  # fmt: skip
RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+/-]*")
WORD = re.compile(r"[A-Za-z]+")
CHORD = re.compile(r"(?:(?:Ctrl|Alt|Shift)\+)+[A-Za-z0-9]+")  # a shortcut: Alt+K, Ctrl+Shift+Z


def latin_words(text: str) -> list[str]:
    """The Latin words in ``text`` outside the allow-list, in order of appearance."""
    found: list[str] = []
    for run in RUN.findall(text):
        if any(char.isdigit() for char in run) or CHORD.fullmatch(run):
            continue
        found.extend(word for word in WORD.findall(run) if word not in ALLOWED_WORDS)
    return found
