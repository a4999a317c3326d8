"""FICTIONAL contacts for the demo profile's derived units (street offices and community
workstations made from the divisions package), so that in a demo every supervision, 交办 and
notice names a person out of the box.

Deterministic by unit code — the same office gets the same made-up head on every seed — and
never used unless the profile asks for it (``org.demo_contacts_phone``). A real deployment
imports its people with ``hotline org import``; seeding never replaces a contact already
recorded, so a name an administrator entered outlives these.
"""

from __future__ import annotations

import hashlib

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋"
    "蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万"
)
GIVEN_NAMES = (
    "建国", "秀英", "志强", "丽华", "海涛", "玉兰", "国华", "桂芳", "德明", "晓燕", "文军", "淑珍",
    "立新", "春梅", "永刚", "红霞", "振宇", "静怡", "明远", "雪梅", "宏伟", "慧敏", "家豪", "婷婷",
    "广平", "凤英", "树林", "佳琪", "长海", "美玲", "继红", "子涵",
)  # fmt: skip


def _person(digest: int) -> str:
    return SURNAMES[digest % len(SURNAMES)] + GIVEN_NAMES[(digest // 97) % len(GIVEN_NAMES)]


def demo_contacts(unit_code: str, phone_prefix: str) -> dict[str, str]:
    """Head, head's phone, deputy (分管领导), deputy's phone and duty phone for one unit: made up,
    stable for its code; phones are ``phone_prefix`` followed by six digits."""
    digest = int(hashlib.sha256(unit_code.encode("utf-8")).hexdigest()[:16], 16)
    number = digest % 1_000_000
    return {
        "head_name": _person(digest),
        "head_phone": f"{phone_prefix}{number:06d}",
        "deputy_name": _person(digest // 10_007),
        "deputy_phone": f"{phone_prefix}{(number + 1) % 1_000_000:06d}",
        "duty_phone": f"{phone_prefix}{(number + 2) % 1_000_000:06d}",
    }
