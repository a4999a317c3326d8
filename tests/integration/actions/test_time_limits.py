"""Time limits on a real database: channel overrides, frozen breach flags, the paused clock
during a return, extension levels, and the sweep raising each warning and breach once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from hotline.adapters.db.models import Case, CaseEvent, OutboxItem, Supervision
from hotline.adapters.notify.base import MemoryNotifier
from hotline.domain.errors import Forbidden, IllegalTransition
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor, Role
from hotline.entrypoints.worker import run_worker
from hotline.services.actions.sweeps import sweep_deadlines
from hotline.services.cases.history import verify_case_history
from hotline.services.cases.views import get_case
from hotline.services.context import Hotline
from hotline.services.ledger.supervision import list_supervisions, respond, supervise_case
from tests.conftest import FakeClock
from tests.integration.helpers import act, new_case


def _dispatched(hotline: Hotline, actors: dict[str, Actor], **overrides: object) -> str:
    number = new_case(hotline, actors["operator"], **overrides)
    act(hotline, number, Action.REGISTER, actors["operator"], category_code="E0301")
    act(hotline, number, Action.DISPATCH, actors["dispatcher"], unit="LX-CGJ")
    return number


def _count(hotline: Hotline, model: type, *where: object) -> int:
    with hotline.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_media_cases_are_due_the_same_working_day(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = _dispatched(hotline, actors, channel="media", media_outlet="济南日报")
    assert get_case(hotline, number, actors["operator"], hotline.now())["reply_due_at"] == (
        "2026-11-24T09:30:00+00:00"
    )  # 17:30 Beijing, the same day


def test_deputies_have_their_own_limit(hotline: Hotline, actors: dict[str, Actor]) -> None:
    number = _dispatched(hotline, actors, channel="deputy")
    # 10 working days from Tuesday 2026-11-24 10:00 → Tuesday 2026-12-08 10:00 Beijing.
    assert get_case(hotline, number, actors["operator"], hotline.now())["reply_due_at"] == (
        "2026-12-08T02:00:00+00:00"
    )


def test_the_sweep_raises_each_warning_and_breach_exactly_once(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    number = _dispatched(hotline, actors)  # accept within 1 working hour, reply within 2 days
    clock.advance(minutes=46)  # past 75 % of the accept hour
    assert sweep_deadlines(hotline, clock()).raised == {"accept_warning": 1}
    assert sweep_deadlines(hotline, clock()).raised == {}
    clock.advance(minutes=15)
    assert sweep_deadlines(hotline, clock()).raised == {"accept_breach": 1}
    act(hotline, number, Action.ACCEPT, actors["handler"])
    case = get_case(hotline, number, actors["operator"], hotline.now())
    assert case["accept_late"] is True and case["sla"]["accept"] == "missed"
    clock.current = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # Friday, past the reply deadline
    assert sweep_deadlines(hotline, clock()).raised == {"reply_warning": 1, "reply_breach": 1}
    assert sweep_deadlines(hotline, clock()).raised == {}
    events = [
        e["action"] for e in get_case(hotline, number, actors["operator"], hotline.now())["history"]
    ]
    assert events.count("sla_warning") == 2 and events.count("sla_breach") == 2
    levels = sorted(s["level"] for s in list_supervisions(hotline, actors["supervisor"]))
    assert levels == ["supervise", "supervise", "urge", "urge"]  # one per stage and line
    assert _count(hotline, OutboxItem, OutboxItem.kind == "notify") == 4


def test_a_late_reply_freezes_the_flag(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    number = _dispatched(hotline, actors)
    act(hotline, number, Action.ACCEPT, actors["handler"])
    clock.current = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    act(hotline, number, Action.REPLY, actors["handler"], result_type="solved", reply_text="已办")
    case = get_case(hotline, number, actors["operator"], hotline.now())
    assert case["reply_late"] is True and case["sla"]["reply"] == "missed"
    assert case["callback_due_at"] is not None


def test_notifications_reach_the_notifier(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    notifier = MemoryNotifier()
    hotline.notifier = notifier
    _dispatched(hotline, actors)
    clock.advance(hours=2)
    run_worker(hotline, once=True)
    subjects = sorted(message.subject for message in notifier.sent)
    assert len(subjects) == 2 and subjects[0].startswith("【催办】")


def test_the_clock_stops_while_a_return_waits(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    number = _dispatched(hotline, actors)
    act(hotline, number, Action.ACCEPT, actors["handler"])
    before = get_case(hotline, number, actors["operator"], hotline.now())["reply_due_at"]
    act(hotline, number, Action.RETURN, actors["handler"], reason="非我单位", reason_code="other")
    clock.advance(hours=3)  # 10:00 → 13:00 Beijing: 120 working minutes (lunch excluded)
    act(hotline, number, Action.REJECT_RETURN, actors["dispatcher"], reason="属地管理")
    case = get_case(hotline, number, actors["operator"], hotline.now())
    assert case["history"][-1]["details"]["clock_paused_minutes"] == 120
    # Exactly the 120 working minutes the return waited, not merely "later": the deadline was
    # Thursday 26 Nov 10:00 Beijing and moves to 12:00 the same morning (a pause counted twice
    # would land after lunch).
    assert datetime.fromisoformat(before) == datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    assert datetime.fromisoformat(case["reply_due_at"]) == datetime(2026, 11, 26, 4, 0, tzinfo=UTC)


def test_extension_levels_and_maximum(hotline: Hotline, actors: dict[str, Actor]) -> None:
    number = _dispatched(hotline, actors)
    act(hotline, number, Action.ACCEPT, actors["handler"])
    act(
        hotline,
        number,
        Action.REQUEST_EXTENSION,
        actors["handler"],
        reason="需协调",
        extra_working_days=5,
    )
    with pytest.raises(Forbidden, match="科长"):  # 5 days is beyond the duty chief's 3
        act(hotline, number, Action.APPROVE_EXTENSION, actors["dispatcher"])
    act(hotline, number, Action.APPROVE_EXTENSION, actors["leader"])
    act(
        hotline,
        number,
        Action.REQUEST_EXTENSION,
        actors["handler"],
        reason="再协调",
        extra_working_days=20,
    )
    district_leader = Actor("lx-lead", Role.LEADER, district_code="370102")
    with pytest.raises(Forbidden, match="中心领导"):
        act(hotline, number, Action.APPROVE_EXTENSION, district_leader)
    act(hotline, number, Action.APPROVE_EXTENSION, actors["leader"])
    with pytest.raises(IllegalTransition, match="最多 2 次"):
        act(
            hotline,
            number,
            Action.REQUEST_EXTENSION,
            actors["handler"],
            reason="三延",
            extra_working_days=1,
        )


def test_manual_supervision_and_the_units_response(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = _dispatched(hotline, actors)
    supervision_id = supervise_case(
        hotline, number, "head", "媒体曝光，一把手督办", actors["supervisor"], hotline.now()
    )
    listed = list_supervisions(hotline, actors["handler"])
    assert [(s["id"], s["level_label"], s["unit"], s["head_title"]) for s in listed] == [
        (supervision_id, "一把手督办", "LX-CGJ", "局长")
    ]
    assert list_supervisions(hotline, actors["street_handler"]) == []
    respond(hotline, supervision_id, "局长已现场调度，今日整改", actors["handler"], hotline.now())
    assert get_case(hotline, number, actors["operator"], hotline.now())["supervised"] is True
    with pytest.raises(Forbidden):
        supervise_case(hotline, number, "urge", "x", actors["handler"], hotline.now())
    assert _count(hotline, Supervision, Supervision.status == "responded") == 1


def test_supervised_cases_need_verification(hotline: Hotline, actors: dict[str, Actor]) -> None:
    number = _dispatched(hotline, actors)
    supervise_case(
        hotline, number, "supervise", "市民多次来电", actors["supervisor"], hotline.now()
    )
    act(hotline, number, Action.ACCEPT, actors["handler"])
    act(hotline, number, Action.REPLY, actors["handler"], result_type="solved", reply_text="已办")
    assert get_case(hotline, number, actors["operator"], hotline.now())["status"] == "verifying"


def test_two_sweepers_raise_each_line_once(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    import threading

    for _ in range(12):
        _dispatched(hotline, actors)
    clock.advance(hours=2)
    reports = []

    def run() -> None:
        reports.append(sweep_deadlines(hotline, clock(), batch_size=3))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.total for r in reports) == 24
    assert _count(hotline, CaseEvent, CaseEvent.action == "sla_warning") == 12
    assert _count(hotline, CaseEvent, CaseEvent.action == "sla_breach") == 12
    assert _count(hotline, Case, Case.accept_breached_at.is_not(None)) == 12
    # one 催办 and one 督办 per case, each with its event and its notification, never doubled
    assert _count(hotline, Supervision) == 24
    assert _count(hotline, CaseEvent, CaseEvent.action == "supervise") == 24
    assert _count(hotline, OutboxItem, OutboxItem.kind == "notify") == 24
    with hotline.db.transaction() as session:
        assert all(verify_case_history(session, case).ok for case in session.scalars(select(Case)))


def test_a_sub_dispatch_does_not_reopen_the_settled_accept_stage(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    number = _dispatched(hotline, actors)
    act(hotline, number, Action.ACCEPT, actors["handler"])
    act(hotline, number, Action.SUB_DISPATCH, actors["handler"], unit="LX-JFL")
    clock.advance(hours=2)  # past the centre's accept line, while the street has not accepted
    assert "accept_warning" not in sweep_deadlines(hotline, clock()).raised
