"""A case's life, simulated action by action the way the services would record it.

Each action mirrors its handler in ``hotline.services.actions_*`` (same state changes, same event
details, same order of events) and goes through the lifecycle table; deadlines come from the
services' own functions running on the fast clock. The deadline sweep is simulated too: whenever
a case sits in a swept state past a warning line or deadline, the sweep's events and supervision
are recorded at the first whole minute after the line, as long as the sweep ran (until
``World.sweep_stop``). What crosses a line after that stays for the benchmark's sweep to find.

The actions are in :mod:`bench.synth.actions`, the paths (what happens next, when) in
:mod:`bench.synth.paths`; :mod:`bench.synth.build` runs a case to its end before ``now``, or keeps
it open at ``now``, or places exactly one pending line at ``now`` for the sweep benchmark.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from bench.synth import vocabulary as v
from bench.synth.clock import FastClock, from_us, to_us
from bench.synth.reference import CategoryRef, ChannelRef, Reference, UnitRef
from bench.synth.routing import Route, Router
from bench.synth.rows import AssignmentSim, CaseSim, SupervisionSim, chain_hash, dumps
from bench.synth.text import one
from hotline.adapters.db.models import Category
from hotline.domain.lifecycle import Action, Status, transition
from hotline.domain.rules import CaseFacts, ClosingRules, ResultType
from hotline.services.actions.deadlines import add_working_days, limits_for
from hotline.services.actions.sweeps import SWEEPS
from hotline.services.context import Hotline
from hotline.services.ledger.supervision import MARKS_CASE_SUPERVISED, RESPONSE_WORKING_DAYS, Level

S = Status
SWEPT = frozenset(status for sweep in SWEEPS for status in sweep.statuses)
_LINES = tuple((sweep, sweep.line.key) for sweep in SWEEPS)
MINUTE_US = 60_000_000


class Stop(Exception):
    """The next action would come after ``now`` (or close a case that must stay open)."""


@dataclass
class World:
    """What every case of a worker shares: the clock, the rules, the reference data."""

    hotline: Hotline
    clock: FastClock
    reference: Reference
    categories: dict[str, Category]  # transient rows, for ``set_dispatch_deadlines``
    route: Router
    now: datetime
    sweep_stop: datetime
    number_format: str
    rules: ClosingRules = field(init=False)
    tz: tzinfo = field(init=False)

    def __post_init__(self) -> None:
        self.rules = self.hotline.closing_rules
        self.tz = self.hotline.settings.tz

    def limit_minutes(
        self, category_code: str | None, urgency: str, channel: str, stage: str
    ) -> int | None:
        """A stage's limit in working minutes as ``stage_deadlines`` counts it (None where it is
        not a fixed number of working minutes: emergencies, same-day channels)."""
        if urgency == "emergency":
            return None
        category = self.categories.get(category_code) if category_code else None
        limits = limits_for(self.hotline, category, urgency)
        if stage == "accept":
            return round(limits.accept_working_hours * 60)
        override = self.hotline.policy.channel_limits.get(channel)
        if override is not None and override.same_day:
            return None
        days = limits.reply_working_days
        if override is not None and override.reply_working_days is not None:
            days = override.reply_working_days
        return round(days * self.clock.standard_day_minutes)


def _ceil_minute(moment: datetime) -> datetime:
    value = to_us(moment)
    return from_us(-(-value // MINUTE_US) * MINUTE_US)


def _head_label(unit: UnitRef | None) -> str | None:
    """As ``hotline.services.ledger.supervision._head_label``."""
    if unit is None:
        return None
    return f"{unit.name}{unit.head_title or '负责人'}{unit.head_name or ''}"


class Life:
    """Simulates one case; ``ids`` hands out assignment and supervision ids."""

    def __init__(self, world: World, rng: random.Random, ids: list[int]) -> None:
        self.w, self.rng, self.ids = world, rng, ids
        self.c = CaseSim()
        self.limit = world.now
        self.keep_open = False
        self.speed = 1.0
        self.swept_to: datetime | None = None
        self.route: Route | None = None  # where the centre sends it (routing suggestion)
        self.depth = 0
        self.loops = 0
        self.rework = False

    # --- time ---------------------------------------------------------------------------------

    def work(self, start: datetime, low: float, high: float) -> datetime:
        """``start`` plus a random number of working minutes (scaled by ``speed``)."""
        minutes = int((low + (high - low) * self.rng.random()) * self.speed)
        moment = self.w.clock.add_working_minutes(start, minutes)
        return moment + timedelta(microseconds=int(self.rng.random() * 59_000_000))

    def natural(self, start: datetime, low: float, high: float) -> datetime:
        minutes = (low + (high - low) * self.rng.random()) * self.speed
        return start + timedelta(minutes=minutes)

    def centre_hours(self, moment: datetime) -> datetime:
        """The centre dispatches from 08:00 to 21:00; later work waits for the morning."""
        local = moment.astimezone(self.w.tz)
        if 8 <= local.hour < 21:
            return moment
        day = local.date() + timedelta(days=1 if local.hour >= 21 else 0)
        start = datetime.combine(day, time(8, 0), self.w.tz)
        return self.natural(start, 0, 90).astimezone(moment.tzinfo)

    def at(self, moment: datetime) -> datetime:
        if moment > self.limit:
            raise Stop
        self.sweep_until(moment)
        return moment

    # --- history ------------------------------------------------------------------------------

    def event(
        self,
        at: datetime,
        action: str,
        actor: str,
        frm: str | None,
        to: str | None,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        c = self.c
        seq = len(c.events) + 1
        payload = dumps(details) if details else "{}"
        iso = at.isoformat(timespec="microseconds")
        digest = chain_hash(
            c.number, seq, action, actor, iso, frm, to, reason, payload, c.last_hash
        )
        c.events.append((seq, action, actor, iso, frm, to, reason, payload, c.last_hash, digest))
        c.last_hash = digest
        c.updated_at = at

    def act(
        self,
        at: datetime,
        action: Action,
        actor: str,
        to: Status,
        details: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> None:
        """``perform_action``'s tail: check the table, set the status, maintain the callback
        queue, append the event."""
        c = self.c
        before = Status(c.status)
        c.status = transition(before, action, to).value
        if c.status != S.CALLBACK_PENDING:
            c.callback_next_at = None
        elif before is not S.CALLBACK_PENDING:
            c.callback_next_at = at
        self.event(at, action.value, actor, before.value, c.status, reason, details)

    # --- the sweep ----------------------------------------------------------------------------

    def sweep_until(self, moment: datetime, inclusive: bool = False) -> None:
        """Raise what the sweep raised while the case sat in its state before ``moment``."""
        c, start = self.c, self.swept_to
        self.swept_to = moment
        if start is None or c.status not in SWEPT:
            return
        found = []
        for index, (sweep, line_name) in enumerate(_LINES):
            if c.status not in sweep.statuses or getattr(c, sweep.marker) is not None:
                continue
            if sweep.stage == "accept" and c.accept_late is not None:
                continue  # the centre's accept stage settled at the lead unit's accept
            line = getattr(c, line_name)
            if line is None or line > moment:
                continue
            tick = _ceil_minute(max(line, start))
            if (tick < moment or (inclusive and tick <= moment)) and tick <= self.w.sweep_stop:
                found.append((tick, index))
        for tick, index in sorted(found):
            self.raise_line(tick, _LINES[index][0])

    def raise_line(self, now: datetime, sweep: Any) -> None:
        """As ``hotline.services.actions.sweeps`` raises one line of one case."""
        c = self.c
        setattr(c, sweep.marker, now)
        due = getattr(c, f"{sweep.stage}_due_at")
        details = {"stage": sweep.stage, "due_at": due.isoformat() if due else None}
        self.event(now, f"sla_{sweep.kind}", "system", c.status, c.status, sweep.label, details)
        source = f"sla_{sweep.stage}_{sweep.kind}"
        self.escalate(now, sweep.level, sweep.label, source, "system")

    def pending(self) -> list[str]:
        """The lines the sweep would raise at ``now`` (after ``finish``)."""
        c, now = self.c, self.w.now
        return [
            f"{sweep.stage}_{sweep.kind}"
            for sweep, line_name in _LINES
            if c.status in sweep.statuses
            and getattr(c, sweep.marker) is None
            and not (sweep.stage == "accept" and c.accept_late is not None)
            and getattr(c, line_name) is not None
            and getattr(c, line_name) <= now
        ]

    def escalate(self, now: datetime, level: Level, reason: str, source: str, actor: str) -> None:
        """As ``hotline.services.ledger.supervision.escalate`` (without the outbox row)."""
        c = self.c
        for record in c.supervisions:
            if record.level == level.value and record.source == source and record.open_at(now):
                return
        unit = self.w.reference.units_by_id.get(c.lead_unit_id) if c.lead_unit_id else None
        due = add_working_days(self.w.hotline, now, RESPONSE_WORKING_DAYS[level])
        record = SupervisionSim(
            self.ids[1], level.value, source, reason, unit, c.district_code, due, now, actor
        )
        self.ids[1] += 1
        record.responded_at = self.work(now, 60, 900)
        record.response = one(self.rng, v.SUPERVISION_RESPONSES)
        record.responded_by = f"{unit.code.lower()}-h1" if unit else "system"
        c.supervisions.append(record)
        if level in MARKS_CASE_SUPERVISED:
            c.supervised = True
        details = {
            "supervision": record.id,
            "level": level.value,
            "source": source,
            "unit": unit.code if unit else None,
            "head": _head_label(unit),
        }
        self.event(now, "supervise", actor, c.status, c.status, reason, details)

    def settle_supervisions(self, moment: datetime) -> None:
        """Supervisors close what is open once the unit has replied."""
        for record in self.c.supervisions:
            if record.closed_at is None:
                record.closed_at = self.work(moment, 10, 240)
                record.closed_by = one(self.rng, SUPERVISORS)
                record.outcome = one(self.rng, v.SUPERVISION_OUTCOMES) or None
                if record.responded_at is not None and record.responded_at > record.closed_at:
                    record.responded_at = moment

    # --- facts --------------------------------------------------------------------------------

    def facts(self) -> CaseFacts:
        c, channel = self.c, self.channel
        return CaseFacts(
            channel=c.channel_code,
            category_code=c.category_code,
            result_type=ResultType(c.result_type) if c.result_type else None,
            supervised=c.supervised,
            has_contact=bool(c.caller_phone),
            anonymous=c.anonymous,
            channel_needs_callback=channel.needs_callback,
            channel_requires_verification=channel.requires_verification,
        )

    def holding(self) -> AssignmentSim:
        """As ``action_support.current_assignment``: the newest pending or accepted lead."""
        held = [
            a
            for a in self.c.assignments
            if a.role == "lead" and a.status in ("pending", "accepted")
        ]
        return max(held, key=lambda a: a.id)

    def new_assignment(
        self,
        unit: UnitRef,
        role: str,
        parent: int | None,
        at: datetime,
        by: str,
        due: datetime | None,
    ) -> AssignmentSim:
        assignment = AssignmentSim(self.ids[0], unit, role, parent, at, by, due)
        self.ids[0] += 1
        self.c.assignments.append(assignment)
        return assignment

    channel: ChannelRef
    category: CategoryRef
    topic: v.Topic


SUPERVISORS = tuple(f"sup{n:02d}" for n in range(1, 7))
OPERATORS = tuple(f"op{n:03d}" for n in range(1, 61))
DISPATCHERS = tuple(f"disp{n:02d}" for n in range(1, 17))
INSPECTORS = tuple(f"insp{n:02d}" for n in range(1, 21))
CALLBACK_STAFF = tuple(f"cb{n:02d}" for n in range(1, 31))
LEADERS = tuple(f"lead{n:02d}" for n in range(1, 5))


def handler(unit: UnitRef, rng: random.Random) -> str:
    return f"{unit.code.lower()}-h{1 + int(rng.random() * 3)}"


def local_date(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()
