"""The record of `hotline demo`'s runs: which databases are demos, and up to which day.

A database with cases and no demo run holds a real centre's work: the demo refuses it (and
`make run` leaves it alone). A demo database may also hold cases people or `hotline run --live`
added through the services since; its catch-up goes on from the latest case's day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from hotline.adapters.db.models import Case, DemoRun
from hotline.domain.errors import Conflict
from hotline.services.context import Hotline


@dataclass(frozen=True)
class DemoState:
    cases: int
    last_demo_day: date | None  # None: no demo ever ran on this database

    @property
    def foreign(self) -> bool:
        """Cases that no demo made: a real centre's database."""
        return self.cases > 0 and self.last_demo_day is None


def demo_state(hotline: Hotline) -> DemoState:
    with hotline.db.transaction() as session:
        cases = session.scalar(select(func.count()).select_from(Case)) or 0
        last = session.scalar(select(func.max(DemoRun.last_day)))
    return DemoState(int(cases), last)


def refuse_foreign(state: DemoState) -> None:
    if state.foreign:
        raise Conflict(
            f"数据库已有 {state.cases} 件工单，且不是演示数据库："
            "演示数据只生成在空库上，或补齐之前的演示"
        )


def record_demo_run(
    hotline: Hotline,
    *,
    first_day: date,
    last_day: date,
    seed: int,
    per_day: float,
    cases: int,
    now: datetime,
) -> None:
    with hotline.db.transaction() as session:
        session.add(DemoRun(first_day=first_day, last_day=last_day, seed=seed, per_day=per_day,
                            cases=cases, created_at=now))  # fmt: skip
