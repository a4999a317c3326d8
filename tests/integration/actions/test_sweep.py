"""The set-based deadline sweep on a real database: it writes what the per-case path wrote
(events, supervisions, notifications, markers), respects a supervision already open, works in
batches of its own transactions, and its claim can use the partial indexes of migration 0005."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Case, CaseEvent, OutboxItem, Supervision
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.services.actions.sweeps import SWEEPS, Sweep, _claim, sweep_deadlines
from hotline.services.cases.history import append_event, verify_case_history
from hotline.services.context import Hotline
from hotline.services.ledger.supervision import escalate
from tests.conftest import FakeClock
from tests.integration.helpers import act, new_case

ACCEPT_WARNING = SWEEPS[0]


def _dispatched(hotline: Hotline, actors: dict[str, Actor]) -> str:
    number = new_case(hotline, actors["operator"])
    act(hotline, number, Action.REGISTER, actors["operator"], category_code="E0301")
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ")
    return number


def _per_case_reference(hotline: Hotline, number: str, sweep: Sweep, now: datetime) -> None:
    """The per-case path the set-based sweep replaced, from the single-case primitives."""
    with hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        setattr(case, sweep.marker, now)
        due = getattr(case, f"{sweep.stage}_due_at")
        append_event(
            session,
            case,
            action=f"sla_{sweep.kind}",
            actor="system",
            at=now,
            from_status=case.status,
            to_status=case.status,
            reason=sweep.label,
            details={"stage": sweep.stage, "due_at": due.isoformat()},
        )
        escalate(hotline, session, case, sweep.level, sweep.label, sweep.source, "system", now)


def _written(session: Session, number: str) -> dict[str, Any]:
    """Everything a sweep leaves for one case, without its own ids and number."""
    case = session.scalars(select(Case).where(Case.number == number)).one()
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
    ).all()
    supervisions = session.scalars(select(Supervision).where(Supervision.case_id == case.id)).all()
    ids = {record.id for record in supervisions}
    notices = [
        item.payload
        for item in session.scalars(select(OutboxItem).where(OutboxItem.kind == "notify"))
        if item.payload.get("supervision") in ids
    ]
    assert verify_case_history(session, case).ok
    return {
        "events": [
            (e.action, e.actor, e.at, e.from_status, e.to_status, e.reason, _anon(e.details))
            for e in events
        ],
        "supervisions": [_supervision(record) for record in supervisions],
        "notices": [_anon(payload) for payload in notices],
        "case": (case.accept_warned_at, case.supervised, case.updated_at, case.status),
    }


def _supervision(record: Supervision) -> tuple[Any, ...]:
    columns = ("level", "source", "reason", "target_unit_id", "head_name", "head_title")
    columns += ("district_code", "status", "created_at", "created_by", "due_at")
    return tuple(getattr(record, name) for name in columns)


def _anon(details: dict[str, Any]) -> dict[str, Any]:
    # Ids differ between the twin cases by construction: each registers on a problem of its own.
    return {k: v for k, v in details.items() if k not in ("supervision", "case", "problem")}


def test_the_sweep_writes_what_the_per_case_path_wrote(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    reference, swept = _dispatched(hotline, actors), _dispatched(hotline, actors)
    with hotline.db.transaction() as session:
        version_before = session.scalars(select(Case.version).where(Case.number == swept)).one()
    clock.advance(minutes=46)  # past 75 % of the accept hour, for both
    _per_case_reference(hotline, reference, ACCEPT_WARNING, clock())
    assert sweep_deadlines(hotline, clock()).raised == {"accept_warning": 1}  # only `swept`
    with hotline.db.transaction() as session:
        expected, got = _written(session, reference), _written(session, swept)
        version_after = session.scalars(select(Case.version).where(Case.number == swept)).one()
    assert got == expected
    assert [e[0] for e in got["events"]][-2:] == ["sla_warning", "supervise"]
    head = (
        "历下区城市管理局局长李建华，分管领导高翔（0531-80200202），"
        "电话 0531-80200201、0531-80200200"
    )
    assert got["notices"] == [
        {"template": "supervision", "level": "urge", "unit": "LX-CGJ", "head": head}
    ]  # the person to call, named (demo profile: fictional contacts)
    assert version_after > version_before  # a client holding the old version gets a conflict


def test_an_open_supervision_is_not_opened_twice(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    number = _dispatched(hotline, actors)
    act(hotline, number, Action.ACCEPT, actors["handler"])
    clock.current = datetime.fromisoformat("2026-11-25T08:00:00+00:00")  # past the warning line
    assert sweep_deadlines(hotline, clock()).raised == {"reply_warning": 1}
    handler = actors["handler"]
    act(hotline, number, Action.REQUEST_EXTENSION, handler, reason="需协调", extra_working_days=1)
    act(hotline, number, Action.APPROVE_EXTENSION, actors["dispatcher"])
    with hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        assert case.reply_warned_at is None  # the warning line moved: it may be raised again
        updated_before, new_line = case.updated_at, case.reply_warn_at
    clock.current = new_line
    assert sweep_deadlines(hotline, clock()).raised == {"reply_warning": 1}
    with hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        actions = session.scalars(
            select(CaseEvent.action).where(CaseEvent.case_id == case.id, CaseEvent.at == new_line)
        ).all()
        assert actions == ["sla_warning"]  # the 催办 of the first warning is still open
        assert session.scalar(select(Supervision.id).where(Supervision.id > 1)) is None
        assert len(session.scalars(select(OutboxItem.id).where(OutboxItem.kind == "notify")).all())
        assert case.reply_warned_at == new_line and case.updated_at == updated_before
        assert verify_case_history(session, case).ok


def test_a_backlog_is_swept_in_transactions_of_a_batch_each(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    for _ in range(5):
        _dispatched(hotline, actors)
    clock.advance(minutes=46)
    commits: list[object] = []

    def count(connection: object) -> None:
        commits.append(connection)

    event.listen(hotline.db.engine, "commit", count)
    try:
        assert sweep_deadlines(hotline, clock(), batch_size=2).raised == {"accept_warning": 5}
    finally:
        event.remove(hotline.db.engine, "commit", count)
    assert len(commits) == 3 + len(SWEEPS)  # 2 + 2 + 1 cases, then one empty claim per line
    with hotline.db.transaction() as session:
        assert session.scalar(select(Case.id).where(Case.accept_warned_at.is_(None))) is None
        assert len(session.scalars(select(Supervision.id)).all()) == 5
    with pytest.raises(ValueError, match="batch_size"):
        sweep_deadlines(hotline, clock(), batch_size=0)


@pytest.mark.parametrize("sweep", SWEEPS, ids=lambda sweep: sweep.key)
def test_the_claim_can_use_its_partial_index(hotline: Hotline, sweep: Sweep) -> None:
    """The claim carries its index's predicate inline (never as parameters, which a generic
    plan could not match), so the planner may use the index of migration 0005."""
    sent: list[tuple[str, Any]] = []

    def capture(_conn: object, _cursor: object, sql: str, params: Any, *_: object) -> None:
        sent.append((sql, params))

    with hotline.db.transaction() as session:
        event.listen(hotline.db.engine, "before_cursor_execute", capture)
        try:
            _claim(session, sweep, datetime.fromisoformat("2026-11-24T02:00:00+00:00"), 10)
        finally:
            event.remove(hotline.db.engine, "before_cursor_execute", capture)
        plan = _plan(session, *sent[-1], index=f"ix_cases_sweep_{sweep.key}")
    assert f"ix_cases_sweep_{sweep.key}" in plan


def _plan(session: Session, sql: str, params: Any, index: str) -> str:
    """The plan of the claim as it was sent. The test tables are too small for an index to win
    on cost: PostgreSQL is steered off full scans; SQLite is told to use the index
    (INDEXED BY fails with "no query solution" when the query does not imply its predicate)."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        with conn.begin_nested() as hidden:
            # other indexes on the deadline (the notices' overdue index) would also match on
            # tiny tables; dropped inside a savepoint that is rolled back
            for (other,) in conn.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'cases' "
                "AND indexname LIKE 'ix%%' AND indexname <> %(keep)s",
                {"keep": index},
            ).all():
                conn.exec_driver_sql(f'DROP INDEX "{other}"')
            plan = "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {sql}", params))
            hidden.rollback()
        return plan
    forced = sql.replace("FROM cases", f"FROM cases INDEXED BY {index}", 1)
    rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {forced}", params)
    return "\n".join(str(row[-1]) for row in rows)
