"""A tour of the centre's pages on a generated ledger: what each desk looks like on an ordinary
working morning, with a month of cases behind it, not the one or two cases a test makes.

The ledger is ``bench/generate.py``'s (the same generator the benchmarks use): a month of cases
ending at the test clock's moment, some of them still open on every desk, and the people who
worked them named, as a centre's accounts would be. Each page must show its list filled, no
Latin word and nothing to scroll sideways; its screenshot is one of the README's
(``make screenshots`` copies them into docs/screenshots/).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

import pytest
from bench.generate import Options, generate
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from hotline.adapters.db.models import Case, CaseEvent, Unit
from hotline.domain.roles import SYSTEM
from hotline.services.accounts.users import NewUser, create_user
from hotline.services.context import Hotline
from hotline.services.reference.standard_answers import import_answers, read_answers
from tests.conftest import FakeClock
from tests.e2e.conftest import PASSWORD, Browsing, People, screenshot, settle
from tests.e2e.helpers import log_in, visible_latin
from tests.e2e.layout import horizontal_overflow, tables_cut

CASES = 2000  # a month at about 65 calls a day: every desk has work, the page stays quick
OPEN_FRACTION = 0.12
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛段雷侯龙史陶贺顾毛郝龚邵万严武戴孔汤"  # noqa: E501
GIVEN = (
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
    "霞", "平", "刚", "建华", "晓东", "海燕", "志强", "丽娟", "文博", "雪梅", "国庆", "春生",
    "秀英", "玉兰", "立新", "红梅", "建军", "德胜", "晓丽", "子涵", "浩然", "佳怡", "思远",
)  # fmt: skip
# Accounts that file cases through Open311 on behalf of a channel, named as the centre knows them.
CHANNEL_ACCOUNTS = {"portal": "政府网站", "dcm-platform": "数字城管平台"}
# Latin words citizens use in their complaints, which the pages quote as they were said.
CITIZENS_WORDS = frozenset({"KTV"})
CALLER = {"来电人姓名": "刘女士", "来电人电话": "13905318826"}
ROLE_BY_PREFIX = (
    ("op", "operator"), ("cb", "operator"), ("disp", "dispatcher"), ("insp", "inspector"),
    ("sup", "supervisor"), ("lead", "leader"),
)  # fmt: skip


@dataclass(frozen=True)
class Ledger:
    operator: str  # the operator who registered the most cases: 我登记的工单 is full
    dispatcher: str
    supervisor: str
    handler: str  # of the unit holding the most open cases
    inspector: str
    busiest_open_case: str  # the open case with the longest history, for the case page
    a_recent_call: tuple[str, str]  # content and address of an open case, typed again at intake


def role_of(login: str, unit_codes: set[str]) -> tuple[str, str | None]:
    """The generator's logins say who they are: ``op012``, ``disp03``, ``lx-cgj-h2`` (a handler)."""
    unit, _, number = login.rpartition("-h")
    if number.isdigit() and unit.upper() in unit_codes:
        return "handler", unit.upper()
    for prefix, role in ROLE_BY_PREFIX:
        if login.startswith(prefix) and login[len(prefix) :].isdigit():
            return role, None
    return "operator", None


def name_the_people(hotline: Hotline, now: datetime, with_password: set[str]) -> dict[str, str]:
    """An account with a Chinese name for everyone in the histories, as a centre has them; a
    password only for those the tour logs in as (hashing is deliberately slow), who get an
    account even when the month's histories do not name them. Returns their API tokens."""
    with hotline.db.transaction() as session:
        actors = set(session.scalars(select(CaseEvent.actor).distinct()))
        unit_codes = set(session.scalars(select(Unit.code)))
    rng = random.Random(16)
    tokens: dict[str, str] = {}
    for login in sorted(actors | with_password):
        if login == SYSTEM.name:
            continue
        role, unit = role_of(login, unit_codes)
        name = CHANNEL_ACCOUNTS.get(login) or rng.choice(SURNAMES) + rng.choice(GIVEN)
        password = PASSWORD if login in with_password else None
        token = create_user(hotline, NewUser(login, role, unit, None, name, password), now)
        if password:
            tokens[login] = token
    return tokens


def busiest(hotline: Hotline, *, role_prefix: str) -> str:
    with hotline.db.transaction() as session:
        login = session.scalars(
            select(Case.created_by)
            .where(Case.created_by.startswith(role_prefix))
            .group_by(Case.created_by)
            .order_by(func.count().desc(), Case.created_by)
            .limit(1)
        ).one()
    return login


def busiest_handler(hotline: Hotline) -> str:
    """A handler of the unit that leads the most open cases (logins ``<unit>-h<n>``)."""
    still_open = Case.status.not_in(("closed", "void", "answered_directly"))
    with hotline.db.transaction() as session:
        code = session.scalars(
            select(Unit.code)
            .join(Case, Case.lead_unit_id == Unit.id)
            .where(still_open)
            .group_by(Unit.code)
            .order_by(func.count().desc(), Unit.code)
            .limit(1)
        ).one()
    return f"{code.lower()}-h1"


def open_cases(hotline: Hotline) -> tuple[str, tuple[str, str]]:
    """The open case with the longest history, and the newest open case's words and place."""
    still_open = Case.status.not_in(("closed", "void", "answered_directly"))
    with hotline.db.transaction() as session:
        longest = session.scalars(
            select(Case.number)
            .join(CaseEvent, CaseEvent.case_id == Case.id)
            .where(still_open)
            .group_by(Case.number)
            .order_by(func.count().desc(), Case.number)
            .limit(1)
        ).one()
        newest = session.execute(
            select(Case.content, Case.address)
            .where(still_open, Case.address.is_not(None))
            .order_by(Case.created_at.desc())
            .limit(1)
        ).one()
    first_sentences = newest.content[:120].rpartition("。")[0] or newest.content[:120]
    return longest, (first_sentences + "。", newest.address or "")


def pending_requests(people: People) -> None:
    """A return and an extension request awaiting the dispatcher, filed through the API as units
    file them: the generator decides every request of the month it lives, so its city ends with
    none pending (issue 17 has it to do), and the dispatcher's two tabs would show empty lists."""
    returned = people.create(content="经十路人行道井盖缺失，夜里有人差点踩空")["number"]
    people.to_dispatched(returned, unit="LX-CGJ")
    people.step(returned, "lx-h", "return", reason_code="not_our_duty",
                reason="该工地为市直重点项目，不属区局管辖")  # fmt: skip
    extended = people.create(content="泉城广场附近流动摊贩占道经营，早晚高峰堵塞人行道")["number"]
    people.to_dispatched(extended, unit="LX-CGJ")
    people.step(extended, "lx-h", "accept")
    people.step(extended, "lx-h", "request_extension", extra_working_days=3,
                reason="需协调燃气公司共同开挖，预计还需三个工作日")  # fmt: skip


@pytest.fixture
def ledger(hotline: Hotline, clock: FakeClock, people: People) -> Ledger:
    now = clock.current
    generate(
        Options(
            database_url=hotline.settings.resolved_database_url,
            cases=CASES,
            months=1,
            end=now.astimezone(hotline.settings.tz).date(),
            now=now,
            open_fraction=OPEN_FRACTION,
            workers=1,
            chunk=500,
            progress=False,
        )
    )
    operator = busiest(hotline, role_prefix="op")
    dispatcher, supervisor, inspector = "disp01", "sup01", "insp01"
    handler = busiest_handler(hotline)
    tour = {operator, dispatcher, supervisor, handler, inspector}
    people.tokens.update(name_the_people(hotline, now, tour))  # log_in finds them made
    import_answers(hotline, SYSTEM, read_answers(None), now)
    pending_requests(people)
    longest, call = open_cases(hotline)
    return Ledger(operator, dispatcher, supervisor, handler, inspector, longest, call)


def looks_right(page: Page, name: str, *, rows: bool = True) -> list[str]:
    """The page's screenshot (a README one); what is wrong with it, in words."""
    page.mouse.move(0, 0)  # no row's tooltip over the picture: the pointer left where it clicked
    expect(page.locator(".el-popper.is-dark:visible")).to_have_count(0)
    settle(page)
    wrong = [f"Latin: {word}" for word in visible_latin(page) if word not in CITIZENS_WORDS]
    wrong += [f"sideways: {box}" for box in horizontal_overflow(page)]
    wrong += [f"columns cut: {table}" for table in tables_cut(page)]
    if rows and page.locator(".el-table__row").count() == 0:
        wrong.append("the list is empty")
    screenshot(page, name, key=True)
    return [f"{name}: {problem}" for problem in wrong]


@pytest.mark.timeout(420)
def test_the_centres_pages_on_a_months_ledger(
    browsing: Browsing, people: People, ledger: Ledger
) -> None:
    wrong: list[str] = []
    page = browsing.new_page()
    log_in(page, people, ledger.operator)
    content, address = ledger.a_recent_call
    for label, value in CALLER.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("诉求内容", exact=True).fill(content)
    page.get_by_label("诉求地址", exact=True).fill(address)
    expect(page.get_by_test_id("category-suggestion").first).to_be_visible()
    wrong += looks_right(page, "intake-suggestions", rows=False)
    for where, name in (("/intake/mine", "my-cases"), ("/callbacks", "callback-desk")):
        page.goto(where)
        wrong += looks_right(page, name)
    page.context.close()

    page = browsing.new_page()
    log_in(page, people, ledger.dispatcher)
    for tab, name in (("dispatch", "dispatch-desk"), ("returns", "dispatch-returns"),
                      ("extensions", "dispatch-extensions")):  # fmt: skip
        page.goto(f"/dispatch?tab={tab}")
        wrong += looks_right(page, name)
    page.goto("/cases")
    wrong += looks_right(page, "case-list")
    page.goto(f"/cases/{ledger.busiest_open_case}")
    expect(page.get_by_test_id("case-number")).to_have_text(ledger.busiest_open_case)
    wrong += looks_right(page, "case-page")
    page.context.close()

    for person, where, name in (
        (ledger.supervisor, "/answers", "standard-answers"),
        (ledger.handler, "/unit", "unit-inbox"),
        (ledger.inspector, "/inspect", "inspector-queue"),
    ):
        page = browsing.new_page()
        log_in(page, people, person, at=where)
        wrong += looks_right(page, name)
        page.context.close()
    assert not wrong, f"pages that do not look right: {wrong}"
