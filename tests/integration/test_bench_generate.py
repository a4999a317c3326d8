"""The benchmark data generator (bench/generate.py) on the test database (SQLite, or PostgreSQL
with HOTLINE_TEST_DATABASE_URL): its data must be data the application itself could have written.

One small run (a few seconds) serves the tests that only read; the test that writes (the sweep, a
new case) generates a database of its own, so the others read the data as generated whatever order
the tests run in (they once relied on the writer running last).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bench.generate import Options, generate
from sqlalchemy import func, select

from hotline.adapters.db.database import Database
from hotline.adapters.db.models import (
    Assignment,
    Callback,
    Case,
    CaseEvent,
    CaseNumberCounter,
    ProblemLink,
    Supervision,
)
from hotline.bootstrap import build_calendar
from hotline.config import Settings
from hotline.domain.lifecycle import TRANSITIONS, Action, Status
from hotline.domain.roles import Actor, Role
from hotline.services.actions.sweeps import sweep_deadlines
from hotline.services.cases.history import verify_case_history
from hotline.services.cases.intake import NewCase, create_case
from hotline.services.context import Hotline
from tests.conftest import PG_URL, _fresh_url, _migrate_and_seed, _private_postgres_database

CASES = 300
OPEN = {"dispatched", "accepted", "returned", "replied", "verifying", "callback_pending",
        "registered", "received"}  # fmt: skip


def _generate(template_url: str, folder: Path) -> tuple[Settings, dict[str, Any], Database]:
    settings = Settings(database_url=_fresh_url(template_url, folder), var_dir=folder)
    options = Options(
        database_url=settings.resolved_database_url,
        cases=CASES,
        months=2,
        open_fraction=0.25,
        pending_warnings=4,
        pending_breaches=2,
        accept_share=0.5,
        workers=1,
        chunk=128,
        progress=False,
    )
    report = generate(options)
    return settings, report, Database(settings.resolved_database_url)


@pytest.fixture(scope="module")
def generated(
    template_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, dict[str, Any], Database]]:
    """Read only: every test but the writer shares it."""
    settings, report, db = _generate(template_url, tmp_path_factory.mktemp("bench_generate"))
    yield settings, report, db
    db.dispose()


@pytest.fixture
def generated_to_write(
    template_url: str, tmp_path: Path
) -> Iterator[tuple[Settings, dict[str, Any], Database]]:
    """A run of its own for the test that sweeps and files a case: a copy of the template on
    SQLite, a database of its own on PostgreSQL (there the template is the one shared)."""
    with ExitStack() as stack:
        if PG_URL:
            template_url = stack.enter_context(_private_postgres_database(PG_URL, "bench_writer"))
            _migrate_and_seed(template_url)
        settings, report, db = _generate(template_url, tmp_path)
        yield settings, report, db
        db.dispose()


def _hotline(settings: Settings, db: Database, now: datetime) -> Hotline:
    return Hotline(settings=settings, db=db, clock=build_calendar(settings, db), now=lambda: now)


def test_every_chain_verifies_and_follows_the_lifecycle(generated: Any) -> None:
    _settings, report, db = generated
    problems: Counter[str] = Counter()
    with db.transaction() as session:
        cases = session.scalars(select(Case).order_by(Case.id)).all()
        assert len(cases) == CASES == report["rows"]["cases"]
        for case in cases:
            chain = verify_case_history(session, case)
            assert chain.ok, (case.number, chain)
            previous = None
            for event in case.events:
                if event.seq > 1 and event.from_status != previous:
                    problems[f"{case.number}: {event.seq} starts from {event.from_status}"] += 1
                if event.action in Action._value2member_map_:
                    allowed = TRANSITIONS.get((Status(event.from_status), Action(event.action)))
                    if allowed is None or Status(event.to_status) not in allowed:
                        problems[f"{event.from_status} -{event.action}-> {event.to_status}"] += 1
                previous = event.to_status
            assert previous == case.status
            # As online (tests/integration/actions/test_sinks.py): one version per event, and
            # one more for each time the ledger linked or unlinked the case in a write of its own.
            links = session.scalar(
                select(func.count()).where(
                    ProblemLink.case_id == case.id, ProblemLink.action.in_(("link", "unlink"))
                )
            )
            assert case.version == len(case.events) + links
    assert not problems, problems
    events = report["rows"]["case_events"] / CASES
    assert 5 <= events <= 13, events


def test_status_mix_texts_and_related_rows_are_plausible(generated: Any) -> None:
    _settings, report, db = generated
    statuses = Counter(report["statuses"])
    assert set(statuses) <= OPEN | {"closed", "answered_directly", "void"}
    open_cases = sum(n for status, n in statuses.items() if status in OPEN)
    assert 0.15 * CASES <= open_cases <= 0.4 * CASES
    assert statuses["closed"] >= 0.45 * CASES
    assert statuses["answered_directly"] > 0
    with db.transaction() as session:
        lengths = session.execute(select(func.min(func.length(Case.content)),
                                         func.max(func.length(Case.content)))).one()  # fmt: skip
        assert lengths[0] >= 100 and lengths[1] <= 500
        phones = session.scalars(select(Case.caller_phone).where(Case.caller_phone.is_not(None)))
        assert all((p.isdigit() and len(p) == 11) or p.startswith("0531-") for p in phones)
        dispatched = session.scalar(
            select(func.count(func.distinct(CaseEvent.case_id))).where(
                CaseEvent.action == "dispatch"
            )
        )
        with_lead = session.scalar(select(func.count(func.distinct(Assignment.case_id))))
        assert dispatched == with_lead > 0
        callbacks = session.scalar(select(func.count()).select_from(Callback))
        recorded = session.scalar(select(func.count()).where(CaseEvent.action == "record_callback"))
        assert callbacks == recorded
        supervisions = session.scalar(select(func.count()).select_from(Supervision))
        opened = session.scalar(select(func.count()).where(CaseEvent.action == "supervise"))
        assert supervisions == opened
        # As the close handlers do: no unit's share stays at work on a closed case (the
        # generator once left co-units 'pending', which the co-unit desk then listed).
        at_work_on_closed = session.scalar(
            select(func.count())
            .select_from(Assignment)
            .join(Case, Case.id == Assignment.case_id)
            .where(Case.status == "closed", Assignment.status.in_(("pending", "accepted")))
        )
        assert at_work_on_closed == 0


def test_numbers_follow_the_local_day(generated: Any) -> None:
    settings, _report, db = generated
    tz = settings.tz
    per_day: dict[Any, list[tuple[datetime, int]]] = defaultdict(list)
    with db.transaction() as session:
        for number, created, received_on in session.execute(
            select(Case.number, Case.created_at, Case.received_on)
        ):
            assert created.astimezone(tz).date() == received_on
            day, seq = number.split("-")
            assert day == received_on.strftime("%Y%m%d") and len(seq) == 6
            per_day[received_on].append((created, int(seq)))
        counters = {row.day_on: row.last_seq for row in session.scalars(select(CaseNumberCounter))}
    assert set(counters) == set(per_day)
    for day, entries in per_day.items():
        entries.sort()
        assert [seq for _, seq in entries] == list(range(1, len(entries) + 1)), day
        assert counters[day] == len(entries)


# Its own data costs a migrated, seeded database and a generator run before the test: more than
# the default 120 s on PostgreSQL on a loaded machine.
@pytest.mark.timeout(480)
def test_the_sweep_raises_exactly_what_was_left_pending_then_numbers_continue(
    generated_to_write: Any,
) -> None:
    settings, report, db = generated_to_write
    expected = {key: n for key, n in report["pending_at_now"].items() if n}
    assert (
        expected
        == report["designated"]
        == {
            "accept_warning": 2,
            "reply_warning": 2,
            "accept_breach": 1,
            "reply_breach": 1,
        }
    )
    now = datetime.fromisoformat(report["now"])
    hotline = _hotline(settings, db, now)
    assert sweep_deadlines(hotline, now).raised == expected
    assert sweep_deadlines(hotline, now).raised == {}
    with db.transaction() as session:
        touched = session.scalars(select(CaseEvent.case_id).where(CaseEvent.at == now)).all()
        for case_id in set(touched):
            case = session.get(Case, case_id)
            assert case is not None and verify_case_history(session, case).ok
        last_day, last_seq = session.execute(
            select(CaseNumberCounter.day_on, CaseNumberCounter.last_seq)
            .order_by(CaseNumberCounter.day_on.desc())
            .limit(1)
        ).one()
    later = now + timedelta(minutes=1)
    number = create_case(
        _hotline(settings, db, later),
        NewCase(channel="12345", content="历下区泉城路夜间施工噪音扰民，凌晨两点还在施工"),
        Actor("op", Role.OPERATOR),
        later,
    )
    assert number == f"{last_day:%Y%m%d}-{last_seq + 1:06d}"
