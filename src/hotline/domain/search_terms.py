"""Search terms of a case's text: what the case list's text search (``q``) indexes and asks for.

Chinese has no spaces, and the terms people search for are mostly two characters long (烧烤,
噪音, 井盖). A text is cut into runs: a run of Chinese characters gives its overlapping character
bigrams (a run of one character gives that character), a run of Latin letters and digits gives
itself, lower-cased; anything else separates runs. Tokens keep their order, so a query term is
the *phrase* of its own tokens: 占道经营 → 占道 道经 经营, found only where those three stand
next to each other, that is where the text holds 占道经营 (a substring match, as ``ILIKE`` would
find it, but answered by an index; docs/decisions/0018-case-text-search-index.md).

A query term that cannot be matched exactly by tokens is marked ``inexact``: a single Chinese
character (no bigram to look up) next to letters or digits (123号 → 123 and 号): its phrase
finds a superset, which the caller narrows by a plain substring test on the few rows found. A
term made of one Chinese character alone is refused: every case would need reading.

Pure: standard library only; positions and the stored forms (a PostgreSQL ``tsvector``, an
SQLite FTS5 text) are made by the database adapter from these tokens.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from hotline.domain.errors import InvalidInput

MAX_ALNUM = 40  # longer runs of letters/digits are cut: nobody types 40 characters of a code
MAX_TERMS = 8
MAX_QUERY_CHARS = 100


def _is_han(char: str) -> bool:
    code = ord(char)
    return (
        0x3400 <= code <= 0x4DBF  # extension A
        or 0x4E00 <= code <= 0x9FFF  # unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0x20000 <= code <= 0x3134F  # extensions B–G
    )


def _is_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _runs(text: str) -> list[tuple[str, str]]:
    """(kind, run) pairs in order: kind ``han`` or ``alnum``; separators dropped."""
    runs: list[tuple[str, str]] = []
    kind, start = "", 0
    normal = unicodedata.normalize("NFKC", text).lower()  # full-width digits and letters too
    for index, char in enumerate([*normal, " "]):
        here = "han" if _is_han(char) else "alnum" if _is_alnum(char) else ""
        if here != kind:
            if kind:
                runs.append((kind, normal[start:index]))
            kind, start = here, index
    return runs


def _run_tokens(kind: str, run: str) -> list[str]:
    if kind == "alnum":
        return [run[:MAX_ALNUM]]
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def text_tokens(text: str | None) -> list[str]:
    """The tokens of one text, in order (repeats kept: positions matter)."""
    if not text:
        return []
    return [token for kind, run in _runs(text) for token in _run_tokens(kind, run)]


def case_tokens(
    number: str, title: str | None, content: str | None, address: str | None
) -> list[str]:
    """The tokens a case is found by: its number, title, content and address, in that order.
    Caller name and phone are not indexed: a search must not find cases by personal data that
    the searching role sees masked."""
    return [
        *text_tokens(number),
        *text_tokens(title),
        *text_tokens(content),
        *text_tokens(address),
    ]


@dataclass(frozen=True)
class QueryTerm:
    """One whitespace-separated term of ``q``: the phrase of its tokens. ``prefix``: the last
    token is letters/digits and matches as a prefix (a partial case number, 2026 → 20261124).
    ``inexact``: the phrase finds a superset; ``text`` must also be a substring."""

    text: str
    tokens: tuple[str, ...]
    prefix: bool
    inexact: bool


def _query_term(raw: str) -> QueryTerm | None:
    runs = _runs(raw)
    if not runs:
        return None  # punctuation only: nothing to look for
    if len(runs) == 1 and runs[0][0] == "han" and len(runs[0][1]) == 1:
        raise InvalidInput(f"搜索词「{raw}」只有一个汉字，请至少输入两个字", fields=("q",))
    tokens: list[str] = []
    inexact = False
    for kind, run in runs:
        if kind == "han" and len(run) == 1:
            inexact = True  # a lone character beside letters/digits: no bigram holds it
            continue
        tokens.extend(_run_tokens(kind, run))
    if not tokens:
        raise InvalidInput(f"搜索词「{raw}」没有可检索的两个连续汉字、字母或数字", fields=("q",))
    prefix = runs[-1][0] == "alnum"
    text = unicodedata.normalize("NFKC", raw).lower()
    return QueryTerm(text=text, tokens=tuple(tokens), prefix=prefix, inexact=inexact)


def query_terms(q: str) -> list[QueryTerm]:
    """The terms of a search, all of which a case must hold; refuses what cannot be searched."""
    if len(q) > MAX_QUERY_CHARS:
        raise InvalidInput(f"搜索内容不能超过 {MAX_QUERY_CHARS} 个字", fields=("q",))
    terms = [term for raw in q.split() if (term := _query_term(raw)) is not None]
    if not terms:
        raise InvalidInput("搜索内容为空：请输入至少两个汉字、地址或工单编号", fields=("q",))
    if len(terms) > MAX_TERMS:
        raise InvalidInput(f"搜索词不能超过 {MAX_TERMS} 个", fields=("q",))
    return terms
