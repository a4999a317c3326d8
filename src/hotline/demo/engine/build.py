"""One chunk of cases, built in a worker process: draw each case, live its life, emit its rows.

A worker builds its :class:`~hotline.demo.engine.lifecycle.World` once (calendar from the database,
fast clock checked against it, routing rules, transient categories) and then turns
:class:`~hotline.demo.engine.timeline.ChunkSpec` into table rows through the bulk sink.
A chunk's random stream depends only on the seed and the chunk's index, so the data are the same
whatever the number of workers.
"""

from __future__ import annotations

import contextlib
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy.engine import make_url

from hotline.adapters.db.bulk import CopyText, prepared
from hotline.adapters.db.database import Database
from hotline.adapters.db.models import Category
from hotline.bootstrap import build_calendar
from hotline.config import Settings
from hotline.demo.engine import timeline as tl
from hotline.demo.engine import vocabulary as v
from hotline.demo.engine.clock import FastClock, to_us
from hotline.demo.engine.lifecycle import INSPECTORS, OPERATORS, Stop, World
from hotline.demo.engine.paths import Paths
from hotline.demo.engine.reference import Reference
from hotline.demo.engine.routing import Route, Router
from hotline.demo.engine.text import caller, complaint, one
from hotline.domain.history import HistoryEvent, verify_chain
from hotline.domain.numbering import format_case_number
from hotline.services.actions.bulk_sink import BulkSink, IdBlock
from hotline.services.actions.reference import MemoryReference, handler_rules
from hotline.services.context import Hotline

if TYPE_CHECKING:
    from hotline.demo.content.draws import CaseDraw

# Ids reserved per case (a case never uses more), so that chunks built apart never collide.
ID_ROOM = {"case_assignments": 24, "case_requests": 8, "supervisions": 24, "problems": 1}
SPEEDS = (1.0, 0.5, 0.25, 0.1, 0.03)  # closed cases that would end after now: faster
OPEN_SPEEDS = (1.0, 1.6, 2.5, 4.0, 6.0, 9.0)  # open cases that would end before now: slower
OPEN_ATTEMPTS = 16
OPEN_DAYS_AT_SPEED_1 = 5.0  # about how long a case takes, calendar days
OPEN_DRAFTS = 4
RETRIES = 12
TOPICS = {topic.key: topic for topic in (*v.TOPICS, v.GENERIC)}
NO_CALLER = frozenset({"16039", "patrol", "leader_patrol"})
LOCATED = {"app": 0.9, "wechat": 0.85, "16039": 0.97, "patrol": 0.95, "leader_patrol": 0.6}


@dataclass(frozen=True)
class Params:
    """What a worker needs; plain data, pickled once per worker."""

    url: str
    city: str
    seed: int
    now: datetime
    sweep_stop: datetime
    first_day: date
    last_day: date
    reference: Reference
    first_ids: dict[str, int]  # the first free id of each table the sink names ids in


@dataclass
class ChunkResult:
    index: int
    cases: int
    data: dict[str, list[dict[str, Any]] | CopyText]  # table → rows, parents first
    rows: dict[str, int]
    statuses: Counter[str] = field(default_factory=Counter)
    pending: Counter[str] = field(default_factory=Counter)
    designated_missed: int = 0
    retries: int = 0
    retry_reasons: Counter[str] = field(default_factory=Counter)


_world: World | None = None
_params: Params | None = None


def init_worker(params: Params) -> None:
    global _world, _params
    _params, _world = params, make_world(params)


def make_world(params: Params) -> World:
    settings = Settings(database_url=params.url, city=params.city)
    db = Database(params.url)
    calendar = build_calendar(settings, db)
    clock = FastClock(
        calendar, params.first_day - timedelta(days=7), params.last_day + timedelta(days=500)
    )
    clock.check_against(1500, seed=params.seed)
    hotline = Hotline(settings=settings, db=db, clock=clock, now=lambda: params.now)
    categories = {
        c.code: Category(code=c.code, limits=dict(c.limits)) for c in params.reference.categories
    }
    with db.transaction() as session:
        router = Router(params.reference, session, settings.profile)
        memory = MemoryReference(hotline, session)
    db.dispose()
    return World(
        hotline,
        clock,
        params.reference,
        categories,
        router,
        params.now,
        params.sweep_stop,
        settings.profile.case_number_format,
        memory,
        handler_rules(hotline),
    )


def build_chunk(spec: tl.ChunkSpec) -> ChunkResult:
    assert _world is not None and _params is not None
    return Builder(_world, _params, spec).run()


class Builder:
    def __init__(self, world: World, params: Params, spec: tl.ChunkSpec) -> None:
        self.w, self.p, self.spec = world, params, spec
        self.rng = random.Random(f"{params.seed}-{params.first_day}-chunk-{spec.index}")
        offset = spec.first_id - params.first_ids["cases"]
        ids = {name: params.first_ids[name] + offset * room for name, room in ID_ROOM.items()}
        self.sink = BulkSink(world.hotline, world.memory.units, IdBlock(**ids))
        self.result = ChunkResult(spec.index, spec.size, {}, {})
        self.drawn: CaseDraw | None = None  # the demo content's case being lived, if any
        self.dialect = make_url(params.url).get_backend_name()

    def run(self) -> ChunkResult:
        position = 0
        draws = self.spec.draws
        for segment in self.spec.segments:
            start_us = tl_day_start(self.w, segment.day)
            day = date.fromordinal(segment.day)
            for offset in range(segment.count):
                seq = segment.first_seq + offset
                if draws:
                    self.drawn = cast("CaseDraw", draws[position])
                    created = self.drawn.created.astimezone(UTC)
                else:
                    created = tl.created_at(
                        start_us, seq, segment.day_total, segment.u_max, self.rng.random()
                    )
                number = format_case_number(day, seq, self.w.number_format)
                role = self.spec.roles[position]
                life = self.case(self.spec.first_id + position, number, created, day, role)
                if position == 0:
                    check_chain(life)
                self.emit(life)
                position += 1
        return self.finish()

    # --- one case -----------------------------------------------------------------------------

    def case(self, case_id: int, number: str, created: datetime, day: date, role: int) -> Paths:
        if role >= tl.ACCEPT_WARNING:
            life = self.designated(case_id, number, created, day, role)
            if life is not None:
                return life
            self.result.designated_missed += 1
            role = tl.OPEN
        if role == tl.OPEN:
            for _ in range(OPEN_DRAFTS):
                life = self.open_case(self.draft(case_id, number, created, day, True))
                if life is not None:
                    return life
            last = self.open_case(self.draft(case_id, number, created, day, True), last=True)
            assert last is not None
            return last
        return self.closed_case(self.draft(case_id, number, created, day, False))

    def closed_case(self, draft: dict[str, Any]) -> Paths:
        for speed in SPEEDS:
            life = self.life(draft, speed=speed)
            try:
                life.run()
                return life
            except Stop:
                self.rollback(life)
        life = self.life(draft)  # arrived minutes ago: the operator answers at once
        at = life.intake()
        created = draft["case"]["created_at"]
        answer_at = min(at, created + (self.w.now - created) / 2)
        answer_at = max(answer_at, life.c.updated_at)
        life.answer_directly(answer_at, one(self.rng, OPERATORS), one(self.rng, v.DIRECT_ANSWERS))
        return life

    def open_case(self, draft: dict[str, Any], last: bool = False) -> Paths | None:
        """A case still open at ``now``: its natural life, slowed down until it has not ended
        by then (slow cases are the ones that stay open); as a last resort its closing step is
        held back. No line may be left for the sweep unless the sweep was stopped for it, so a
        life that leaves one is drawn again; None when none avoids it (some limits leave no
        choice: a weekend dispatch of a one-day case warns at 15:45 on Monday, whenever it
        came), and the caller draws another category, or (``last``) keeps what it has."""
        age_days = (self.w.now - draft["case"]["created_at"]).total_seconds() / 86400
        slower = sum(1 for speed in OPEN_SPEEDS if speed * OPEN_DAYS_AT_SPEED_1 < age_days)
        slower = min(slower, len(OPEN_SPEEDS) - 1)  # an old case still open was a slow one
        for _ in range(OPEN_ATTEMPTS):
            life = self.life(draft, speed=OPEN_SPEEDS[min(slower, len(OPEN_SPEEDS) - 1)])
            life.keep_open = slower >= len(OPEN_SPEEDS)
            try:
                life.run()
                ended = True
            except Stop:
                ended = False
            life.sweep_until(self.w.now, inclusive=True)
            if not ended and not life.pending():
                return life
            slower += ended
            self.result.retries += 1
            self.result.retry_reasons["open_ended" if ended else "open_pending"] += 1
            self.rollback(life)
        if not last:
            return None
        life = self.life(draft)  # give up avoiding the window: the report counts what is left
        life.keep_open = True
        with contextlib.suppress(Stop):
            life.run()
        life.sweep_until(self.w.now, inclusive=True)
        return life

    def designated(
        self, case_id: int, number: str, created: datetime, day: date, role: int
    ) -> Paths | None:
        key = tl.ROLE_KEYS[role]
        stage, kind = key.split("_")
        clock, stop = self.w.clock, self.w.sweep_stop
        room = clock.working_minutes_between(created + timedelta(minutes=20), stop)

        def fits(category: str, channel: str) -> bool:
            limit = self.w.limit_minutes(category, "normal", channel, stage)
            if limit is None:
                return False
            return (int(limit * 0.75) if kind == "warning" else limit) < room

        for _ in range(RETRIES):
            draft = self.draft(case_id, number, created, day, True, fits=fits)
            life = self.life(draft)
            life.keep_open = True
            try:
                placed = life.forced(stage, kind)
            except Stop:
                placed = False
            if placed:
                life.sweep_until(self.w.now, inclusive=True)
                if life.pending() == [key]:
                    return life
            self.rollback(life)
            self.result.retries += 1
        return None

    def rollback(self, life: Paths) -> None:
        """Give the life up: its rows stay with its case, which is never finished; its ids are
        handed out again."""
        self.sink.ids = life.ids_at_start

    def life(self, draft: dict[str, Any], speed: float = 1.0) -> Paths:
        self.sink.ids.cases = draft["case"]["id"]
        life = Paths(self.w, self.rng, self.sink)
        life.ids_at_start = replace(self.sink.ids)
        life.speed = speed
        life.draft_case = draft["case"]
        life.__dict__.update(draft["life"])
        return life

    def draft(
        self,
        case_id: int,
        number: str,
        created: datetime,
        day: date,
        open_case: bool,
        fits: Callable[[str, str], bool] | None = None,
    ) -> dict[str, Any]:
        """Everything the intake knows, drawn once per case (retries keep it). ``fits`` (for a
        designated case) accepts the channel and category whose limits fit its age."""
        if self.drawn is not None:
            return self.from_content(self.drawn, case_id, number, created, day)
        rng, ref = self.rng, self.w.reference
        designated = fits is not None
        hour = created.astimezone(self.w.tz).hour
        channel = ref.channel(rng, night=hour < 8 or hour >= 19)
        category, place = ref.category(rng), ref.place(rng)
        for _ in range(60 if fits is not None else 0):
            if fits is None or fits(category.code, channel.code):
                break
            channel, category = ref.channel(rng, night=False), ref.category(rng)
        r = rng.random()
        urgency = "emergency" if r < 0.01 else "urgent" if r < 0.07 else "normal"
        if designated or (open_case and urgency == "emergency"):
            urgency = "normal"
        route: Route = self.w.route(category, place, channel.code, urgency)
        topic = TOPICS[category.topic]
        district_name = ref.district_names.get(route.district, "")
        text = complaint(rng, topic, category.name, district_name, channel.code)
        case: dict[str, Any] = {
            "id": case_id,
            "number": number,
            "channel_code": channel.code,
            "title": text.title,
            "content": text.content,
            "address": text.address,
            "category_code": category.code,
            "urgency": urgency,
            "district_code": route.district,
            "street_code": place.street,
            "community_code": place.community,
            "received_on": day,
            "created_at": created,
            "updated_at": created,
            "confidential": rng.random() < 0.01,
            "created_by": self.creator(channel.code),
        }
        case.update(self.contact(channel.code))
        case.update(self.location(channel.code, route.district))
        case.update(self.media(channel.code, created))
        life = {
            "channel": channel,
            "category": category,
            "topic": topic,
            "route": route,
            "suggestions": self.suggestions(category, place, route, district_name),
            "start_district": route.district if rng.random() < 0.45 else None,
        }
        return {"case": case, "life": life}

    def from_content(
        self, drawn: CaseDraw, case_id: int, number: str, created: datetime, day: date
    ) -> dict[str, Any]:
        """The case as the demo content drew it: place, text, caller and what will happen."""
        rng, ref = self.rng, self.w.reference
        channel = ref.channel_by_code[drawn.channel]
        category = ref.category_by_code.get(drawn.category) or ref.category(rng)
        place = ref.place_in(rng, drawn.district, drawn.street)
        route: Route = self.w.route(category, place, channel.code, drawn.urgency)
        anonymous = drawn.caller_phone is None and drawn.caller_name is None
        case: dict[str, Any] = {
            "id": case_id,
            "number": number,
            "channel_code": channel.code,
            "title": drawn.subject,
            "content": drawn.content,
            "address": drawn.address,
            "category_code": category.code,
            "urgency": drawn.urgency,
            "district_code": route.district,
            "street_code": place.street,
            "community_code": place.community,
            "received_on": day,
            "created_at": created,
            "updated_at": created,
            "confidential": rng.random() < 0.01,
            "created_by": self.creator(channel.code),
            "caller_name": drawn.caller_name,
            "caller_phone": drawn.caller_phone,
            "anonymous": anonymous,
            "lon": round(drawn.lon, 6) if drawn.has_coordinates else None,
            "lat": round(drawn.lat, 6) if drawn.has_coordinates else None,
            "coord_system": "wgs84" if drawn.has_coordinates else None,
        }
        case.update(self.media(channel.code, created))
        district_name = ref.district_names.get(route.district, "")
        life = {
            "channel": channel,
            "category": category,
            "topic": TOPICS[category.topic],
            "route": route,
            "suggestions": self.suggestions(category, place, route, district_name),
            "start_district": route.district if rng.random() < 0.45 else None,
            "outcome": drawn.outcome,
        }
        return {"case": case, "life": life}

    def contact(self, channel: str) -> dict[str, Any]:
        rng = self.rng
        if channel in NO_CALLER or (channel in ("media", "meeting") and rng.random() < 0.5):
            return {"caller_name": None, "caller_phone": None, "anonymous": True}
        if rng.random() < 0.06:  # gives a number for the record but asks to stay anonymous
            return {"caller_name": None, "caller_phone": caller(rng)[1], "anonymous": True}
        name, phone = caller(rng)
        return {"caller_name": name, "caller_phone": phone, "anonymous": False}

    def location(self, channel: str, district: str) -> dict[str, Any]:
        if self.rng.random() >= LOCATED.get(channel, 0.15):
            return {"lon": None, "lat": None, "coord_system": None}
        lon, lat = self.w.reference.coordinates(self.rng, district)
        system = "wgs84" if channel in ("16039", "patrol", "leader_patrol") else "gcj02"
        return {"lon": round(lon, 6), "lat": round(lat, 6), "coord_system": system}

    def media(self, channel: str, created: datetime) -> dict[str, Any]:
        if channel != "media":
            return {}
        outlet = one(self.rng, v.MEDIA_OUTLETS)
        published = created - timedelta(minutes=30 + 2000 * self.rng.random())
        link = f"https://news.example.cn/{published:%Y%m%d}/{int(self.rng.random() * 1e9)}.html"
        return {"media_outlet": outlet, "media_link": link, "media_published_at": published}

    def creator(self, channel: str) -> str:
        if channel in ("web", "app", "wechat"):
            return "portal"
        if channel == "16039":
            return "dcm-platform"
        if channel in ("patrol", "leader_patrol"):
            return one(self.rng, INSPECTORS)
        return one(self.rng, OPERATORS)

    def suggestions(
        self, category: Any, place: Any, route: Route, district_name: str
    ) -> list[dict[str, Any]]:
        """The enrich job's suggestions: located place, keyword category, route."""
        found: list[dict[str, Any]] = [
            _suggest(
                "district_code", route.district, 0.9, f"地址含「{district_name}」", "locate_place"
            )
        ]
        if place.street:
            found.append(_suggest("street_code", place.street, 0.8, "地址匹配街道", "locate_place"))
        if place.community:
            found.append(
                _suggest("community_code", place.community, 0.7, "地址匹配社区", "locate_place")
            )
        if category.keywords and self.rng.random() < 0.85:
            words = "、".join(category.keywords[:2])
            found.append(
                _suggest(
                    "category_code",
                    category.code,
                    0.7,
                    f"关键词：{words}",
                    "category_from_keywords",
                )
            )
        if route.rule:
            value = {
                "lead": route.lead.code,
                "co_units": [u.code for u in route.co_units],
                "sub_dispatch": [u.code for u in route.chain],
                "rule": route.rule,
            }
            found.append(_suggest("route", value, 0.8, f"命中规则 {route.rule}", "route"))
        return found

    # --- rows -----------------------------------------------------------------------------------

    def emit(self, life: Paths) -> None:
        life.supervisions_as_of_now()
        life.jobs_as_of_now()
        self.sink.finish_case(life.c)
        self.result.statuses[life.c.status] += 1
        self.result.pending.update(life.pending())

    def finish(self) -> ChunkResult:
        """The chunk's rows, made ready here so the one writing process only writes them: the
        cases' search terms, and on PostgreSQL the COPY text of every table."""
        tables = self.sink.take_tables()
        self.result.rows = tables.counts()
        self.result.data = prepared(self.dialect, tables.rows)
        return self.result


def _suggest(name: str, value: Any, confidence: float, reason: str, source: str) -> dict[str, Any]:
    return {
        "field": name,
        "value": value,
        "confidence": confidence,
        "reason": reason,
        "source": source,
    }


def tl_day_start(world: World, ordinal: int) -> int:
    return to_us(datetime.combine(date.fromordinal(ordinal), datetime.min.time(), world.tz))


def check_chain(life: Paths) -> None:
    """The chain the sink sealed verifies (one case per chunk): a cheap guard on the sink."""
    events = [
        HistoryEvent(
            life.c.number, row["seq"], row["action"], row["actor"], row["at"],
            row["from_status"], row["to_status"], row["reason"], row["details"],
            row["prev_hash"], row["hash"],
        )
        for row in life.c.history.rows
    ]  # fmt: skip
    report = verify_chain(events)
    if not report.ok:
        raise AssertionError(f"generated chain of {life.c.number} does not verify: {report}")
