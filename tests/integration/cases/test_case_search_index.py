"""The case text-search index is kept on every write path: each test writes cases one way and
checks that the stored terms equal a recomputation from the cases' text (and, on SQLite, that
the FTS5 table agrees), and that the list's search then finds them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from hotline.adapters.db.bulk import insert_rows, insert_rows_returning_ids
from hotline.adapters.db.case_search import refresh_case_terms, stored_terms
from hotline.adapters.db.migrate import upgrade
from hotline.adapters.db.models import Case
from hotline.domain.roles import Actor, Role
from hotline.domain.search_terms import case_tokens
from hotline.services.cases.intake import NewCase, create_case
from hotline.services.cases.lists import CaseListQuery, list_cases
from hotline.services.cases.search_index import check_search_index, rebuild_search_index
from hotline.services.context import Hotline
from tests.open311.conftest import (  # noqa: F401 (fixtures)
    Open311Client,
    make_client,
    o311,
    open311_settings,
    partner_key,
)

NOISE = "小区门口烧烤摊噪音扰民，占道经营，凌晨两点还在营业"


def _found(hotline: Hotline, actor: Actor, q: str) -> list[str]:
    page = list_cases(hotline, actor, CaseListQuery(q=q), hotline.now())
    return [item["number"] for item in page["items"]]


def _assert_index_agrees(hotline: Hotline) -> None:
    check = check_search_index(hotline)
    assert check.stale_case_ids == [] and check.fts_intact


def _case_row(number: str, content: str, now: datetime) -> dict[str, Any]:
    return {
        "number": number,
        "status": "received",
        "version": 1,
        "channel_code": "12345",
        "content": content,
        "address": "历下区泉城路 188 号",
        "urgency": "normal",
        "anonymous": True,
        "confidential": False,
        "callback_attempts": 0,
        "reopen_count": 0,
        "extension_count": 0,
        "supervised": False,
        "received_on": now.date(),
        "created_at": now,
        "updated_at": now,
        "created_by": "loader",
    }


def test_intake_writes_the_terms_with_the_case(hotline: Hotline, actors: dict[str, Actor]) -> None:
    now = hotline.now()
    number = create_case(
        hotline, NewCase(channel="12345", content=NOISE, address="历下区经十路 123号院"),
        actors["operator"], now,
    )  # fmt: skip
    _assert_index_agrees(hotline)
    with hotline.db.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        stored = session.scalar(select(Case.search_terms).where(Case.id == case.id))
        dialect = session.get_bind().dialect.name
        tokens = case_tokens(case.number, case.title, case.content, case.address)
        assert "烧烤" in tokens and "123" in tokens
        if dialect == "sqlite":
            assert stored == stored_terms(dialect, tokens)
        else:  # PostgreSQL's own text of the tsvector: the same lexemes and positions
            assert stored is not None and "'烧烤':" in stored and "'123':" in stored
    for q in ("烧烤", "占道经营", "经十路", "123号院", number):
        assert _found(hotline, actors["dispatcher"], q) == [number], q


def test_open311_filing_writes_the_terms(
    o311: Open311Client,  # noqa: F811
    partner_key: str,  # noqa: F811
    actors: dict[str, Actor],
) -> None:
    number = o311.filed_number(partner_key, description="井盖缺失，车辆经过很危险")
    _assert_index_agrees(o311.hotline)
    assert _found(o311.hotline, actors["dispatcher"], "井盖") == [number]


def test_bulk_loads_write_the_terms(hotline: Hotline, actors: dict[str, Actor]) -> None:
    now = hotline.now()
    with hotline.db.transaction() as session:
        insert_rows(session, Case, [_case_row("20261124-900001", "路灯不亮", now)])
        ids = insert_rows_returning_ids(
            session, Case, [_case_row("20261124-900002", "井盖破损", now)]
        )
    assert len(ids) == 1
    _assert_index_agrees(hotline)
    assert _found(hotline, actors["dispatcher"], "路灯") == ["20261124-900001"]
    assert _found(hotline, actors["dispatcher"], "井盖") == ["20261124-900002"]


def test_a_change_of_text_is_followed_by_refresh(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    number = create_case(hotline, NewCase(channel="12345", content=NOISE), actors["operator"],
                         hotline.now())  # fmt: skip
    with hotline.db.transaction() as session:
        session.execute(update(Case).where(Case.number == number).values(content="井盖缺失"))
    assert check_search_index(hotline).stale_case_ids != []  # the check sees a stale row
    with hotline.db.transaction() as session:
        case_id = session.scalars(select(Case.id).where(Case.number == number)).one()
        refresh_case_terms(session, [case_id])
    _assert_index_agrees(hotline)
    assert _found(hotline, actors["dispatcher"], "井盖") == [number]
    assert _found(hotline, actors["dispatcher"], "烧烤") == []


def test_rebuild_restores_what_bypassed_the_write_paths(
    hotline: Hotline, actors: dict[str, Actor]
) -> None:
    numbers = [
        create_case(hotline, NewCase(channel="12345", content=f"{NOISE}{n}"), actors["operator"],
                    hotline.now())
        for n in range(5)
    ]  # fmt: skip
    with hotline.db.transaction() as session:
        session.execute(update(Case).values(search_terms=None))
    assert len(check_search_index(hotline).stale_case_ids) == 5
    assert _found(hotline, actors["dispatcher"], "烧烤") == []
    done: list[int] = []
    assert rebuild_search_index(hotline, batch_size=2, progress=done.append) == 5
    assert done == [2, 4, 5]
    _assert_index_agrees(hotline)
    assert _found(hotline, actors["dispatcher"], "烧烤") == list(reversed(numbers))


def test_a_deleted_case_takes_its_terms_with_it(hotline: Hotline) -> None:
    with hotline.db.transaction() as session:  # a loaded case without history may go
        (case_id,) = insert_rows_returning_ids(
            session, Case, [_case_row("20261124-900003", "井盖破损", hotline.now())]
        )
    assert _found(hotline, Actor("disp", Role.DISPATCHER), "井盖") == ["20261124-900003"]
    with hotline.db.transaction() as session:
        session.execute(delete(Case).where(Case.id == case_id))
    _assert_index_agrees(hotline)  # on SQLite: the FTS5 table let go of it too
    assert _found(hotline, Actor("disp", Role.DISPATCHER), "井盖") == []


def test_the_migration_backfills_existing_cases(tmp_path: Any) -> None:
    path = tmp_path / "backfill.sqlite3"
    upgrade(f"sqlite:///{path}", "0016")
    row = _case_row("20261124-000001", "井盖缺失", datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    with sqlite3.connect(path) as raw:  # foreign keys off: a case row alone is enough here
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        values = [str(v) if isinstance(v, datetime | date) else v for v in row.values()]
        raw.execute(f"INSERT INTO cases ({names}) VALUES ({marks})", values)
    upgrade(f"sqlite:///{path}")
    with sqlite3.connect(path) as raw:
        query = "SELECT rowid FROM case_search_fts WHERE case_search_fts MATCH '\"井盖\"'"
        assert raw.execute(query).fetchall() == [(1,)]


@pytest.mark.parametrize("q", ["烧", "，"])
def test_unsearchable_terms_are_refused(hotline: Hotline, actors: dict[str, Actor], q: str) -> None:
    from hotline.domain.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        list_cases(hotline, actors["dispatcher"], CaseListQuery(q=q), hotline.now())
    assert refused.value.fields == ("q",)
