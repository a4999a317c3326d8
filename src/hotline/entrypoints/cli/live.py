"""``hotline run --live``: the demo city keeps receiving complaints while it is served.

Unlike ``hotline demo``, which writes history through the bulk sink, each live case goes through
the real intake service as an operator's call would (``create_case``: numbered from the counters,
its ``receive`` event, its ``enrich`` job for the worker), at a gentle pace, so the workbench's
desks and the worker have something new to do. The cases come from the demo's content for today,
drawn with a seed of their own (the catch-up of a later ``make run`` draws the same day again from
the demo's seed: no live case repeats one of those).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import date

from hotline.bootstrap import build_calendar
from hotline.demo.content.city import JinanContent
from hotline.demo.content.draws import CaseDraw
from hotline.domain.roles import Actor, Role
from hotline.services.cases.intake import NewCase, create_case
from hotline.services.context import Hotline

log = logging.getLogger("hotline.live")

LIVE_SEED_OFFSET = 1_000_003  # live draws never coincide with the demo's own (seed, day)
OPERATOR = Actor("op", Role.OPERATOR)  # the demo's operator account (services/accounts/demo_users)


def new_case(draw: CaseDraw) -> NewCase:
    """What the operator types for a drawn complaint: the caller's words, the place as said (and
    the map pick when there is one); category and district are left to the suggestions."""
    return NewCase(
        channel=draw.channel,
        content=draw.content,
        title=draw.subject,
        address=draw.address,
        lon=draw.lon if draw.has_coordinates else None,
        lat=draw.lat if draw.has_coordinates else None,
        coord_system="wgs84" if draw.has_coordinates else None,
        urgency=draw.urgency,
        caller_name=draw.caller_name,
        caller_phone=draw.caller_phone,
    )


def live_draws(hotline: Hotline, seed: int) -> Iterator[CaseDraw]:
    """Today's drawn complaints, one after another; when a day's are used up, the next seed's."""
    days = build_calendar(hotline.settings, hotline.db).days
    round_ = 0
    while True:
        content = JinanContent(days, hotline.settings.tz, seed=seed + LIVE_SEED_OFFSET + round_)
        today: date = hotline.now().astimezone(hotline.settings.tz).date()
        yield from content.draw_day(today)
        round_ += 1


def feed(hotline: Hotline, stop: threading.Event, every_seconds: float, seed: int = 42) -> int:
    """Take one complaint every ``every_seconds`` until ``stop``; returns how many were taken. A
    refused or failing intake is logged and skipped: the live feed never stops the serving."""
    taken = 0
    for draw in live_draws(hotline, seed):
        if stop.wait(every_seconds):
            break
        try:
            number = create_case(hotline, new_case(draw), OPERATOR, hotline.now())
        except Exception:
            log.exception("live intake failed; the next complaint comes in %s s", every_seconds)
            continue
        taken += 1
        log.info("live: %s %s（%s）", number, draw.subject, draw.district_name)
    return taken
