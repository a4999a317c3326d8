"""Text preparation shared by training and prediction, so both see exactly the same text.

Citizens' messages arrive raw (subject + detail as typed), while the TipDM training set is
already jieba-segmented with stop words removed (tokens separated by spaces). Character
features are cut from the folded text with every space removed, which makes raw and
pre-segmented input look alike; jieba words are optional (see ``features.py``).

Folding = Unicode NFKC (full-width to half-width: ``，`` → ``,``, ``Ａ`` → ``A``, ideographic space
→ space) and lower case. Python's ``unicodedata.normalize`` costs about 0.1 ms per message, a
sixth of the whole prediction, so the character streams fold a whole batch through a lookup
table over the Basic Multilingual Plane in numpy; only messages holding one of the rare
characters that NFKC expands into several (``…`` → ``...``, ``㎡`` → ``m2``, ``①`` → ``1``) go
through ``unicodedata`` first. Either way the result equals ``normalise`` without spaces.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from functools import cache

import numpy as np
import numpy.typing as npt

# openpyxl writes a carriage return inside a cell as this escape; Excel exports carry it along.
_EXCEL_CR = re.compile(r"_x000d_", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
# NUL separates documents inside a batch (features.py), so no text may keep it; other C0
# controls carry no meaning either.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BMP = 0x10000
_DROP = -1  # folded code of a character the streams leave out


def _fold_char(char: str) -> str:
    if unicodedata.is_normalized("NFKC", char) and char.lower() == char:
        return char  # nine characters in ten: the quick checks spare a normalisation
    return unicodedata.normalize("NFKC", char).lower()


def normalise(text: str) -> str:
    """NFKC (full-width to half-width), lower case, controls and Excel escapes gone,
    runs of whitespace collapsed to one space."""
    text = unicodedata.normalize("NFKC", _EXCEL_CR.sub(" ", text)).lower()
    return _WHITESPACE.sub(" ", _CONTROL.sub("", text)).strip()


def _is_jamo(code: int) -> bool:
    return 0x1100 <= code < 0x1200 or 0xA960 <= code < 0xA980 or 0xD7B0 <= code < 0xD800


def _folds_with_neighbours(char: str, folded: str) -> bool:
    """Whether folding this character alone could differ from folding it inside its text:
    NFKC expands it, or its folded form combines with a neighbour (combining marks, Hangul
    jamo), or its lower case depends on the context (final sigma)."""
    if len(folded) != 1:
        return True
    if folded == "σ" and "Σ" in unicodedata.normalize("NFKC", char):
        return True
    code = ord(folded)
    return (
        unicodedata.combining(folded) != 0
        or unicodedata.category(folded) in ("Mn", "Mc", "Me")
        or _is_jamo(code)
    )


@cache
def _bmp_tables() -> tuple[npt.NDArray[np.int64], re.Pattern[str]]:
    """The folded code of every BMP character (_DROP for whitespace and controls; NUL stays,
    it is the batch separator), and a pattern of the characters that must go through
    unicodedata instead (plus everything beyond the BMP). Built once per process."""
    table = np.arange(_BMP, dtype=np.int64)
    unusual = []
    for code in range(1, _BMP):
        if 0xD800 <= code < 0xE000:
            continue  # lone surrogates stay as they are
        char = chr(code)
        folded = _fold_char(char)
        if _folds_with_neighbours(char, folded):
            unusual.append(char)
        elif folded.isspace() or _CONTROL.match(folded):
            table[code] = _DROP
        else:
            table[code] = ord(folded)
    pattern = re.compile("[" + re.escape("".join(unusual)) + "\U00010000-\U0010ffff]")
    return table, pattern


def _prefold(text: str) -> str:
    if "\x00" in text:
        text = text.replace("\x00", "")
    if "_x" in text or "_X" in text:
        text = _EXCEL_CR.sub(" ", text)
    if _bmp_tables()[1].search(text):
        text = unicodedata.normalize("NFKC", text).lower()
    return text


def char_streams(texts: Sequence[str]) -> list[str]:
    """Each text folded and with every whitespace character removed: what the character
    n-grams are cut from. ``"噪音 扰民"`` (segmented) and ``"噪音扰民"`` (raw) become identical."""
    if not texts:
        return []
    joined = "\x00".join(_prefold(text) for text in texts)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    folded = codes.astype(np.int64)
    in_bmp = codes < _BMP
    folded[in_bmp] = _bmp_tables()[0][codes[in_bmp]]
    kept: bytes = folded[folded != _DROP].astype(np.uint32).tobytes()
    return kept.decode("utf-32-le", "surrogatepass").split("\x00")


def char_stream(text: str) -> str:
    return char_streams([text])[0]


@cache
def _jieba() -> object:
    """Import and initialise jieba once per process, quietly.

    jieba logs "Building prefix dict ..." on every start; stdout holds results only, and its
    log handler writes to stderr, where only warnings are let through.
    """
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def words(text: str) -> list[str]:
    """jieba tokens of the normalised text (precise mode without HMM: faster, and the same
    tokens whatever was seen before). Pre-segmented text keeps its boundaries: jieba never
    joins across a space."""
    jieba = _jieba()
    tokens: list[str] = jieba.lcut(normalise(text), HMM=False)  # type: ignore[attr-defined]
    return [token for token in tokens if not token.isspace()]
