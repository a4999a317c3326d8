"""The deadline sweep: warnings and breaches raised exactly once (docs/calendar.md).

Which line is due at ``now`` and what raising it changes are the rules of
:mod:`hotline.domain.sweep` (``RULES``, ``is_due``, ``raise_line``); the claim below is their
predicate in SQL, and this module applies their decisions set-based.

Each stage has its warning line and deadline stored on the case, and a marker column the sweep
stamps in the same transaction that writes the history event, opens the supervision (催办 at
warning, 督办 at breach) and queues the notification.

The sweep is set-based: a batch of cases costs a fixed handful of statements, whatever its size
(claim, newest history links, open supervisions, units, supervisions inserted, events inserted,
outbox rows inserted, cases updated), instead of about nine per case through the ORM. Each batch
is its own transaction, so a large backlog never holds one giant one. Rows are claimed with
``FOR UPDATE SKIP LOCKED``: several workers on PostgreSQL share the work without doubling it (on
SQLite ``BEGIN IMMEDIATE`` serialises them). The claim carries the predicate of the partial
indexes (``models.sweep_pending``), so a batch reads only the cases it raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import InstrumentedAttribute, Session

from hotline.adapters.db.models import Case, sweep_pending
from hotline.domain.supervision import SupervisionLevel
from hotline.domain.sweep import RULES, SweepRule, raise_line
from hotline.services.cases.history import BatchHistory, last_links
from hotline.services.context import Hotline
from hotline.services.ledger.supervision import Target, case_changes, escalate_many

DEFAULT_BATCH = 2000


@dataclass(frozen=True)
class Sweep:
    """A rule of :mod:`hotline.domain.sweep` with its columns, for the set-based claim."""

    rule: SweepRule

    @property
    def line(self) -> InstrumentedAttribute[Any]:
        column: InstrumentedAttribute[Any] = getattr(Case, self.rule.line)
        return column

    @property
    def stage(self) -> str:
        return self.rule.stage

    @property
    def kind(self) -> str:
        return self.rule.kind

    @property
    def marker(self) -> str:
        return self.rule.marker

    @property
    def level(self) -> SupervisionLevel:
        return self.rule.level

    @property
    def label(self) -> str:
        return self.rule.label

    @property
    def key(self) -> str:
        return self.rule.key

    @property
    def statuses(self) -> tuple[str, ...]:
        return self.rule.statuses

    @property
    def source(self) -> str:
        return self.rule.source


SWEEPS = tuple(Sweep(rule) for rule in RULES)


@dataclass
class SweepReport:
    raised: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.raised.values())


def claim_statement(sweep: Sweep, now: datetime, size: int) -> Select[Any]:
    """Up to ``size`` cases whose line is due and not raised, locked, earliest line first (a
    backlog is raised in the order it fell due) in the order of the partial index, so reading
    it is the plan; rows another worker holds are skipped, not waited for."""
    due = getattr(Case, f"{sweep.stage}_due_at")
    return (
        select(
            Case.id,
            Case.number,
            Case.status,
            Case.lead_unit_id,
            Case.district_code,
            due.label("due_at"),
        )
        .where(sweep_pending(sweep.stage, sweep.marker), sweep.line <= now)
        .order_by(sweep.line, Case.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )


def _claim(session: Session, sweep: Sweep, now: datetime, size: int) -> list[Row[Any]]:
    return list(session.execute(claim_statement(sweep, now, size)))


def _stamp(
    session: Session, sweep: Sweep, now: datetime, ids: list[int], supervised: set[int]
) -> None:
    """The marker on every raised case, plus the supervision's changes on those just
    supervised. ``version`` moves once per raised line: the row changed, which is what
    optimistic locking needs (the ORM path moved it once per flush, once or twice)."""
    plain = [case_id for case_id in ids if case_id not in supervised]
    groups: list[tuple[list[int], dict[str, Any]]] = [
        (plain, {}),
        (sorted(supervised), case_changes(sweep.level, now)),
    ]
    for group, changes in groups:
        if group:
            values: dict[str, Any] = {name: value for name, value in sweep.rule.stamp(now).items()}
            values.update(changes)
            values["version"] = Case.version + 1
            stmt = update(Case).where(Case.id.in_(group)).values(values)
            session.execute(stmt, execution_options={"synchronize_session": False})


def _record_lines(history: BatchHistory, sweep: Sweep, rows: list[Row[Any]], now: datetime) -> None:
    """The ``sla_warning``/``sla_breach`` event of each case, as the domain rule raises it."""
    for row in rows:
        event = raise_line(sweep.rule, row.status, row.due_at, now).event
        history.append(
            row.id,
            row.number,
            action=event.action,
            actor=event.actor,
            at=event.at,
            from_status=event.from_status,
            to_status=event.to_status,
            reason=event.reason,
            details=dict(event.details),
        )


def _run_batch(hotline: Hotline, sweep: Sweep, now: datetime, size: int) -> int:
    """One transaction: claim, events, supervisions and their notifications, markers."""
    with hotline.db.transaction() as session:
        rows = _claim(session, sweep, now, size)
        if not rows:
            return 0
        ids = [row.id for row in rows]
        history = BatchHistory(last_links(session, ids))
        _record_lines(history, sweep, rows, now)
        targets = [Target(r.id, r.number, r.status, r.lead_unit_id, r.district_code) for r in rows]
        supervised = escalate_many(hotline, session, targets, sweep.rule.escalation(), now, history)
        history.write(session)
        _stamp(session, sweep, now, ids, supervised)
        return len(rows)


def sweep_deadlines(
    hotline: Hotline, now: datetime, batch_size: int = DEFAULT_BATCH
) -> SweepReport:
    """Raise every warning and breach due by ``now`` that has not been raised yet, one batch
    of at most ``batch_size`` cases per transaction."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = SweepReport()
    for sweep in SWEEPS:
        while (count := _run_batch(hotline, sweep, now, batch_size)) > 0:
            report.raised[sweep.key] = report.raised.get(sweep.key, 0) + count
    return report
