"""Every SLA boundary pinned from both sides (issue 23 item 13): a tick before, at and a tick after
the warning line and the deadline, open and settled. Only ``missed`` was once asserted, so
``<=`` made ``<`` (met) or ``>=`` made ``>`` (warning) passed the suite."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hotline.domain.sla import SlaState, sla_state
from tests.unit.domain.memory import NOW

WARN = NOW + timedelta(hours=3)
DUE = NOW + timedelta(hours=4)
TICK = timedelta(microseconds=1)
LONG_AFTER = DUE + timedelta(days=30)


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (NOW, SlaState.ON_TRACK),
        (WARN - TICK, SlaState.ON_TRACK),
        (WARN, SlaState.WARNING),
        (WARN + TICK, SlaState.WARNING),
        (DUE - TICK, SlaState.WARNING),
        (DUE, SlaState.WARNING),
        (DUE + TICK, SlaState.OVERDUE),
        (LONG_AFTER, SlaState.OVERDUE),
    ],
)
def test_an_open_stage_either_side_of_each_line(now: datetime, state: SlaState) -> None:
    assert sla_state(DUE, WARN, now) is state


@pytest.mark.parametrize(
    ("now", "state"),
    [(DUE - TICK, SlaState.ON_TRACK), (DUE, SlaState.ON_TRACK), (DUE + TICK, SlaState.OVERDUE)],
)
def test_without_a_warning_line_a_stage_is_on_track_until_overdue(
    now: datetime, state: SlaState
) -> None:
    assert sla_state(DUE, None, now) is state


@pytest.mark.parametrize(
    ("settled", "state"),
    [
        (NOW, SlaState.MET),
        (WARN + TICK, SlaState.MET),  # past the warning line is still in time
        (DUE - TICK, SlaState.MET),
        (DUE, SlaState.MET),
        (DUE + TICK, SlaState.MISSED),
    ],
)
@pytest.mark.parametrize("now", [DUE - TICK, DUE + TICK, LONG_AFTER])
def test_a_settled_stage_is_judged_by_when_it_settled_not_by_now(
    settled: datetime, state: SlaState, now: datetime
) -> None:
    assert sla_state(DUE, WARN, now, settled) is state
    assert sla_state(DUE, None, now, settled) is state


@pytest.mark.parametrize("settled", [None, NOW])
def test_no_deadline_no_state_settled_or_not(settled: datetime | None) -> None:
    assert sla_state(None, WARN, LONG_AFTER, settled) is None
