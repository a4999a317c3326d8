"""The indicator fact projection (pure): what each event contributes, and replay "as of" T."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.domain.indicator_facts import (
    Dims,
    EventIn,
    FactRow,
    Kind,
    UnitDirectory,
    project_case,
    valid_at,
)

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 10, 12, 1, 0, tzinfo=UTC)  # 09:00 local, a Monday
UNITS = UnitDirectory({"LX-CGJ": 1, "LX-JFL": 2}, {1: "370102", 2: "370102"})
DIMS = Dims("", "370102001", "E0301", "12345")


def ev(seq: int, action: str, hours: float, to: str | None = None, **details: Any) -> EventIn:
    return EventIn(seq, action, T0 + timedelta(hours=hours), to, details)


def due(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


def current(rows: list[FactRow]) -> Counter[str]:
    return Counter(row.kind for row in rows if row.valid_to_at is None)


def project(events: list[EventIn], dims: Dims = DIMS) -> list[FactRow]:
    return project_case(7, dims, events, UNITS, TZ)


HAPPY = [
    ev(1, "receive", 0, "received", channel="12345"),
    ev(2, "register", 0.1, "registered", category_code="E0301", district_code=None),
    ev(3, "dispatch", 0.2, "dispatched", unit="LX-CGJ", reply_due_at=due(48)),
    ev(4, "accept", 0.3, "accepted", accepted_late=False),
    ev(5, "reply", 5, "callback_pending", replied_late=False),
    ev(6, "record_callback", 30, "closed", outcome="reached",
       process_satisfaction="basically_satisfied", result_satisfaction="satisfied", solved=True),
]  # fmt: skip


EVERYTHING_ONCE = [
    "intake",
    "dispatch",
    "accepted_in_time",
    "reply_due",
    "reply_due_replied",
    "reply",
    "reply_on_time",
    "callback_reached",
    "process_satisfied",
    "result_satisfied",
    "callback_solved",
]


def test_a_case_handled_in_time_and_satisfied() -> None:
    rows = project(HAPPY)
    assert current(rows) == Counter(dict.fromkeys(EVERYTHING_ONCE, 1))
    by_kind = {row.kind: row for row in rows if row.valid_to_at is None}
    assert by_kind["reply_due"].period_at == T0 + timedelta(hours=48)  # period of the deadline
    assert by_kind["reply"].period_at == T0 + timedelta(hours=5)  # period of the reply
    assert by_kind["reply_on_time"].unit_id == 1
    # The dispatch filled the unknown district from the lead unit, for every fact of the case.
    assert {row.dims.district for row in rows if row.valid_to_at is None} == {"370102"}


def test_an_open_round_is_open_until_replied_then_late() -> None:
    events = [*HAPPY[:4], ev(5, "reply", 60, "callback_pending", replied_late=True)]
    assert current(project(events[:4]))["reply_due_open"] == 1
    after = current(project(events))
    assert after["reply_due_late"] == 1 and after["reply_due_open"] == 0
    assert after["reply"] == 1 and after["reply_on_time"] == 0


def test_an_extension_moves_the_deadline_and_keeps_the_old_one_in_history() -> None:
    events = [*HAPPY[:4], ev(5, "approve_extension", 10, "accepted", reply_due_at=due(200))]
    rows = project(events)
    dues = sorted((r.period_at, r.valid_to_at) for r in rows if r.kind == "reply_due")
    moved = T0 + timedelta(hours=10)
    assert dues == [(T0 + timedelta(hours=48), moved), (T0 + timedelta(hours=200), None)]
    assert [r.kind for r in valid_at(rows, moved - timedelta(seconds=1))].count("reply_due") == 1


def test_a_return_approved_back_to_the_centre_voids_the_round() -> None:
    events = [
        *HAPPY[:3],
        ev(4, "return", 1, "returned", reason_code="not_ours"),
        ev(5, "approve_return", 2, "registered", back_to="centre"),
        ev(6, "dispatch", 3, "dispatched", unit="LX-JFL", reply_due_at=due(50)),
    ]
    now = current(project(events))
    assert now["dispatch"] == 2 and now["return"] == 1 and now["reply_due"] == 1
    returned = [r for r in project(events) if r.kind == "return"]
    assert returned[0].unit_id == 1


def test_sub_dispatch_returns_count_against_the_sub_unit_and_only_the_lead_signs() -> None:
    events = [
        *HAPPY[:4],
        ev(5, "sub_dispatch", 1, "dispatched", unit="LX-JFL"),
        ev(6, "accept", 1.5, "accepted", accepted_late=True),  # the street signs: not the lead
        ev(7, "return", 2, "returned"),
        ev(8, "approve_return", 3, "accepted", back_to_assignment=1),
        ev(9, "return", 4, "returned"),  # now the district bureau returns
    ]
    rows = [r for r in project(events) if r.valid_to_at is None]
    assert [r.unit_id for r in rows if r.kind == "sub_dispatch"] == [2]
    assert sorted(r.unit_id for r in rows if r.kind == "return") == [1, 2]
    assert current(rows)["accepted_in_time"] == 1


def test_failed_verification_reopens_the_round_and_counts_as_rework() -> None:
    events = [
        *HAPPY[:5],
        ev(6, "verify", 6, "accepted", passed=False),
        ev(7, "reply", 70, "verifying", replied_late=True),
    ]
    assert current(project(events[:6]))["reply_due_open"] == 1
    final = current(project(events))
    assert final["rework_verify"] == 1 and final["reply"] == 2 and final["reply_on_time"] == 1
    assert final["reply_due_late"] == 1 and final["reply_due_replied"] == 1


def test_unsatisfied_callback_reopens_to_the_same_unit_and_unreachable_counts_nowhere() -> None:
    events = [
        *HAPPY[:5],
        ev(6, "record_callback", 20, "callback_pending", outcome="unreachable"),
        ev(7, "record_callback", 22, "dispatched", outcome="reached",
           process_satisfaction="satisfied", result_satisfaction="unsatisfied", solved=False),
    ]  # fmt: skip
    now = current(project(events))
    assert now["callback_reached"] == 1 and now["result_satisfied"] == 0
    assert now["process_satisfied"] == 1 and now["callback_solved"] == 0
    assert now["rework_callback"] == 1 and now["dispatch"] == 2
    # The new round's deadline is not in the event: it is not counted as due until known.
    assert now["reply_due"] == 1


def test_reclassification_moves_every_fact_to_the_new_group_from_then_on() -> None:
    events = [*HAPPY, ev(7, "register", 40, "registered", category_code="E0302",
                        district_code="370103")]  # fmt: skip
    rows = project(events)
    before = valid_at(rows, T0 + timedelta(hours=39))
    after = valid_at(rows, T0 + timedelta(hours=41))
    assert {r.dims.category for r in before} == {"E0301"}
    assert {r.dims.category for r in after} == {"E0302"}
    assert Counter(r.kind for r in before) == Counter(r.kind for r in after)


def test_facts_made_and_unmade_at_one_instant_leave_no_trace() -> None:
    events = [*HAPPY[:4], ev(5, "reply", 0.3, "replied", replied_late=False)]
    assert all(r.valid_from_at < (r.valid_to_at or datetime.max.replace(tzinfo=UTC))
               for r in project(events))  # fmt: skip


# -- property: replaying the events up to T gives exactly the facts believed at T ---------------

STEPS = st.sampled_from(
    [
        ("dispatch", "dispatched", {"unit": "LX-CGJ"}),
        ("dispatch", "dispatched", {"unit": "LX-JFL"}),
        ("accept", "accepted", {"accepted_late": False}),
        ("accept", "accepted", {"accepted_late": True}),
        ("sub_dispatch", "dispatched", {"unit": "LX-JFL"}),
        ("return", "returned", {}),
        ("approve_return", "registered", {}),
        ("approve_return", "accepted", {}),
        ("reply", "callback_pending", {"replied_late": False}),
        ("reply", "verifying", {"replied_late": True}),
        ("verify", "accepted", {"passed": False}),
        ("approve_extension", "accepted", {}),
        ("record_callback", "closed", {"outcome": "reached", "process_satisfaction": "satisfied",
                                       "result_satisfaction": "unsatisfied", "solved": False}),
        ("record_callback", "dispatched", {"outcome": "reached", "solved": True,
                                           "process_satisfaction": "unsatisfied"}),
        ("record_callback", "callback_pending", {"outcome": "unreachable"}),
        ("reopen", "registered", {"target": "resort"}),
        ("reopen", "dispatched", {"target": "same_unit", "unit": "LX-CGJ"}),
        ("register", "registered", {"category_code": "E0302", "district_code": "370103"}),
    ]
)  # fmt: skip


@st.composite
def histories(draw: st.DrawFn) -> list[EventIn]:
    steps = draw(st.lists(st.tuples(STEPS, st.integers(0, 30), st.integers(1, 400)), max_size=14))
    events, hours = [ev(1, "receive", 0, "received")], 0.0
    for seq, ((action, to, details), gap, due_in) in enumerate(steps, start=2):
        hours += gap  # several events may share one instant
        extra = {"reply_due_at": due(hours + due_in)} if action in ("dispatch", "reopen") else {}
        if action == "approve_extension":
            extra = {"reply_due_at": due(hours + due_in)}
        events.append(ev(seq, action, hours, to, **details, **extra))
    return events


def _key(row: FactRow) -> tuple[Any, ...]:
    return (row.kind, row.origin_seq, row.period_at, row.unit_id, row.dims)


@settings(max_examples=300, deadline=None)
@given(histories(), st.integers(0, 400))
def test_replay_up_to_t_equals_the_facts_valid_at_t(events: list[EventIn], t: int) -> None:
    moment = T0 + timedelta(hours=t)
    full = project(events)
    replay = project([e for e in events if e.at <= moment])
    believed = Counter(_key(row) for row in valid_at(full, moment))
    assert believed == Counter(_key(row) for row in replay if row.valid_to_at is None)


@settings(max_examples=300, deadline=None)
@given(histories())
def test_numerator_facts_never_outnumber_their_denominator(events: list[EventIn]) -> None:
    now = current(project(events))
    assert now["reply_due_replied"] + now["reply_due_open"] == now["reply_due"]
    assert now["reply_due_late"] <= now["reply_due_replied"]
    assert now["accepted_in_time"] <= now["dispatch"]
    assert now["reply_on_time"] <= now["reply"]
    for kind in ("process_satisfied", "result_satisfied", "callback_solved"):
        assert now[kind] <= now["callback_reached"]
    assert now["intake"] == 1
    for row in project(events):
        assert row.valid_to_at is None or row.valid_from_at < row.valid_to_at


def test_kinds_are_all_known() -> None:
    assert {k.value for k in Kind} >= {row.kind for row in project(HAPPY)}
