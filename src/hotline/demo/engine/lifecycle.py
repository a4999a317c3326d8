"""A case's life, action by action, through the application's own handlers.

Every lifecycle action is a typed command (:mod:`hotline.domain.commands`) decided by the same
pure handler the services call (:func:`hotline.domain.handlers.handle`) and applied by the bulk
sink (:mod:`hotline.services.actions.bulk_sink`) to the case held in memory: same state changes,
same history (hash chain included), same supervisions and ledger entries as online, without a
database round trip. What is not an action is simulated here with the sink's own writers: the
intake (``receive``), the worker's ``enrich`` job, and the deadline sweep: whenever a case sits in
a swept state past a warning line or deadline, the sweep's event and supervision are recorded at
the first whole minute after the line, as long as the sweep ran (until ``World.sweep_stop``).
What crosses a line after that stays for the benchmark's sweep to find.

The paths (what happens next, when) are in :mod:`.paths`; :mod:`.build` runs a case to its end
before ``now``, or keeps it open at ``now``, or places exactly one pending line at ``now`` for
the sweep benchmark.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from hotline.adapters.db.models import Category
from hotline.demo.engine import vocabulary as v
from hotline.demo.engine.clock import FastClock, from_us, to_us
from hotline.demo.engine.reference import CategoryRef, ChannelRef, Reference, UnitRef
from hotline.demo.engine.routing import Route, Router
from hotline.demo.engine.text import one
from hotline.domain.commands import Command
from hotline.domain.handlers.facts import Context, Rules
from hotline.domain.handlers.standing import holding_assignment
from hotline.domain.lifecycle import Status
from hotline.domain.roles import Actor, Role
from hotline.domain.rules import CaseFacts, ClosingRules, ResultType
from hotline.domain.supervision import SupervisionStatus
from hotline.domain.sweep import SWEPT_STATUSES, SweepRule, due_rules, raise_line
from hotline.domain.vocabulary import OutboxStatus
from hotline.services.actions.bulk_sink import BulkSink, MemAssignment, MemCase
from hotline.services.actions.deadlines import limits_for
from hotline.services.actions.reference import MemoryReference
from hotline.services.context import Hotline

S = Status
SWEPT = frozenset(status for statuses in SWEPT_STATUSES.values() for status in statuses)
MINUTE_US = 60_000_000
# Who acts, by the generated name's prefix (op001, disp03, x-h2 …): the role the handlers check.
ROLE_PREFIXES = (
    ("op", Role.OPERATOR),
    ("cb", Role.OPERATOR),
    ("disp", Role.DISPATCHER),
    ("insp", Role.INSPECTOR),
    ("lead", Role.LEADER),
    ("sup", Role.SUPERVISOR),
)


class Stop(Exception):
    """The next action would come after ``now`` (or close a case that must stay open)."""


@dataclass
class World:
    """What every case of a worker shares: the clock, the rules, the reference data."""

    hotline: Hotline
    clock: FastClock
    reference: Reference
    categories: dict[str, Category]  # transient rows, for the limits of a stage
    route: Router
    now: datetime
    sweep_stop: datetime
    number_format: str
    memory: MemoryReference  # the handlers' reference data (units, categories, channels)
    handler_rules: Rules
    rules: ClosingRules = field(init=False)
    tz: tzinfo = field(init=False)
    actors: dict[str, Actor] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rules = self.hotline.closing_rules
        self.tz = self.hotline.settings.tz

    def actor(self, name: str) -> Actor:
        """The generated actor called ``name``: a unit's handler (``code-hN``) or a centre role."""
        found = self.actors.get(name)
        if found is None:
            found = self.actors[name] = self._actor(name)
        return found

    def _actor(self, name: str) -> Actor:
        if "-h" in name:
            unit = self.memory.by_code[name.rsplit("-h", 1)[0].upper()]
            return Actor(name, Role.HANDLER, unit_id=unit.id)
        role = next((r for prefix, r in ROLE_PREFIXES if name.startswith(prefix)), Role.OPERATOR)
        return Actor(name, role)

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


class Life:
    """One case's life: ``sink`` applies what the handlers decide; ``ids`` hands out ids."""

    def __init__(self, world: World, rng: random.Random, sink: BulkSink) -> None:
        self.w, self.rng, self.sink = world, rng, sink
        self.c: MemCase
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

    # --- actions: the application's handlers, applied by the bulk sink -----------------------

    def do(self, command: Command, at: datetime, actor: str) -> None:
        """``perform_action`` after its guard: the handler decides, the bulk sink applies."""
        w = self.w
        self.sink.perform(self.c, command, Context(w.actor(actor), at, w.handler_rules, w.memory))

    # --- the sweep ----------------------------------------------------------------------------

    def sweep_until(self, moment: datetime, inclusive: bool = False) -> None:
        """Raise what the sweep raised while the case sat in its state before ``moment``."""
        c, start = self.c, self.swept_to
        self.swept_to = moment
        if start is None or c.status not in SWEPT:
            return
        found = []
        for index, rule in enumerate(due_rules(c, moment)):  # type: ignore[arg-type]
            line: datetime = getattr(c, rule.line)
            tick = _ceil_minute(max(line, start))
            if (tick < moment or (inclusive and tick <= moment)) and tick <= self.w.sweep_stop:
                found.append((tick, index, rule))
        for tick, _, rule in sorted(found, key=lambda f: (f[0], f[1])):
            self.raise_line(tick, rule)

    def raise_line(self, now: datetime, rule: SweepRule) -> None:
        """As ``hotline.services.actions.sweeps`` raises one line of one case."""
        c = self.c
        raised = raise_line(rule, c.status, getattr(c, rule.deadline), now)
        for name, value in raised.case_changes.items():
            setattr(c, name, value)
        e = raised.event
        self.sink.append_event(
            c, e.action, e.actor, e.at, e.from_status, e.to_status, e.reason, dict(e.details)
        )
        self.sink.open_supervision(c, raised.escalation, now, c.lead_unit_id)

    def pending(self) -> list[str]:
        """The lines the sweep would raise at ``now`` (after ``finish``)."""
        return [rule.key for rule in due_rules(self.c, self.w.now)]  # type: ignore[arg-type]

    def settle_supervisions(self, moment: datetime) -> None:
        """The unit answers and supervisors close what is open once the unit has replied."""
        for record in self.c.supervisions:
            if record.closed_at is None:
                unit = record.target_unit_id
                record.responded_at = self.work(record.created_at, 60, 900)
                record.response = one(self.rng, v.SUPERVISION_RESPONSES)
                code = self.w.memory.units[unit].code.lower() if unit else None
                record.responded_by = f"{code}-h1" if code else "system"
                record.closed_at = self.work(moment, 10, 240)
                record.closed_by = one(self.rng, SUPERVISORS)
                record.outcome = one(self.rng, v.SUPERVISION_OUTCOMES) or None
                record.responded_at = min(record.responded_at, moment)

    def supervisions_as_of_now(self) -> None:
        """What supervisors did after ``now`` has not happened yet."""
        now = self.w.now
        for record in self.c.supervisions:
            closed = record.closed_at is not None and record.closed_at <= now
            responded = record.responded_at is not None and record.responded_at <= now
            if not closed:
                record.closed_at = record.closed_by = record.outcome = None
            if not responded:
                record.responded_at = record.responded_by = record.response = None
            if record.status != SupervisionStatus.CLOSED:
                record.status = (
                    SupervisionStatus.CLOSED if closed
                    else SupervisionStatus.RESPONDED if responded
                    else SupervisionStatus.OPEN
                ).value  # fmt: skip

    def jobs_as_of_now(self) -> None:
        """The worker ran the case's jobs (enrichment, notices) when they were due; later ones
        wait for the real worker."""
        now = self.w.now
        for job in self.c.rows.rows["outbox"]:
            due = job["run_after_at"]
            done = due <= now
            job.update(
                status=(OutboxStatus.DONE if done else OutboxStatus.PENDING).value,
                attempts=int(done),
                done_at=due if done else None,
            )

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

    def holding(self) -> MemAssignment:
        """The newest pending or accepted lead (``standing.holding_assignment``)."""
        held = holding_assignment(self.c.assignments)
        assert isinstance(held, MemAssignment)
        return held

    def unit(self, assignment: MemAssignment) -> UnitRef:
        return self.w.reference.units_by_id[assignment.unit_id]

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
