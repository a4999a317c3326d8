"""case_intake_cells (migration 0014) always equals a recount of the live cases, whatever path
wrote them: the intake service, actions that void or reclassify, the locator's street update,
a bulk SQL update and a delete. Checked on SQLite and PostgreSQL (the triggers differ)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from hotline.adapters.db.intake_cells import rebuild_intake_cells
from hotline.adapters.db.models import Case, CaseEvent, CaseIntakeCell
from hotline.domain.lifecycle import Action
from hotline.domain.roles import Actor
from hotline.services.context import Hotline
from tests.conftest import FakeClock
from tests.integration.helpers import act, new_case

QCL, JFL = "370102004", "370102001"  # 泉城路街道, 解放路街道


def kept(session: Session) -> Counter[tuple[date, str, str]]:
    rows = session.execute(
        select(CaseIntakeCell.received_on, CaseIntakeCell.street_code,
               CaseIntakeCell.category_code, CaseIntakeCell.n)
    )  # fmt: skip
    return Counter({(on, street, category): n for on, street, category, n in rows if n})


def recounted(session: Session) -> Counter[tuple[date, str, str]]:
    street = func.coalesce(Case.street_code, "")
    category = func.coalesce(Case.category_code, "")
    rows = session.execute(
        select(Case.received_on, street, category, func.count())
        .where(Case.status != "void")
        .group_by(Case.received_on, street, category)
    )
    return Counter({(on, s, c): n for on, s, c, n in rows})


def test_the_cells_follow_every_write_path(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    operator = actors["operator"]
    numbers = [new_case(hotline, operator, category_code="E0301") for _ in range(4)]
    unknown = new_case(hotline, operator)  # no category yet: counted under ''
    with hotline.db.transaction() as session:  # what the locator step writes
        session.execute(update(Case).where(Case.number.in_(numbers[:3])).values(street_code=QCL))
        session.execute(update(Case).where(Case.number == numbers[3]).values(street_code=JFL))
    act(hotline, numbers[0], Action.VOID, operator, "误拨")
    act(hotline, numbers[1], Action.REGISTER, operator, category_code="E0401")
    act(hotline, unknown, Action.REGISTER, operator, category_code="E0601")
    with hotline.db.transaction() as session:
        assert kept(session) == recounted(session)
        today = session.scalar(select(Case.received_on).where(Case.number == numbers[2]))
        assert today is not None
        assert kept(session)[today, QCL, "E0301"] == 1  # numbers[0] voided, [1] moved
        assert kept(session)[today, QCL, "E0401"] == 1
        session.execute(  # a bulk correction of the received day, outside the services
            update(Case).where(Case.number.in_(numbers[2:])).values(received_on=date(2026, 11, 2))
        )
    with hotline.db.transaction() as session:
        assert kept(session) == recounted(session)
        assert kept(session)[date(2026, 11, 2), JFL, "E0301"] == 1


def test_a_deleted_case_leaves_its_cell(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    number = new_case(hotline, actors["operator"], category_code="E0301")
    with hotline.db.transaction() as session:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        before = sum(kept(session).values())
        _delete_case(session, case_id)
    with hotline.db.transaction() as session:
        assert sum(kept(session).values()) == before - 1
        assert kept(session) == recounted(session)


def test_a_rebuild_recounts_the_same_cells(
    hotline: Hotline, actors: dict[str, Actor], clock: FakeClock
) -> None:
    for category in ("E0301", "E0301", "E0401"):
        new_case(hotline, actors["operator"], category_code=category)
    with hotline.db.transaction() as session:
        before = kept(session)
        rebuild_intake_cells(session)
    with hotline.db.transaction() as session:
        assert kept(session) == before == recounted(session)


def _delete_case(session: Session, case_id: int | None) -> None:
    """History is append-only (its triggers refuse deletes), so a case is removed the way a
    database administrator would: with those triggers set aside for this transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
        session.execute(delete(CaseEvent).where(CaseEvent.case_id == case_id))
        session.execute(text("SET LOCAL session_replication_role = origin"))
    else:
        session.execute(text("DROP TRIGGER case_events_no_delete"))
        session.execute(delete(CaseEvent).where(CaseEvent.case_id == case_id))
    session.execute(delete(Case).where(Case.id == case_id))
