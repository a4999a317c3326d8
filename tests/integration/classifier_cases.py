"""Cases for the classifier's tests, made through the services: taken, registered with a
category, dispatched, answered and closed; optionally reopened to the centre and re-sorted."""

from __future__ import annotations

import random

from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.services.context import Hotline
from tests.integration.helpers import act, new_case

# Three categories with plainly different wording (E0301 夜间施工噪音, E0103 露天烧烤, E0101
# 暴露垃圾), and places to vary the texts.
TOPICS = {
    "E0301": ["工地夜间施工噪音扰民", "凌晨还在打桩施工", "施工机械轰鸣睡不着"],
    "E0103": ["路边露天烧烤油烟大", "夜市烧烤摊烟熏火燎", "烧烤店门口占道烤串"],
    "E0101": ["小区垃圾堆放没人清", "垃圾桶满了溢出来", "路边堆着生活垃圾"],
}
PLACES = ["历下区", "市中区", "槐荫区", "天桥区", "历城区", "长清区", "章丘区", "济阳区"]


def topic_cases(per_category: int) -> list[tuple[str, str]]:
    """(text, category) pairs, ``per_category`` of each topic."""
    pairs = []
    for code, phrases in TOPICS.items():
        for number in range(per_category):
            place, phrase = PLACES[number % len(PLACES)], phrases[number % len(phrases)]
            pairs.append((f"{place}{phrase}，请尽快处理。", code))
    return pairs


def noise_cases(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """Texts of random, rarely shared characters with random categories: nothing to learn, so
    a model that has not seen a text guesses, and one that has seen it remembers it."""
    chooser = random.Random(seed)
    pool = [chr(code) for code in range(0x4E00, 0x4E00 + 2000)]
    codes = sorted(TOPICS)
    return [("".join(chooser.sample(pool, 12)), chooser.choice(codes)) for _ in range(count)]


def registered_case(hotline: Hotline, actors: dict[str, Actor], text: str, category: str) -> str:
    number = new_case(
        hotline, actors["operator"], content=text, address=None, caller_name=None,
        caller_phone=None,
    )  # fmt: skip
    act(hotline, number, Action.REGISTER, actors["operator"], category_code=category)
    return number


def handle_and_close(
    hotline: Hotline, actors: dict[str, Actor], number: str, **dispatch: str
) -> None:
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ", **dispatch)
    act(hotline, number, Action.ACCEPT, actors["handler"])
    # 解释说明 needs no on-site photo (docs/decisions/0027-onsite-evidence.md)
    act(
        hotline,
        number,
        Action.REPLY,
        actors["handler"],
        result_type="explained",
        reply_text="已处理",
    )
    act(hotline, number, Action.CLOSE, actors["dispatcher"])


def closed_case(
    hotline: Hotline,
    actors: dict[str, Actor],
    text: str,
    category: str,
    resort_to: str | None = None,
) -> str:
    """A closed case registered as ``category``; with ``resort_to`` it was then reopened to the
    centre, re-sorted to that category, handled again and closed."""
    number = registered_case(hotline, actors, text, category)
    handle_and_close(hotline, actors, number)
    if resort_to is not None:
        act(
            hotline, number, Action.REOPEN, actors["dispatcher"], reason="分类有误", target="resort"
        )
        handle_and_close(hotline, actors, number, category_code=resort_to)
    return number
