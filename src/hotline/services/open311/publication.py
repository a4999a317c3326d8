"""What Open311 publishes (docs/decisions/0039-open311-publishes-what-citizens-published.md).

A case is published when it is not confidential and the citizen submitted it for publication:
through a channel the centre configures as public (its website, app, WeChat), through an Open311
partner, or — for a phone call — with the caller's recorded consent. The address of a published
case is coarsened to the road or estate: house, building, unit and room numbers never leave.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, and_, or_, select

from hotline.adapters.db.models import Case, User
from hotline.domain.roles import Role
from hotline.services.open311.settings import Open311Settings


def published(cfg: Open311Settings) -> ColumnElement[bool]:
    """The SQL condition of a published case."""
    channels = {*cfg.public_channels, cfg.default_channel}
    partners = select(User.name).where(User.role == Role.PARTNER.value)
    return and_(
        Case.confidential.is_(False),
        or_(
            Case.channel_code.in_(sorted(channels)),
            Case.created_by.in_(partners.scalar_subquery()),
            Case.publication_consent.is_(True),
        ),
    )


_NUMERAL = r"[0-9０-９一二三四五六七八九十百千零〇两]+(?:[-－—][0-9０-９]+)*"
# From the first numbered door, building, unit, floor or room onwards is the citizen's home, not
# the place of the problem: 泉城路188号 → 泉城路, 阳光100小区3号楼2单元 → 阳光100小区.
_PREMISES = re.compile(rf"\s*{_NUMERAL}\s*(?:号院|号楼|号|弄|栋|幢|座|单元|层|楼|室|户)")
# Letters as unit names (A座, B栋, 甲3号) and "#" building marks (3#楼) read the same way.
_LETTERED = re.compile(r"\s*(?:[A-Za-zＡ-Ｚ甲乙丙丁]\s*(?:座|栋|幢|区\d)|\d+\s*#)")


def coarse_address(address: str | None) -> str | None:
    """The road or estate part of ``address``; None where nothing coarser remains."""
    if not address:
        return None
    cut = len(address)
    for pattern in (_PREMISES, _LETTERED):
        match = pattern.search(address)
        if match is not None:
            cut = min(cut, match.start())
    coarse = address[:cut].strip(" ,，、(（-")
    return coarse or None
