"""Text normalisation for Chinese complaints before they are compared.

Two complaints about one problem differ in width (full/half), punctuation, letter case, and in
the polite frame around the substance (尊敬的领导：您好！… 谢谢！). None of that says anything about
the problem, and left in it makes unrelated letters look alike, so it is removed here. Place
tokens of the pseudonymised data (A市, A3区, A7县, 西地省) are kept: they are features.
"""

from __future__ import annotations

import re
import unicodedata

# Addressees and greetings: "尊敬的胡书记：您好！", "张县长，你好", "各位领导干部大家好".
_ADDRESS = re.compile(
    r"(?:尊敬的|敬爱的|亲爱的|各位)?[\u4e00-\u9fff]{0,4}"
    r"(?:书记|市长|县长|区长|局长|主任|部长|厅长|领导干部|领导|同志们?)"
    r"(?:们)?[\s，,：:！!]*(?:您好|你好|大家好)[\s，,。：:！!]*"
)
_GREETING = re.compile(r"(?:您好|你好|大家好)[\s，,。：:！!]*")
_SALUTATION = re.compile(
    r"(?:尊敬的|敬爱的)[\u4e00-\u9fff]{0,6}?(?:领导|政府|书记|市长|县长)[\s，,：:！!]+"
)
# Closing formulas: thanks, "此致敬礼", "望领导重视为感" up to the end of their sentence.
_CLOSING = re.compile(
    r"(?:此致|敬礼|谢谢|感谢您?|非常感谢|万分感谢|望予?回复|盼复|特此)[^。！!？?\n]{0,12}[。！!？?]?"
)
_URL = re.compile(r"https?://\S+|www\.\S+")
_MASK = re.compile(r"\*{3,}")  # masked id numbers and phone numbers in published letters
_NON_WORD = re.compile(r"[^\w]+")
_SPACES = re.compile(r"\s+")


def fold_width(text: str) -> str:
    """Full-width letters, digits and punctuation to half width (NFKC), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def strip_boilerplate(text: str) -> str:
    """Remove greetings, addressees and closing formulas; they carry no problem."""
    for pattern in (_URL, _MASK, _ADDRESS, _SALUTATION, _GREETING, _CLOSING):
        text = pattern.sub(" ", text)
    return text


def normalise_text(text: str) -> str:
    """The comparable form of a complaint: folded, without boilerplate or punctuation."""
    folded = strip_boilerplate(fold_width(text))
    return _SPACES.sub(" ", _NON_WORD.sub(" ", folded)).strip()
