"""The two write sinks agree: one scenario, every lifecycle action, driven once through the
services (``create_case`` + ``perform_action``: the ORM unit of work) and once through the bulk
sink (the same handlers, rows held in memory, written with COPY / executemany), each on a fresh
database; then every row of every table the actions write is compared
(docs/decisions/0031-two-write-sinks.md).

Only what legitimately differs is left out: the ids the database hands out itself (events,
callbacks, links, jobs: a bulk load writes them in another order) and the ORM's version counters
of problems (bumped per flush, not per change).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hotline.adapters.db.bulk import (
    move_sequences_past_ids,
    next_ids,
    prepared,
    raise_case_counters,
    write_tables,
)
from hotline.adapters.db.database import Database
from hotline.adapters.db.models import Base, Unit
from hotline.bootstrap import build_calendar
from hotline.config import Settings
from hotline.domain.commands import command_for
from hotline.domain.handlers.facts import Context
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor, Role
from hotline.services.actions.bulk_sink import BulkSink, IdBlock, MemCase
from hotline.services.actions.perform import perform_action
from hotline.services.actions.reference import MemoryReference, handler_rules
from hotline.services.cases.intake import NewCase, create_case, new_case_values
from hotline.services.context import Hotline
from tests.conftest import _fresh_url

A = Action
START = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # Monday 09:30 in Jinan


@dataclass
class Step:
    minutes: float
    action: Action
    actor: str
    fields: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None


@dataclass
class Story:
    intake: dict[str, Any]
    steps: list[Step]
    actor: str = "operator"


def S(minutes: float, action: Action, actor: str, reason: str | None = None, **fields: Any) -> Step:
    return Step(minutes, action, actor, fields, reason)


CALLER: dict[str, Any] = {"caller_name": "王秀兰", "caller_phone": "13905310001"}
NOISE: dict[str, Any] = {
    "channel": "12345",
    "content": "历下区泉城路夜间施工噪音扰民，凌晨两点还在施工",
    "address": "历下区泉城路 188 号",
    **CALLER,
}
SATISFIED: dict[str, Any] = {
    "outcome": "reached",
    "process_satisfaction": "satisfied",
    "result_satisfaction": "satisfied",
    "solved": True,
}
UNSATISFIED: dict[str, Any] = {
    "outcome": "reached",
    "process_satisfaction": "basically_satisfied",
    "result_satisfaction": "unsatisfied",
    "solved": False,
}
REGISTER = S(5, A.REGISTER, "operator", category_code="E0301")
DISPATCH = S(10, A.DISPATCH, "dispatcher", unit="LX-CGJ")
ACCEPT = S(30, A.ACCEPT, "handler")
PASSED = S(240, A.VERIFY, "inspector", passed=True, note="核查属实")
SOLVED = S(180, A.REPLY, "handler", result_type="solved", reply_text="已责令施工单位停止夜间施工")


def stories() -> list[Story]:
    """A few dozen cases over every action and its branches."""
    loop = [REGISTER, DISPATCH, ACCEPT, SOLVED, S(60, A.RECORD_CALLBACK, "operator", **SATISFIED)]
    base = [
        # 派遣 with a co-unit, its opinion, a promise verified, callback satisfied
        Story(
            NOISE,
            [
                REGISTER,
                S(10, A.DISPATCH, "dispatcher", unit="LX-CGJ", co_units=["JN-ZFZD"]),
                ACCEPT,
                S(20, A.CO_OPINION, "co_handler", opinion="执法支队已到场配合"),
                S(
                    120,
                    A.REPLY,
                    "handler",
                    result_type="promised",
                    reply_text="已责令停工，承诺本周内整改",
                    promised_on="2026-11-27",
                ),
                S(600, A.VERIFY, "inspector", passed=True, note="现场已停工"),
                S(60, A.RECORD_CALLBACK, "operator", **SATISFIED),
            ],
        ),
        Story(NOISE, loop),
        # 退单 approved, re-dispatched elsewhere
        Story(
            NOISE,
            [
                REGISTER,
                DISPATCH,
                S(20, A.RETURN, "handler", "属园林部门职责", reason_code="not_our_duty"),
                S(30, A.APPROVE_RETURN, "dispatcher", "同意"),
                S(10, A.DISPATCH, "dispatcher", unit="JN-YLJ"),
                S(30, A.ACCEPT, "park_handler"),
                S(200, A.REPLY, "park_handler", result_type="solved", reply_text="已修剪"),
                S(60, A.RECORD_CALLBACK, "operator", **SATISFIED),
            ],
        ),
        # 退单 rejected: the unit must handle it
        Story(
            NOISE,
            [
                REGISTER,
                DISPATCH,
                ACCEPT,
                S(20, A.RETURN, "handler", "不归我们管", reason_code="not_our_duty"),
                S(90, A.REJECT_RETURN, "dispatcher", "属地管理"),
                SOLVED,
                S(60, A.RECORD_CALLBACK, "operator", **SATISFIED),
            ],
        ),
        # 延期 approved, then refused; callbacks unreachable until the last attempt
        Story(
            NOISE,
            [
                REGISTER,
                DISPATCH,
                ACCEPT,
                S(60, A.REQUEST_EXTENSION, "handler", "需协调产权单位", extra_working_days=3),
                S(30, A.APPROVE_EXTENSION, "leader", "同意"),
                S(60, A.REQUEST_EXTENSION, "handler", "再延", extra_working_days=1),
                S(30, A.REFUSE_EXTENSION, "leader", "不予延期"),
                SOLVED,
                S(60, A.RECORD_CALLBACK, "operator", outcome="unreachable"),
                S(90, A.RECORD_CALLBACK, "operator", outcome="unreachable"),
                S(90, A.RECORD_CALLBACK, "operator", outcome="unreachable"),
            ],
        ),
        # 下派 to a street office; the reply rolls up; verification fails once
        Story(
            {**NOISE, "channel": "patrol", "caller_name": None, "caller_phone": None},
            [
                REGISTER,
                DISPATCH,
                ACCEPT,
                S(15, A.SUB_DISPATCH, "handler", unit="LX-JFL"),
                S(20, A.ACCEPT, "street_handler"),
                S(100, A.REPLY, "street_handler", result_type="solved", reply_text="已清理"),
                S(300, A.VERIFY, "inspector", passed=False, note="现场仍有垃圾"),
                S(100, A.REPLY, "street_handler", result_type="solved", reply_text="已再次清理"),
                S(300, A.VERIFY, "inspector", passed=True, note="已清理干净"),
            ],
        ),
        # callback unsatisfied: 重办 to the same unit with a supervision, then satisfied
        Story(
            NOISE,
            [
                REGISTER,
                DISPATCH,
                ACCEPT,
                SOLVED,
                S(60, A.RECORD_CALLBACK, "operator", **UNSATISFIED, reopen_to="same_unit"),
                ACCEPT,
                SOLVED,
                PASSED,  # a supervised case is verified
                S(60, A.RECORD_CALLBACK, "operator", **SATISFIED),
            ],
        ),
        # callback unsatisfied back to the centre for re-sorting
        Story(
            NOISE,
            [
                REGISTER,
                DISPATCH,
                ACCEPT,
                SOLVED,
                S(60, A.RECORD_CALLBACK, "operator", **UNSATISFIED, reopen_to="resort"),
                DISPATCH,
                ACCEPT,
                SOLVED,
                PASSED,
                S(60, A.RECORD_CALLBACK, "operator", outcome="refused"),
            ],
        ),
        # no contact: replied, closed by the centre, reopened, closed again
        Story(
            {**NOISE, "caller_name": None, "caller_phone": None},
            [
                REGISTER,
                DISPATCH,
                ACCEPT,
                SOLVED,
                S(30, A.CLOSE, "dispatcher"),
                S(600, A.REOPEN, "dispatcher", "市民再次来电", target="same_unit"),
                ACCEPT,
                SOLVED,
                S(30, A.CLOSE, "dispatcher"),
            ],
        ),
        Story(NOISE, [S(3, A.ANSWER_DIRECTLY, "operator", reply_text="已告知办理流程")]),
        Story(NOISE, [S(3, A.VOID, "operator", "测试来电")]),
        Story(NOISE, [REGISTER, S(20, A.VOID, "dispatcher", "重复来电")]),
        # late accept and late reply: the breach flags
        Story(
            NOISE,
            [
                REGISTER,
                DISPATCH,
                S(600, A.ACCEPT, "handler"),
                S(5000, A.REPLY, "handler", result_type="explained", reply_text="已解释"),
                S(60, A.RECORD_CALLBACK, "operator", **SATISFIED),
            ],
        ),
        Story({**NOISE, "urgency": "urgent"}, loop),
    ]
    return [*base, *base[:4]]  # the same stories again, on cases numbered later


ACTORS_BY_UNIT = {
    "handler": "LX-CGJ",
    "street_handler": "LX-JFL",
    "co_handler": "JN-ZFZD",
    "park_handler": "JN-YLJ",
}
ROLES = {
    "operator": Role.OPERATOR,
    "dispatcher": Role.DISPATCHER,
    "inspector": Role.INSPECTOR,
    "leader": Role.LEADER,
}


def make_actors(hotline: Hotline) -> dict[str, Actor]:
    with hotline.db.transaction() as session:
        ids = {u.code: u.id for u in session.scalars(select(Unit))}
    actors = {name: Actor(name, role) for name, role in ROLES.items()}
    for name, code in ACTORS_BY_UNIT.items():
        actors[name] = Actor(name, Role.HANDLER, unit_id=ids[code])
    return actors


def timeline() -> Iterator[tuple[int, Story, list[datetime], datetime]]:
    """Each story with its intake time and the times of its steps (stories start an hour
    apart, so their lives overlap as real cases do)."""
    for index, story in enumerate(stories()):
        created = START + timedelta(hours=index)
        at, moments = created, []
        for step in story.steps:
            at += timedelta(minutes=step.minutes)
            moments.append(at)
        yield index, story, moments, created


def run_online(hotline: Hotline) -> None:
    actors = make_actors(hotline)
    numbers: dict[int, str] = {}
    for index, story, _, created in sorted(timeline(), key=lambda t: t[3]):
        numbers[index] = create_case(hotline, NewCase(**story.intake), actors[story.actor], created)
    for at, index, step in _steps_in_time_order():
        command = command_for(step.action, reason=step.reason, **step.fields)
        perform_action(hotline, numbers[index], command, actors[step.actor], at)


def _steps_in_time_order() -> list[tuple[datetime, int, Step]]:
    steps = [
        (at, index, step)
        for index, story, moments, _ in timeline()
        for at, step in zip(moments, story.steps, strict=True)
    ]
    return sorted(steps, key=lambda s: (s[0], s[1]))


def run_bulk(hotline: Hotline) -> None:
    actors = make_actors(hotline)
    with hotline.db.transaction() as session:
        ids = IdBlock(**next_ids(session))
        reference = MemoryReference(hotline, session)
    sink = BulkSink(hotline, reference.units, ids)
    rules = handler_rules(hotline)
    cases: dict[int, MemCase] = {}
    seqs: dict[date, int] = {}
    for index, story, _, created in sorted(timeline(), key=lambda t: t[3]):
        day = created.astimezone(hotline.settings.tz).date()
        seqs[day] = seqs.get(day, 0) + 1
        actor = actors[story.actor]
        values = new_case_values(hotline, NewCase(**story.intake), actor, created, seqs[day])
        cases[index] = sink.new_case(values, actor.name, created)
    for at, index, step in _steps_in_time_order():
        command = command_for(step.action, reason=step.reason, **step.fields)
        sink.perform(cases[index], command, Context(actors[step.actor], at, rules, reference))
    for case in cases.values():
        sink.finish_case(case)
    with hotline.db.transaction() as session:
        # as the engine's workers hand them over: search terms, COPY text on PostgreSQL
        ready = prepared(hotline.db.dialect, sink.take_tables().rows)
        write_tables(session, ready.items())
        move_sequences_past_ids(session)
        raise_case_counters(session, seqs)


# What the actions write; ids the database hands out itself are left out where the bulk load's
# order of writing differs, and the rows sorted by what identifies them.
COMPARED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "cases": (("number",), ()),
    "case_assignments": (("id",), ()),
    "case_requests": (("id",), ()),
    "case_callbacks": (("case_id", "attempt"), ("id",)),
    "supervisions": (("id",), ()),
    "case_events": (("case_id", "seq"), ("id",)),
    "problems": (("id",), ("version",)),
    "problem_links": (("case_id", "problem_id", "action", "at"), ("id",)),
    "case_classifications": (("case_id",), ()),
    "case_number_counters": (("day_on",), ()),
    "outbox": (("kind", "created_at", "payload"), ("id",)),
}


def dump(hotline: Hotline) -> dict[str, list[dict[str, Any]]]:
    tables = Base.metadata.tables
    found = {}
    with hotline.db.transaction() as session:
        for name, (key, dropped) in COMPARED.items():
            rows = [dict(r._mapping) for r in session.execute(select(tables[name]))]
            for row in rows:
                for column in dropped:
                    row.pop(column)
            found[name] = sorted(rows, key=lambda r: tuple(str(r[k]) for k in key))
    return found


def _hotline(template_url: str, folder: Path, now: datetime) -> Hotline:
    folder.mkdir()
    url = _fresh_url(template_url, folder)
    settings = Settings(database_url=url, var_dir=folder)
    db = Database(settings.resolved_database_url)
    return Hotline(settings=settings, db=db, clock=build_calendar(settings, db), now=lambda: now)


@pytest.mark.parametrize("sink", ["services", "bulk"])
def test_the_scenario_runs(sink: str, hotline: Hotline) -> None:
    (run_online if sink == "services" else run_bulk)(hotline)
    rows = dump(hotline)
    assert len(rows["cases"]) == len(stories())
    statuses = {row["status"] for row in rows["cases"]}
    assert {"closed", "answered_directly", "void"} <= statuses
    assert rows["supervisions"] and rows["case_requests"] and rows["case_callbacks"]


def test_both_sinks_write_the_same_rows(template_url: str, tmp_path: Path) -> None:
    online = _hotline(template_url, tmp_path / "online", START)
    try:
        run_online(online)
        expected = dump(online)
    finally:
        online.db.dispose()
    bulk = _hotline(template_url, tmp_path / "bulk", START)
    try:
        run_bulk(bulk)
        got = dump(bulk)
    finally:
        bulk.db.dispose()
    for name in COMPARED:
        assert len(got[name]) == len(expected[name]), name
        for want, have in zip(expected[name], got[name], strict=True):
            assert have == want, (
                name,
                {k: (want[k], have.get(k)) for k in want if have.get(k) != want[k]},
            )
