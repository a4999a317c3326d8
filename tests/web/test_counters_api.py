"""A live inbox: GET /api/v1/me/counters for a handler's unit and an inspector's queue, and the
working periods a page counts the time left with (GET /api/v1/calendar/periods)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from hotline.services.accounts.users import NewUser, create_user
from hotline.services.context import Hotline
from tests.conftest import FakeClock
from tests.web.conftest import Api, assert_problem, invalid_names

COUNTS = ("inbox", "new_cases", "awaiting_accept", "co_pending", "warning", "overdue")


def _counters(api: Api, user: str, since: datetime | str | None = None) -> httpx.Response:
    params = (
        {}
        if since is None
        else {"since": str(since if isinstance(since, str) else since.isoformat())}
    )
    return api.request("GET", "/api/v1/me/counters", user, params=params)


def _counts(api: Api, user: str, since: datetime | str | None = None) -> dict[str, Any]:
    response = _counters(api, user, since)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _dispatched(api: Api, **fields: Any) -> str:
    number: str = api.create()["number"]
    api.to_dispatched(number, **fields)
    return number


def test_a_units_new_cases_deadlines_and_supervisions(api: Api, clock: FakeClock) -> None:
    first = _dispatched(api)
    clock.advance(minutes=5)
    looked = clock.current  # the handler opens the inbox here
    clock.advance(minutes=5)
    second = _dispatched(api)
    body = _counts(api, "lx-h", looked)
    assert (body["unit"], body["unit_name"]) == ("LX-CGJ", body["unit_name"])
    assert {key: body[key] for key in COUNTS} == {
        "inbox": 2,
        "new_cases": 1,  # only the second came after the handler looked
        "awaiting_accept": 2,
        "co_pending": 0,
        "warning": 0,
        "overdue": 0,
    }
    assert body["since"] == looked.isoformat() and body["as_of"] == clock.current.isoformat()
    assert _counts(api, "lx-h")["new_cases"] == 2  # no since: everything is new
    assert body["to_verify"] is None

    api.step(first, "lx-h", "accept")
    # E0301 (夜间施工噪音) is accepted within 1 working hour; the warning line is at 75 %.
    clock.advance(minutes=50)
    warned = _counts(api, "lx-h", looked)
    assert (warned["awaiting_accept"], warned["warning"], warned["overdue"]) == (1, 1, 0)
    clock.advance(minutes=15)
    late = _counts(api, "lx-h", looked)
    assert (late["warning"], late["overdue"]) == (0, 1)

    opened = api.request(
        "POST",
        "/api/v1/supervisions",
        "sup",
        json={"case": second, "level": "urge", "reason": "催办"},
    )
    assert opened.status_code == 201, opened.text
    supervised = _counts(api, "lx-h", looked)
    assert (supervised["supervisions_open"], supervised["new_supervisions"]) == (1, 1)
    assert _counts(api, "qcl-h")["inbox"] == 0  # another unit sees none of it
    assert _counts(api, "qcl-h")["supervisions_open"] == 0


def test_a_co_unit_counts_the_opinions_it_owes(api: Api) -> None:
    number = _dispatched(api, unit="LX-CGJ", co_units=["LX-JFL"])
    body = _counts(api, "jfl-h")
    assert (body["inbox"], body["co_pending"], body["awaiting_accept"]) == (1, 1, 0)
    assert (body["warning"], body["overdue"]) == (0, 0)  # the lead's deadline, not the co-unit's
    api.step(number, "jfl-h", "co_opinion", opinion="同意主办单位意见")
    assert _counts(api, "jfl-h")["inbox"] == 0


def test_a_replied_case_leaves_the_inbox_and_an_inspector_sees_it(api: Api) -> None:
    number: str = api.create(channel="patrol", caller_name=None, caller_phone=None)["number"]
    api.to_accepted(number)
    assert _counts(api, "insp")["to_verify"] == 0
    api.step(number, "lx-h", "reply", result_type="solved", reply_text="已处理")
    assert _counts(api, "lx-h")["inbox"] == 0
    body = _counts(api, "insp")
    assert (body["to_verify"], body["new_to_verify"], body["inbox"]) == (1, 1, None)
    # Inspectors bound to a district see its queue only: 历下区's has the case, 市中区's not.
    for name, district, expected in (("lx-insp", "370102", 1), ("sz-insp", "370103", 0)):
        token = create_user(
            api.hotline, NewUser(name, "inspector", None, district), api.hotline.now()
        )
        headers = {"Authorization": f"Bearer {token}"}
        answer = api.client.get("/api/v1/me/counters", headers=headers)
        assert answer.status_code == 200 and answer.json()["to_verify"] == expected, name


def test_other_desks_and_bad_times_are_refused(api: Api) -> None:
    assert_problem(_counters(api, "disp"), 403, "forbidden")
    assert invalid_names(_counters(api, "lx-h", "yesterday")) == {"since"}
    assert invalid_names(_counters(api, "lx-h", "1999-01-01T00:00:00+08:00")) == {"since"}
    assert_problem(api.client.get("/api/v1/me/counters"), 401)


def test_a_time_without_offset_is_local(api: Api, clock: FakeClock) -> None:
    _dispatched(api)
    local = clock.current.astimezone(api.hotline.settings.tz).replace(tzinfo=None)
    assert _counts(api, "lx-h", local.isoformat())["new_cases"] == 0


@pytest.mark.parametrize("query", ["unit", "supervision"])
def test_the_poll_reads_the_inbox_indexes(api: Api, query: str) -> None:
    """SQLite's plan for each count names the partial index of migration 0020 (PostgreSQL picks
    it once a unit's table is large: docs/benchmarks.md)."""
    with api.hotline.db.transaction() as session:
        if session.bind is None or session.bind.dialect.name != "sqlite":
            pytest.skip("the plan of a tiny PostgreSQL table is a sequential scan")
        sql = {
            "unit": "SELECT count(*) FROM case_assignments WHERE unit_id = 1 "
            "AND status IN ('pending', 'accepted')",
            "supervision": "SELECT count(*) FROM supervisions WHERE target_unit_id = 1 "
            "AND status = 'open'",
        }[query]
        plan = " ".join(str(row[-1]) for row in session.execute(text("EXPLAIN QUERY PLAN " + sql)))
    index = {"unit": "ix_case_assignments_unit_active", "supervision": "ix_supervisions_unit_open"}
    assert index[query] in plan, plan


def test_working_periods_for_the_browser(api: Api) -> None:
    # National Day 2026: 10-01..07 off; Saturday 10-10 a make-up workday (调休), Sunday 10-11 off.
    response = api.request(
        "GET", "/api/v1/calendar/periods", "lx-h", params={"from": "2026-09-30", "to": "2026-10-12"}
    )
    assert response.status_code == 200, response.text
    days = sorted({item["start"][:10] for item in response.json()["items"]})
    assert days == ["2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10", "2026-10-12"]
    first = response.json()["items"][0]
    assert first["start"].endswith("+08:00") and first["start"] < first["end"]
    too_long = {"from": "2026-01-01", "to": "2026-12-31"}
    assert invalid_names(
        api.request("GET", "/api/v1/calendar/periods", "lx-h", params=too_long)
    ) == {"to"}
    backwards = {"from": "2026-10-02", "to": "2026-10-01"}
    assert invalid_names(
        api.request("GET", "/api/v1/calendar/periods", "lx-h", params=backwards)
    ) == {"to"}


def test_polling_does_not_keep_an_unattended_browser_logged_in(
    api: Api, hotline: Hotline, clock: FakeClock
) -> None:
    """The phone page polls every 30 s; its user walked away. The idle timeout still ends the
    session, as it would had the page made no requests at all."""
    create_user(
        hotline, NewUser("lx-phone", "handler", "LX-CGJ", password="口令-长一些-123"), clock.current
    )
    login = api.client.post(
        "/api/v1/auth/session", json={"name": "lx-phone", "password": "口令-长一些-123"}
    )
    assert login.status_code == 200, login.text
    idle = hotline.settings.session_idle_minutes
    for _ in range(idle * 2 - 1):
        clock.advance(seconds=30)
        assert api.client.get("/api/v1/me/counters").status_code == 200
    clock.advance(seconds=30)
    assert_problem(api.client.get("/api/v1/me/counters"), 401, "session_expired")
    assert_problem(api.client.get("/api/v1/cases"), 401, "session_expired")
