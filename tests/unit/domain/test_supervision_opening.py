"""Opening a supervision (domain.supervision): the due time per level, once per level and source,
the record, event and notice every sink writes, the case's mark. No database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from hotline.domain.supervision import (
    NO_HEAD_WARNING,
    Escalation,
    Subject,
    SupervisionLevel,
    TargetUnit,
    already_open,
    case_changes,
    open_supervision,
    response_due,
)
from tests.unit.domain.memory import CLOCK, NOW

UNIT = TargetUnit(1, "LX-CGJ", "历下区城市管理局", "李建华", "局长", "历下区城市管理局局长李建华")
NAMELESS = TargetUnit(4, "SZ-CGJ", "市中区城市管理局", None, "局长", "市中区城市管理局局长")
CASE = Subject(10, "2026112400010", "370102")


@dataclass
class Record:
    level: str
    source: str
    status: str = "open"


@pytest.mark.parametrize(
    ("level", "due"),
    [
        # NOW is Tuesday 10:00 in Shanghai; a working day is 7 hours (9–12, 13:30–17:30).
        (SupervisionLevel.URGE, datetime(2026, 11, 25, 2, 0, tzinfo=UTC)),  # Wednesday 10:00
        (SupervisionLevel.SUPERVISE, datetime(2026, 11, 26, 2, 0, tzinfo=UTC)),  # Thursday
        (SupervisionLevel.PRIORITY, datetime(2026, 11, 27, 2, 0, tzinfo=UTC)),  # Friday
        (SupervisionLevel.HEAD, datetime(2026, 11, 27, 2, 0, tzinfo=UTC)),
    ],
)
def test_the_unit_has_its_levels_working_days_to_answer(
    level: SupervisionLevel, due: datetime
) -> None:
    assert response_due(CLOCK, level, NOW) == due


def test_a_level_and_source_opens_once_while_one_is_not_closed() -> None:
    assert already_open([Record("supervise", "manual")], "supervise", "manual")
    assert already_open([Record("supervise", "manual", "responded")], "supervise", "manual")
    assert not already_open([Record("supervise", "manual", "closed")], "supervise", "manual")
    assert not already_open([Record("supervise", "callback_unsatisfied")], "supervise", "manual")
    assert not already_open([Record("urge", "manual")], "supervise", "manual")
    escalation = Escalation(SupervisionLevel.SUPERVISE, "超期", "manual", "sup")
    existing = [Record("supervise", "manual")]
    assert open_supervision(CASE, escalation, UNIT, CLOCK, NOW, existing) is None


def test_an_opening_names_its_record_event_and_notice_exactly() -> None:
    escalation = Escalation(SupervisionLevel.SUPERVISE, "办结超期", "sla_reply_breach")
    opening = open_supervision(CASE, escalation, UNIT, CLOCK, NOW)
    assert opening is not None
    due = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    assert opening.record() == {
        "case_id": 10,
        "problem_id": None,
        "level": "supervise",
        "source": "sla_reply_breach",
        "reason": "办结超期",
        "target_unit_id": 1,
        "head_name": "李建华",
        "head_title": "局长",
        "district_code": "370102",
        "status": "open",
        "created_at": NOW,
        "created_by": "system",
        "due_at": due,
    }
    assert opening.event_details(7) == {
        "supervision": 7,
        "level": "supervise",
        "source": "sla_reply_breach",
        "unit": "LX-CGJ",
        "head": "历下区城市管理局局长李建华",
    }
    assert opening.notice(7) == {
        "template": "supervision",
        "supervision": 7,
        "case": "2026112400010",
        "level": "supervise",
        "unit": "LX-CGJ",
        "head": "历下区城市管理局局长李建华",
    }
    assert opening.case_changes() == {"updated_at": NOW, "supervised": True}


def test_a_problems_supervision_is_in_the_problems_district_and_names_it() -> None:
    subject = Subject.of_problem(5, None, 10, "2026112400010", "370102")
    assert subject == Subject(10, "2026112400010", "370102", 5)
    assert Subject.of_problem(5, "370103", 10, "n", "370102").district_code == "370103"
    escalation = Escalation(SupervisionLevel.HEAD, "一把手督办", "manual", "sup")
    opening = open_supervision(subject, escalation, NAMELESS, CLOCK, NOW)
    assert opening is not None
    details = opening.event_details(8)
    assert details["problem"] == 5
    assert details["warning"] == NO_HEAD_WARNING  # a head without a name reaches nobody
    assert opening.record()["created_by"] == "sup"


def test_an_urge_is_a_reminder_and_does_not_mark_the_case() -> None:
    assert case_changes(SupervisionLevel.URGE, NOW) == {"updated_at": NOW}
    for level in ("supervise", "priority", "head"):
        assert case_changes(level, NOW) == {"updated_at": NOW, "supervised": True}
    escalation = Escalation(SupervisionLevel.URGE, "签收即将超时", "sla_accept_warning")
    opening = open_supervision(CASE, escalation, None, CLOCK, NOW)
    assert opening is not None
    assert opening.record()["target_unit_id"] is None
    assert opening.event_details(1)["unit"] is None
    assert "warning" not in opening.event_details(1)
