"""Indicator facts: what one case's history contributes to the indicators (docs/indicators.md).

Every indicator is a ratio of two counts of *facts*: a dispatch, a reply, a reply deadline, a
callback answer … each with the moment that puts it in a period (``period_at``) and the unit it is
about. :func:`project_case` replays a case's events in order and keeps the set of facts that is
true after each one; a fact that stops being true (a deadline moved by an extension, a reply
rejected by verification, a case re-classified) is closed at the time of the event that changed it
and, where it still holds in a new form, opened again. Each fact therefore carries the interval in
which it was believed, and "the facts as of T" are exactly what replaying the events up to T
gives. That is what makes a settled period recomputable from raw history.

Pure: no I/O, no clock; the caller passes the events, the case's classification and the units.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo


class Kind(StrEnum):
    """Stored fact kinds; indicators add and divide them (see hotline.domain.indicators)."""

    INTAKE = "intake"  # a case taken in (period: receive)
    DISPATCH = "dispatch"  # the centre hands a round to a lead unit (dispatch, reopen to it)
    ACCEPTED_IN_TIME = "accepted_in_time"  # that round signed for in time (period: dispatch)
    SUB_DISPATCH = "sub_dispatch"  # 下派 to a unit below
    RETURN = "return"  # 退单 (period: the return)
    REPLY_DUE = "reply_due"  # a round's reply deadline (period: the deadline)
    REPLY_DUE_REPLIED = "reply_due_replied"  # … and that round is replied
    REPLY_DUE_LATE = "reply_due_late"  # … replied after its deadline
    REPLY_DUE_OPEN = "reply_due_open"  # … not replied (yet)
    REPLY = "reply"  # a reply (period: the reply)
    REPLY_ON_TIME = "reply_on_time"  # … by its deadline
    REWORK_REOPEN = "rework_reopen"  # 重办 by the centre or a supervisor
    REWORK_CALLBACK = "rework_callback"  # 重办 after an unsatisfied callback
    REWORK_VERIFY = "rework_verify"  # verification failed: back to the unit
    CALLBACK_REACHED = "callback_reached"  # a callback that reached the citizen
    PROCESS_SATISFIED = "process_satisfied"  # … 满意 or 基本满意 on the process
    RESULT_SATISFIED = "result_satisfied"  # … 满意 or 基本满意 on the result
    CALLBACK_SOLVED = "callback_solved"  # … saying the problem is solved


class Derived(StrEnum):
    """Kinds counted at query time, never stored: they depend on the clock or on other cases."""

    REPLY_DUE_OPEN_PAST = "reply_due_open_past"  # open rounds whose deadline has passed
    REPEAT = "repeat"  # intake of a case linked to a problem with ≥ 2 cases


# The version of how facts are derived and counted (the projection here and the definitions in
# hotline.domain.indicators). A settlement stores the version it was made with, and `indicators
# verify` replays its history with that version, so a settled month stays checkable after the
# rules change. 1: until issue 18. 2: a re-sort (重新分类) at dispatch regroups the case's facts
# by its new category; a round reopened by an unsatisfied callback counts as due (its deadline
# is in the callback event); reply and overdue rates count only rounds replied or past due.
INDICATOR_VERSION = 2
FIRST_VERSION = 1

SATISFIED = frozenset({"satisfied", "basically_satisfied"})
BACK_TO_HANDLING = frozenset({"dispatched", "registered"})
DUE_KINDS = (Kind.REPLY_DUE, Kind.REPLY_DUE_REPLIED, Kind.REPLY_DUE_LATE, Kind.REPLY_DUE_OPEN)
NO_UNIT = 0  # unit_id of facts about no unit; '' for unknown codes (grouping keys, never NULL)


@dataclass(frozen=True)
class EventIn:
    seq: int
    action: str
    at: datetime
    to_status: str | None
    details: Mapping[str, Any]


@dataclass(frozen=True)
class Dims:
    """A case's classification, the grouping keys of all its facts ('' when unknown)."""

    district: str = ""
    street: str = ""
    category: str = ""
    channel: str = ""


@dataclass(frozen=True)
class UnitDirectory:
    ids: Mapping[str, int]  # unit code → id
    regions: Mapping[int, str | None]  # unit id → district code

    def id_of(self, code: object) -> int:
        return self.ids.get(code, NO_UNIT) if isinstance(code, str) else NO_UNIT


@dataclass(frozen=True)
class FactRow:
    case_id: int
    kind: str
    origin_seq: int  # the event that created the fact (tells two rounds of one case apart)
    period_at: datetime
    period_on: date  # local date of period_at
    unit_id: int
    dims: Dims
    valid_from_at: datetime
    valid_to_at: datetime | None


@dataclass(frozen=True)
class _Open:
    period_at: datetime
    period_on: date
    unit_id: int
    since: datetime


@dataclass
class _Round:
    """One handling round (办理轮次): from a centre dispatch to its reply."""

    origin: int
    started_at: datetime
    unit_id: int
    due_at: datetime | None
    holders: list[int] = field(default_factory=list)  # sub-dispatched units, innermost last
    accepted: bool = False
    replied: bool = False
    late: bool = False


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None


class _Projector:
    def __init__(
        self, case_id: int, dims: Dims, units: UnitDirectory, tz: ZoneInfo, version: int
    ) -> None:
        self.case_id, self.dims, self.units, self.tz = case_id, dims, units, tz
        self.version = version
        self.open: dict[tuple[str, int], _Open] = {}
        self.rows: list[FactRow] = []
        self.round: _Round | None = None
        self.lead = NO_UNIT
        self.now = datetime.min
        self.intake: tuple[int, datetime] | None = None

    # -- the fact set --------------------------------------------------------------------------
    def _row(self, key: tuple[str, int], fact: _Open, until: datetime | None) -> FactRow:
        return FactRow(self.case_id, *key, fact.period_at, fact.period_on, fact.unit_id,
                       self.dims, fact.since, until)  # fmt: skip

    def hold(self, kind: str, origin: int, period_at: datetime, unit_id: int) -> None:
        """Make the fact true from now, replacing a different version of it."""
        key = (kind, origin)
        current = self.open.get(key)
        if current is not None and (current.period_at, current.unit_id) == (period_at, unit_id):
            return
        self.drop(kind, origin)
        day = period_at.astimezone(self.tz).date()
        self.open[key] = _Open(period_at, day, unit_id, self.now)

    def drop(self, kind: str, origin: int) -> None:
        current = self.open.pop((kind, origin), None)
        if current is not None and current.since < self.now:
            self.rows.append(self._row((kind, origin), current, self.now))
        # A fact opened and closed by the same event was never true: nothing to keep.

    def reclassify(self, **changes: str | None) -> None:
        """New grouping keys close every open fact and reopen it under the new keys."""
        new = replace(self.dims, **{k: v or "" for k, v in changes.items()})
        if new == self.dims:
            return
        held = list(self.open.items())
        for (kind, origin), _fact in held:
            self.drop(kind, origin)
        self.dims = new
        for key, fact in held:
            self.open[key] = replace(fact, since=self.now)

    def finish(self) -> list[FactRow]:
        return self.rows + [self._row(key, fact, None) for key, fact in self.open.items()]

    # -- rounds --------------------------------------------------------------------------------
    def set_lead(self, unit_id: int) -> None:
        self.lead = unit_id
        if self.intake is not None and unit_id != NO_UNIT:
            self.hold(Kind.INTAKE, self.intake[0], self.intake[1], unit_id)

    def start_round(self, origin: int, unit_id: int, due_at: datetime | None) -> None:
        self.set_lead(unit_id)
        if not self.dims.district and unit_id in self.units.regions:
            # the dispatch fills an unknown district from the lead unit (assign_lead does too)
            self.reclassify(district=self.units.regions[unit_id])
        self.round = _Round(origin, self.now, unit_id, due_at)
        self.hold(Kind.DISPATCH, origin, self.now, unit_id)
        self.sync_due()

    def end_round(self) -> None:
        """The round is given up (return approved back to the centre): its deadline is void."""
        if self.round is not None:
            for kind in DUE_KINDS:
                self.drop(kind, self.round.origin)
        self.round = None
        self.lead = NO_UNIT

    def move_due(self, details: Mapping[str, Any], key: str = "reply_due_at") -> None:
        due = parse_time(details.get(key))
        if self.round is not None and due is not None:
            self.round.due_at = due
            self.sync_due()

    def sync_due(self) -> None:
        stage = self.round
        if stage is None:
            return
        origin, unit = stage.origin, stage.unit_id
        if stage.due_at is None:  # a deadline no event has told us yet: not counted
            for kind in DUE_KINDS:
                self.drop(kind, origin)
            return
        due = stage.due_at
        self.hold(Kind.REPLY_DUE, origin, due, unit)
        wanted = {
            Kind.REPLY_DUE_REPLIED: stage.replied,
            Kind.REPLY_DUE_LATE: stage.replied and stage.late,
            Kind.REPLY_DUE_OPEN: not stage.replied,
        }
        for kind, true in wanted.items():
            if true:
                self.hold(kind, origin, due, unit)
            else:
                self.drop(kind, origin)

    def holder(self) -> int:
        if self.round is None:
            return self.lead
        return self.round.holders[-1] if self.round.holders else self.round.unit_id


def _on_receive(p: _Projector, e: EventIn) -> None:
    p.intake = (e.seq, e.at)
    p.hold(Kind.INTAKE, e.seq, e.at, p.lead)


def _on_register(p: _Projector, e: EventIn) -> None:
    p.reclassify(category=e.details.get("category_code"), district=e.details.get("district_code"))


def _on_enrich(p: _Projector, e: EventIn) -> None:
    applied = e.details.get("applied") or {}
    names = {"district_code": "district", "street_code": "street", "category_code": "category"}
    p.reclassify(**{names[k]: v for k, v in applied.items() if k in names})


def _on_dispatch(p: _Projector, e: EventIn) -> None:
    if p.version >= 2 and e.details.get("category_code"):  # 重新分类 with the dispatch
        p.reclassify(category=e.details.get("category_code"))
    p.start_round(
        e.seq, p.units.id_of(e.details.get("unit")), parse_time(e.details.get("reply_due_at"))
    )


def _on_sub_dispatch(p: _Projector, e: EventIn) -> None:
    unit = p.units.id_of(e.details.get("unit"))
    if p.round is not None:
        p.round.holders.append(unit)
    p.hold(Kind.SUB_DISPATCH, e.seq, e.at, unit)


def _on_accept(p: _Projector, e: EventIn) -> None:
    stage = p.round
    if stage is None or stage.holders or stage.accepted:
        return  # only the lead unit's first signature answers the centre's dispatch
    stage.accepted = True
    if e.details.get("accepted_late") is False:
        p.hold(Kind.ACCEPTED_IN_TIME, stage.origin, stage.started_at, stage.unit_id)


def _on_return(p: _Projector, e: EventIn) -> None:
    p.hold(Kind.RETURN, e.seq, e.at, p.holder())


def _on_return_decision(p: _Projector, e: EventIn) -> None:
    if e.action == "approve_return" and e.to_status == "registered":
        p.end_round()
        return
    if e.action == "approve_return" and p.round is not None and p.round.holders:
        p.round.holders.pop()  # back to the unit that sub-dispatched it
    p.move_due(e.details)


def _on_breach(p: _Projector, e: EventIn) -> None:
    if e.details.get("stage") == "reply":
        p.move_due(e.details, "due_at")


def _on_reply(p: _Projector, e: EventIn) -> None:
    p.move_due(e.details)
    stage = p.round
    late = e.details.get("replied_late") is True
    unit = stage.unit_id if stage is not None else p.lead
    p.hold(Kind.REPLY, e.seq, e.at, unit)
    if not late:
        p.hold(Kind.REPLY_ON_TIME, e.seq, e.at, unit)
    if stage is not None:
        stage.replied, stage.late, stage.holders = True, late, []
        p.sync_due()


def _on_verify(p: _Projector, e: EventIn) -> None:
    if e.details.get("passed") is not False:
        return
    p.hold(Kind.REWORK_VERIFY, e.seq, e.at, p.lead)
    if p.round is not None:  # the reply was not accepted: the round is open again
        p.round.replied = p.round.late = False
        p.sync_due()


def _callback_answers(p: _Projector, e: EventIn) -> None:
    d = e.details
    if d.get("outcome") != "reached":
        return
    p.hold(Kind.CALLBACK_REACHED, e.seq, e.at, p.lead)
    if d.get("process_satisfaction") in SATISFIED:
        p.hold(Kind.PROCESS_SATISFIED, e.seq, e.at, p.lead)
    if d.get("result_satisfaction") in SATISFIED:
        p.hold(Kind.RESULT_SATISFIED, e.seq, e.at, p.lead)
    if d.get("solved") is True:
        p.hold(Kind.CALLBACK_SOLVED, e.seq, e.at, p.lead)


def _back_to_handling(p: _Projector, e: EventIn, kind: Kind) -> None:
    p.hold(kind, e.seq, e.at, p.lead)
    if e.to_status == "dispatched":
        unit = p.units.id_of(e.details.get("unit")) or p.lead
        # Before version 2 a callback's reopened round was never due (the event lacked it).
        counted = p.version >= 2 or e.action == "reopen"
        due = parse_time(e.details.get("reply_due_at")) if counted else None
        p.start_round(e.seq, unit, due)
    else:  # re-sorting (重新分类/改派): the centre dispatches again later
        p.round, p.lead = None, NO_UNIT


def _on_callback(p: _Projector, e: EventIn) -> None:
    _callback_answers(p, e)
    if e.to_status in BACK_TO_HANDLING:
        _back_to_handling(p, e, Kind.REWORK_CALLBACK)


def _on_reopen(p: _Projector, e: EventIn) -> None:
    _back_to_handling(p, e, Kind.REWORK_REOPEN)


HANDLERS: dict[str, Callable[[_Projector, EventIn], None]] = {
    "receive": _on_receive,
    "register": _on_register,
    "enrich": _on_enrich,
    "dispatch": _on_dispatch,
    "sub_dispatch": _on_sub_dispatch,
    "accept": _on_accept,
    "return": _on_return,
    "approve_return": _on_return_decision,
    "reject_return": _on_return_decision,
    "approve_extension": lambda p, e: p.move_due(e.details),
    "sla_breach": _on_breach,
    "reply": _on_reply,
    "verify": _on_verify,
    "record_callback": _on_callback,
    "reopen": _on_reopen,
}


def project_case(
    case_id: int,
    dims: Dims,
    events: Iterable[EventIn],
    units: UnitDirectory,
    tz: ZoneInfo,
    version: int = INDICATOR_VERSION,
) -> list[FactRow]:
    """Every fact the case's events make true, each with the interval it held in, under the
    rules of ``version`` (a settlement's, to replay it; the current one otherwise).

    ``dims`` is the case's classification as stored (the starting point; register and enrich
    events override it from their time on); ``events`` in seq order, possibly only those up to
    some time T — the result is then the facts as of T.
    """
    projector = _Projector(case_id, dims, units, tz, version)
    for event in events:
        projector.now = event.at
        handler = HANDLERS.get(event.action)
        if handler is not None:
            handler(projector, event)
    return projector.finish()


def valid_at(rows: Sequence[FactRow], moment: datetime) -> list[FactRow]:
    """The facts believed at ``moment``."""
    return [
        row
        for row in rows
        if row.valid_from_at <= moment and (row.valid_to_at is None or row.valid_to_at > moment)
    ]
