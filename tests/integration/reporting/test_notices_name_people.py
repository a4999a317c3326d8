"""Every notice table that lists units names the person who answers for them (issue 18 item
7): the unsatisfied callbacks, the problems with many complaints (their lead unit), the new
督办 section, and the monthly ranking (each district's bureau head). A 一把手督办 of a unit
without a named head shows the warning where the name would be.

The story is test_notices' November (a3's 不满意 callback on 25 November opened a 督办 of 历下区
城市管理局; a1, a2, b1 are one problem)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hotline.adapters.db.models import Problem, Unit
from hotline.domain.roles import Actor
from hotline.services.context import Hotline
from hotline.services.ledger.supervision import NO_HEAD_WARNING, supervise_case
from hotline.services.reporting.production import build_notice
from tests.conftest import FakeClock
from tests.integration.reference.test_unit_contacts import without_head
from tests.integration.reporting.test_indicators import Story
from tests.integration.reporting.test_notices import november

LIXIA_HEAD = "局长李建华 0531-80200201"


@pytest.fixture
def story(hotline: Hotline, actors: dict[str, Actor], clock: FakeClock) -> Story:
    return Story(hotline, actors, clock)


def test_unsatisfied_callbacks_and_problems_name_the_head(story: Story) -> None:
    cases = november(story)
    with story.hotline.db.transaction() as session:  # the ledger's lead unit of the problem
        lead = session.scalars(select(Unit.id).where(Unit.code == "LX-CGJ")).one()
        for problem in session.scalars(select(Problem)):
            problem.lead_unit_id = lead
    notice = build_notice(story.hotline, "daily", "2026-11-25", story.hotline.now())
    [unhappy] = notice.table("unsatisfied").rows
    assert (unhappy["number"], unhappy["unit"], unhappy["head"]) == (
        cases["a3"], "历下区城市管理局", LIXIA_HEAD
    )  # fmt: skip
    [problem] = notice.table("problems").rows
    assert (problem["unit"], problem["head"]) == ("历下区城市管理局", LIXIA_HEAD)


def test_the_supervision_section_names_whom_each_reaches(story: Story) -> None:
    cases = november(story)
    story.at("2026-11-25", "15:00")
    b1 = cases["b1"]  # dispatched to 历下区城市管理局 this morning
    jfl = story.dispatched("LX-JFL")
    supervise_case(
        story.hotline, b1, "urge", "请尽快签收", story.actors["supervisor"], story.clock()
    )
    with without_head(story.hotline, "LX-JFL"):
        supervise_case(story.hotline, jfl, "head", "群众反映强烈", story.actors["supervisor"],
                       story.clock())  # fmt: skip
        story.at("2026-11-25", "18:00")
        table = build_notice(story.hotline, "daily", "2026-11-25", story.hotline.now()).table(
            "supervisions"
        )
    rows = [(r["level"], r["number"], r["unit"], r["head"]) for r in table.rows]
    assert rows == [
        ("督办", cases["a3"], "历下区城市管理局", LIXIA_HEAD),  # the 不满意 callback's
        ("一把手督办", jfl, "历下区解放路街道办事处", NO_HEAD_WARNING),
    ]  # the 催办 is counted, not listed
    assert (table.note or "").startswith("本期发起催办 1 件，督办 1 件，一把手督办 1 件；")
    # a district's cut lists its own supervisions only
    cut = build_notice(story.hotline, "daily", "2026-11-25", story.hotline.now(), district="370103")
    assert cut.table("supervisions").rows == ()


def test_the_monthly_ranking_names_each_districts_bureau_head(story: Story) -> None:
    november(story)
    notice = build_notice(story.hotline, "monthly", "2026-11", story.hotline.now())
    heads = {row["name"]: row["head"] for row in notice.table("ranking").rows}
    assert heads["历下区"] == LIXIA_HEAD and heads["市中区"] == "局长王志刚 0531-80300301"
    assert all(heads.values())  # the demo profile names every bureau's head
