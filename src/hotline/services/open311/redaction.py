"""Redaction of phone and ID-card numbers written inside free text (descriptions, notes).

Callers write their own numbers into complaints ("请联系我13812345678"); the public interface
must not publish them. Matching runs on a copy where full-width digits and punctuation are folded
to ASCII one character for one, so the spans found there replace the same spans of the original.
"""

from __future__ import annotations

import re

MOBILE_MASK = "【手机号已隐去】"
LANDLINE_MASK = "【电话已隐去】"
ID_MASK = "【身份证号已隐去】"

_FOLD = str.maketrans("０１２３４５６７８９－（）　＋", "0123456789-() +")

# 18-digit resident ID: region (6), birth date (8), sequence (3), check digit or X; the groups
# may be spaced. Checked first: its digit run would otherwise look like a phone number.
_ID = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5} ?(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r" ?\d{3}[0-9Xx](?![0-9A-Za-z])"
)
# Mobile: 1[3-9]x xxxx xxxx, optionally +86 / 86 in front and spaces or hyphens between groups.
_MOBILE = re.compile(r"(?<![\d+])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")
# Landline with an area code: 0 + 2–3 digits, then 7–8 digits, an optional extension.
_LANDLINE = re.compile(
    r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[ -]?[2-9]\d{2,3}[ -]?\d{4}(?:(?:-|转|ext\.?)\d{1,6})?(?!\d)"
)
# A bare local number (7–8 digits) only where a word says it is a telephone number.
_LOCAL = re.compile(
    r"(?:电话|座机|手机|号码|联系方式|联系|致电|拨打|tel|TEL|Tel)[:： 是为]{0,3}"
    r"(?P<number>[2-9]\d{2,3}[ -]?\d{4})(?!\d)"
)


def _spans(folded: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, mask: str) -> None:
        if not any(start < t_end and t_start < end for t_start, t_end in taken):
            taken.append((start, end))
            found.append((start, end, mask))

    for match in _ID.finditer(folded):
        add(match.start(), match.end(), ID_MASK)
    for match in _MOBILE.finditer(folded):
        add(match.start(), match.end(), MOBILE_MASK)
    for match in _LANDLINE.finditer(folded):
        add(match.start(), match.end(), LANDLINE_MASK)
    for match in _LOCAL.finditer(folded):
        add(match.start("number"), match.end("number"), LANDLINE_MASK)
    return sorted(found)


def redact(text: str | None) -> str | None:
    """``text`` with every mobile, landline and 18-digit ID number replaced by a mask."""
    if not text:
        return text
    folded = text.translate(_FOLD)
    if not any(ch.isdigit() for ch in folded):
        return text
    pieces, last = [], 0
    for start, end, mask in _spans(folded):
        pieces += [text[last:start], mask]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)
