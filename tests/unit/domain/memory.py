"""In-memory facts for the handlers' unit tests: a case, its assignments and requests as plain
dataclasses, a reference of a few units, and the city's rules on a working calendar without
holidays. Times: Tuesday 2026-11-24 10:00 in Shanghai is ``NOW``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hotline.domain.calendar import DayKindSource, WorkingCalendar
from hotline.domain.changes import ChangeSet
from hotline.domain.commands import Command
from hotline.domain.deadlines import StageLimits
from hotline.domain.handlers import handle
from hotline.domain.handlers.facts import ChannelInfo, Context, Rules, UnitInfo
from hotline.domain.roles import Actor, Role
from hotline.domain.rules import ClosingRules
from hotline.domain.sla import TimeLimitPolicy

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 local
CLOCK = WorkingCalendar(SHANGHAI, DayKindSource(frozenset(), frozenset(), frozenset({2026})))
RULES = Rules(
    clock=CLOCK,
    policy=TimeLimitPolicy(),
    closing=ClosingRules(),
    tz=SHANGHAI,
    return_reasons=("not_our_duty", "wrong_address"),
)

CITY = UnitInfo(1, "LX-CGJ", "370102", "历下区城市管理局局长李建华")
STREET = UnitInfo(2, "LX-JFL", "370102", "解放路街道办事处主任王芳")
COMMUNITY = UnitInfo(3, "LX-JFL-01", "370102", None)
OTHER = UnitInfo(4, "SZ-CGJ", "370103", "市中区城市管理局局长")
UNITS = {unit.code: unit for unit in (CITY, STREET, COMMUNITY, OTHER)}
PARENTS = {STREET.id: CITY.id, COMMUNITY.id: STREET.id}

operator = Actor("op", Role.OPERATOR)
dispatcher = Actor("disp", Role.DISPATCHER)
leader = Actor("lead", Role.LEADER)
city_handler = Actor("lx-h", Role.HANDLER, unit_id=CITY.id)
street_handler = Actor("jfl-h", Role.HANDLER, unit_id=STREET.id)
co_handler = Actor("sz-h", Role.HANDLER, unit_id=OTHER.id)


@dataclass
class MemoryAssignment:
    id: int
    unit_id: int
    role: str = "lead"
    parent_id: int | None = None
    status: str = "pending"
    dispatched_at: datetime = NOW
    accepted_at: datetime | None = None
    due_at: datetime | None = None


@dataclass
class MemoryRequest:
    id: int
    kind: str
    assignment_id: int | None
    status: str = "pending"
    requested_at: datetime = NOW
    requested_due_at: datetime | None = None


@dataclass
class MemoryCase:
    status: str = "received"
    channel_code: str = "12345"
    category_code: str | None = "E0301"
    district_code: str | None = None
    urgency: str = "normal"
    caller_phone: str | None = "13812345678"
    anonymous: bool = False
    supervised: bool = False
    lead_unit_id: int | None = None
    accept_due_at: datetime | None = None
    reply_due_at: datetime | None = None
    result_type: str | None = None
    callback_attempts: int = 0
    reopen_count: int = 0
    extension_count: int = 0
    assignments: list[MemoryAssignment] = field(default_factory=list)
    requests: list[MemoryRequest] = field(default_factory=list)


class MemoryReference:
    """The reference data of the tests: four units, two active categories, one region."""

    def __init__(self) -> None:
        self.categories = {"E0301": StageLimits(2, 5), "E0302": StageLimits(1, 3)}
        self.channels = {"12345": ChannelInfo(), "patrol": ChannelInfo(needs_callback=False)}

    def unit(self, code: str) -> UnitInfo | None:
        return UNITS.get(code)

    def unit_by_id(self, unit_id: int) -> UnitInfo | None:
        return next((unit for unit in UNITS.values() if unit.id == unit_id), None)

    def is_below(self, unit_id: int, ancestor_id: int) -> bool:
        parent = PARENTS.get(unit_id)
        while parent is not None:
            if parent == ancestor_id:
                return True
            parent = PARENTS.get(parent)
        return False

    def category_active(self, code: str) -> bool:
        return code in self.categories

    def region_exists(self, code: str) -> bool:
        return code in ("370102", "370103")

    def channel(self, code: str) -> ChannelInfo | None:
        return self.channels.get(code)

    def stage_limits(self, category_code: str | None, urgency: str) -> StageLimits:
        return self.categories.get(category_code or "", StageLimits())


def run(command: Command, case: MemoryCase, actor: Actor, now: datetime = NOW) -> ChangeSet:
    return handle(command, case, Context(actor, now, RULES, MemoryReference()))


def local(text: str) -> datetime:
    """A Shanghai local time in UTC, e.g. ``local("2026-11-24 12:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).astimezone(UTC)


def dispatched(status: str = "dispatched", **overrides: object) -> MemoryCase:
    """A case the centre gave to LX-CGJ at NOW, with a co-unit SZ-CGJ."""
    case = MemoryCase(
        status=status,
        lead_unit_id=CITY.id,
        district_code="370102",
        accept_due_at=local("2026-11-24 12:00"),
        reply_due_at=local("2026-12-01 10:00"),
        assignments=[
            MemoryAssignment(10, CITY.id, due_at=local("2026-12-01 10:00")),
            MemoryAssignment(11, OTHER.id, role="co", due_at=local("2026-12-01 10:00")),
        ],
    )
    for name, value in overrides.items():
        setattr(case, name, value)
    return case
