"""A complaint's subject and text, assembled from independent parts with colloquial variation.

Each part is drawn on its own (opening, who calls, where, what — one or two of the category's
sentences, sometimes one of a neighbouring category's —, since when, the effect, the wish, a
closing), some are left out, and a few slips and fillers get in, as when an operator types a
call down in a hurry. A recurring problem keeps its place and its core sentence; every caller
words the rest differently.
"""

from __future__ import annotations

import random

from hotline.demo.content.data import CategoryText, categories, generic
from hotline.demo.content.geography import Spot, address

PATROL_CHANNELS = frozenset({"16039", "patrol", "leader_patrol"})
WRITTEN_CHANNELS = frozenset({"web", "app", "wechat"})
MIX_RATE = 0.15  # share of texts that also mention a neighbouring kind of problem
# Share of cases told in a neighbouring kind's words: the same smoke is 露天烧烤 to one operator
# and 餐饮油烟 to another. It keeps a classifier honest (well above 0.8 macro-F1, not 1.0).
AMBIGUOUS_RATE = 0.14


def voice(rng: random.Random, text: CategoryText, core: int) -> tuple[CategoryText, int]:
    """The kind whose words the caller uses, and its core sentence."""
    if not text.mix or rng.random() >= AMBIGUOUS_RATE:
        return text, core
    neighbour = categories()[rng.choice(text.mix)]
    return neighbour, rng.randrange(len(neighbour.what))


def _maybe(rng: random.Random, probability: float, options: tuple[str, ...]) -> str:
    return rng.choice(options) if options and rng.random() < probability else ""


def _what(rng: random.Random, text: CategoryText, core: int) -> str:
    sentences = [text.what[core]]
    if rng.random() < 0.4 and len(text.what) > 1:
        other = rng.choice([s for i, s in enumerate(text.what) if i != core])
        sentences.append(rng.choice(("，而且", "，还有就是，", "，", "，另外，")) + other)
    if text.mix and rng.random() < MIX_RATE:
        neighbour = categories()[rng.choice(text.mix)]
        sentences.append(
            rng.choice(("，同时，", "，旁边还有个事，", "，顺便说一下，"))
            + rng.choice(neighbour.what)
        )
    return "".join(sentences) + "，"


def _effect(rng: random.Random, text: CategoryText) -> str:
    if text.effects and rng.random() < 0.6:
        return rng.choice(text.effects) + "，"
    return _maybe(rng, 0.6, generic().effects)


def _want(rng: random.Random, text: CategoryText) -> str:
    if text.wants and rng.random() < 0.6:
        return rng.choice(("希望", "请", "麻烦", "要求", "")) + rng.choice(text.wants) + "。"
    return rng.choice(generic().wants)


def _slips(rng: random.Random, content: str) -> str:
    if rng.random() < 0.15:
        right, wrong = rng.choice(generic().slips)
        content = content.replace(right, wrong, 1)
    if rng.random() < 0.2:
        filler = rng.choice(generic().fillers)
        cut = content.find("，") + 1
        content = content[:cut] + filler + "，" + content[cut:]
    return content


def spoken_address(rng: random.Random, spot: Spot) -> str:
    """Where the caller says it is, in one of the usual forms."""
    parts = generic()
    forms = parts.where_forms
    if spot.place.endswith(parts.estate_suffixes):
        forms = forms + parts.estate_forms * 2
    where = address(rng, spot, rng.choice(forms), rng.choice(parts.buildings))
    return where.rstrip("，")


def content_text(
    rng: random.Random, channel: str, text: CategoryText, where: str, core: int
) -> str:
    parts = generic()
    where += "，"
    what = _what(rng, text, core)
    if channel in PATROL_CHANNELS:
        lead = rng.choice(("巡查发现：", "网格员上报：", "监督员巡查时发现", "现场巡查："))
        return (
            lead
            + where
            + what.rstrip("，")
            + "。"
            + _maybe(rng, 0.5, ("已拍照取证。", "请责任单位处置。"))
        )
    if channel == "media":
        lead = rng.choice(("有媒体报道：", "网络媒体曝光：", "电视台《问政》栏目反映："))
        return lead + where + what + "市民反映多次未果。" + _want(rng, text)
    body = (
        _maybe(rng, 0.8, parts.written_openings if channel in WRITTEN_CHANNELS else parts.openings)
        + _maybe(rng, 0.6, parts.callers)
        + where
        + what
        + _maybe(rng, 0.75, parts.since)
        + _effect(rng, text)
        + _want(rng, text)
        + _maybe(rng, 0.4, parts.closings)
    )
    return _slips(rng, body)


def subject_text(rng: random.Random, text: CategoryText, spot: Spot) -> str:
    short = rng.choice(text.short)
    # Titles name the place, as operators write them: two complaints of one kind at two places
    # must not look alike to the ledger (it reads titles first).
    forms = (
        f"{spot.place}{short}",
        f"反映{spot.road}{spot.place}{short}",
        f"{spot.district.short}{spot.place}{short}",
        f"关于{spot.place}{short}的问题",
        f"{spot.place}附近{short}",
    )
    return rng.choice(forms)


def caller_name(rng: random.Random, surnames: str, given: str) -> str:
    surname = rng.choice(surnames)
    if rng.random() < 0.55:
        return surname + rng.choice(("女士", "先生"))
    return surname + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))


def caller_phone(rng: random.Random) -> str:
    prefix = rng.choice(("13", "15", "17", "18", "19"))
    return prefix + "".join(str(rng.randrange(10)) for _ in range(9))
