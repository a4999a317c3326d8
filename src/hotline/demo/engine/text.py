"""Complaint texts, titles, addresses, replies and callers, composed from the seeded vocabulary.

Texts are 100–500 characters, skewed towards the short end the way hotline tickets are (median
about 220). Everything is drawn from the ``random.Random`` passed in, so a seed gives the same
texts on every machine.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from hotline.demo.engine import vocabulary as v

MIN_CHARS = 100
MAX_CHARS = 500
_FORBIDDEN = set('\t\n\r\\"')


def _check_vocabulary() -> None:
    """COPY text format and the hash's JSON need no escaping as long as this holds."""
    for name in dir(v):
        if name.startswith("_"):
            continue
        value = getattr(v, name)
        items: list[object] = []
        if isinstance(value, str):
            items = [value]
        elif isinstance(value, tuple):
            items = list(value)
        for item in items:
            texts = [item] if isinstance(item, str) else []
            if isinstance(item, v.Topic):
                texts = [
                    t for field in item.__dict__.values() if isinstance(field, tuple) for t in field
                ]
            for text in texts:
                if _FORBIDDEN & set(text):
                    raise ValueError(f"vocabulary entry needs escaping: {text!r}")


_check_vocabulary()


def one(rng: random.Random, pool: Sequence[str]) -> str:
    """``rng.choice`` without its overhead (it is called millions of times)."""
    return pool[int(rng.random() * len(pool))]


def between(rng: random.Random, low: int, high: int) -> int:
    """``between(rng, low, high)``, faster."""
    return low + int(rng.random() * (high - low + 1))


def topic_for(name: str, keywords: list[str]) -> v.Topic:
    """The topic that best matches a category (name hits count double); generic if none."""
    best, best_score = v.GENERIC, 0
    for topic in v.TOPICS:
        score = sum(2 for word in topic.match if word in name)
        score += sum(1 for word in topic.match for key in keywords if word in key)
        if score > best_score:
            best, best_score = topic, score
    return best


@dataclass(frozen=True)
class Complaint:
    title: str | None
    content: str
    address: str


def _opening(rng: random.Random, channel: str) -> str:
    if channel in ("web", "app", "wechat"):
        return one(rng, v.OPENINGS_ONLINE)
    if channel in ("patrol", "16039", "leader_patrol"):
        return one(rng, v.OPENINGS_PATROL)
    if channel == "media":
        return one(rng, v.OPENINGS_MEDIA)
    if channel == "deputy":
        return one(rng, v.OPENINGS_DEPUTY)
    if channel == "meeting":
        return one(rng, v.OPENINGS_MEETING)
    return one(rng, v.OPENINGS_PHONE)


def _road(rng: random.Random) -> str:
    return one(rng, v.ROAD_STEMS) + one(rng, v.ROAD_KINDS)


def _estate(rng: random.Random) -> str:
    return one(rng, v.ESTATE_STEMS) + one(rng, v.ESTATE_KINDS)


def _place(rng: random.Random, district: str, road: str, estate: str, shop: str) -> str:
    kind = rng.random()
    if kind < 0.3:
        corner = one(rng, ("东南角", "西北角", "东北角", "西南角", "附近", "路口"))
        return f"{district}{road}与{_road(rng)}交叉口{corner}"
    if kind < 0.55:
        return f"{district}{road}{between(rng, 1, 399)}号"
    if kind < 0.85:
        return f"{district}{estate}{between(rng, 1, 32)}号楼{between(rng, 1, 6)}单元"
    return f"{district}{road}{shop}门前"


def _slots(rng: random.Random, district: str, category: str) -> dict[str, str]:
    road, estate, shop = _road(rng), _estate(rng), one(rng, v.SHOPS)
    return {
        "road": road,
        "estate": estate,
        "shop": shop,
        "place": _place(rng, district, road, estate, shop),
        "time": one(rng, v.TIMES),
        "span": one(rng, v.SPANS),
        "n": str(between(rng, 2, 30)),
        "category": category,
    }


def _target_length(rng: random.Random) -> int:
    return MIN_CHARS + int((MAX_CHARS - MIN_CHARS) * rng.random() ** 1.6)


def _trim(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    cut = text.rfind("。", 0, MAX_CHARS)
    return text[: cut + 1] if cut >= MIN_CHARS else text[: MAX_CHARS - 1] + "。"


def _take(rng: random.Random, pool: tuple[str, ...], most: int) -> list[str]:
    """Up to ``most`` distinct entries from a random rotation of ``pool`` (one draw)."""
    size = len(pool)
    start = int(rng.random() * size)
    return [pool[(start + i) % size] for i in range(min(most, size))]


def _problems(rng: random.Random, topic: v.Topic) -> list[str]:
    """The topic's problem clauses, the one naming the place first, no place named twice."""
    taken = _take(rng, topic.problems, 3)
    placed = [p for p in taken if "{place}" in p][:1]
    rest = [p for p in taken if "{place}" not in p]
    if not placed:
        rest[0] = "{place}" + rest[0]
    return placed + rest


FILL_ORDER = (1, 2, 3, 1, 5, 0, 2, 4, 1, 2, 4, 1, 2, 4, 1, 2, 2)


def complaint(
    rng: random.Random, topic: v.Topic, category: str, district: str, channel: str
) -> Complaint:
    """Opening, what is wrong where, details, impact, history, suggestions, demand, in that
    order; sections are filled until the drawn target length is reached."""
    slots = _slots(rng, district, category)
    problems = [p.format_map(slots) for p in _problems(rng, topic)]
    sections: list[list[str]] = [
        problems,
        [d.format_map(slots) for d in _take(rng, v.DETAILS, 5)],
        [*_take(rng, topic.impacts, 2), *_take(rng, v.GENERIC_IMPACTS, 4)],
        [one(rng, v.HISTORY)],
        _take(rng, v.SUGGESTIONS, 3),
        [*_take(rng, topic.demands, 1), *_take(rng, v.GENERIC_DEMANDS, 1)],
    ]
    opening, closing = _opening(rng, channel), one(rng, v.CLOSINGS)
    chosen = [1, 0, 1, 0, 0, 1]  # how many of each section are used
    length = len(opening) + len(closing) + sum(len(sections[i][0]) for i in (0, 2, 5))
    target = _target_length(rng)
    for index in FILL_ORDER:
        if length >= target and length >= MIN_CHARS:
            break
        if chosen[index] < len(sections[index]):
            length += len(sections[index][chosen[index]])
            chosen[index] += 1
    clause = "".join(problems[: chosen[0]]).rstrip("，") + "。"
    body = "".join(s for i in range(1, 6) for s in sections[i][: chosen[i]])
    title = one(rng, topic.titles).format_map(slots) if rng.random() < 0.7 else None
    return Complaint(title, _trim(opening + clause + body + closing), slots["place"])


def reply_text(
    rng: random.Random, topic: v.Topic, result: str, unit: str, on: date, promised: date | None
) -> str:
    fix = one(rng, topic.fixes)
    when = f"{on.month}月{on.day}日"
    if result == "solved":
        tail = one(rng, ("", "下一步将加强日常巡查，防止问题反弹。", "已电话告知来电人处理结果。"))
        return f"{unit}回复：接到工单后，工作人员立即到现场核查，{fix}，已于{when}处理完毕。{tail}"
    if result == "promised" and promised is not None:
        return (
            f"{unit}回复：经现场核查，反映问题属实。因需协调相关单位并履行相关程序，"
            f"{fix.replace('已', '将', 1)}，承诺于{promised.month}月{promised.day}日前解决到位。"
        )
    if result == "explained":
        return (
            f"{unit}回复：经核实，来电人反映的情况涉及历史遗留问题，需按规定程序办理，"
            "已于" + when + "向来电人详细解释说明相关政策，来电人表示理解。"
        )
    return f"{unit}回复：工作人员于{when}多次到现场核查，未发现来电人反映的问题，反映情况不属实。"


def caller(rng: random.Random) -> tuple[str, str]:
    surname = one(rng, v.SURNAMES)
    if rng.random() < 0.55:
        name = surname + one(rng, ("先生", "女士"))
    else:
        name = surname + one(rng, v.GIVEN)
    if rng.random() < 0.9:
        phone = one(rng, v.MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
    else:
        phone = f"0531-{rng.randrange(80_000_000, 90_000_000)}"
    return name, phone
