"""GET /api/v1/reports/{daily,weekly,monthly} and /api/v1/hotspots on the real app, real tokens."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from tests.conftest import FakeClock
from tests.web.conftest import Api, assert_problem, invalid_names

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _intake(api: Api, clock: FakeClock) -> str:
    number: str = api.create()["number"]
    api.to_accepted(number)
    clock.advance(hours=1)
    return number


def test_daily_notice_as_html_and_xlsx(api: Api, clock: FakeClock) -> None:
    _intake(api, clock)
    day = clock().astimezone(api.hotline.settings.tz).date().isoformat()
    html = api.request("GET", "/api/v1/reports/daily", "lead", params={"date": day})
    assert html.status_code == 200, html.text
    assert html.headers["content-type"].startswith("text/html")
    assert html.headers["content-disposition"] == f'inline; filename="daily-{day}.html"'
    assert "<svg" in html.text and "<script" not in html.text and "历下区" in html.text
    xlsx = api.request("GET", "/api/v1/reports/daily", "sup",
                       params={"date": day, "format": "xlsx"})  # fmt: skip
    assert xlsx.status_code == 200 and xlsx.headers["content-type"] == XLSX
    assert xlsx.headers["content-disposition"].startswith("attachment;")
    sheet = load_workbook(BytesIO(xlsx.content))["各区县办理情况"]
    assert [c.value for c in sheet[3]][:2] == ["历下区", 1]


def test_weekly_and_monthly(api: Api, clock: FakeClock) -> None:
    _intake(api, clock)
    weekly = api.request("GET", "/api/v1/reports/weekly", "disp", params={"week": "2026-W48"})
    assert weekly.status_code == 200 and "周汇报" in weekly.text
    monthly = api.request("GET", "/api/v1/reports/monthly", "adm",
                          params={"month": "2026-11", "format": "xlsx"})  # fmt: skip
    assert monthly.status_code == 200, monthly.text
    assert "考评排名" in load_workbook(BytesIO(monthly.content)).sheetnames


def test_bad_keys_and_formats_are_422_problems(api: Api) -> None:
    bad_month = api.request("GET", "/api/v1/reports/monthly", "lead", params={"month": "2026-13"})
    assert "2026-13" in assert_problem(bad_month, 422)["detail"]
    bad_week = api.request("GET", "/api/v1/reports/weekly", "lead", params={"week": "2026-W60"})
    assert "2026-W60" in assert_problem(bad_week, 422)["detail"]
    bad_format = api.request("GET", "/api/v1/reports/daily", "lead",
                             params={"date": "2026-11-25", "format": "pdf"})  # fmt: skip
    assert "format" in invalid_names(bad_format)
    missing = api.request("GET", "/api/v1/reports/daily", "lead")
    assert "date" in invalid_names(missing)


def test_only_report_readers(api: Api) -> None:
    for user in ("op", "lx-h", "insp"):
        response = api.request("GET", "/api/v1/reports/daily", user, params={"date": "2026-11-25"})
        assert_problem(response, 403)
        assert_problem(api.request("GET", "/api/v1/hotspots", user,
                                   params={"date": "2026-11-25"}), 403)  # fmt: skip
    assert_problem(api.request("GET", "/api/v1/hotspots", None, params={"date": "2026-11-25"}), 401)


def test_hotspots(api: Api) -> None:
    response = api.request("GET", "/api/v1/hotspots", "lead", params={"date": "2026-11-25"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["date"] == "2026-11-25" and body["hotspots"] == [] and body["count"] == 0
    assert body["params"]["baseline_days"] == 84
    bad = api.request("GET", "/api/v1/hotspots", "lead", params={"date": "2026-02-30"})
    assert "date" in invalid_names(bad)


def test_a_notice_for_any_span_of_days(api: Api, clock: FakeClock) -> None:
    _intake(api, clock)
    params = {"from": "2026-01-01", "to": "2026-11-30", "format": "xlsx"}
    span = api.request("GET", "/api/v1/reports/period", "lead", params=params)
    assert span.status_code == 200, span.text
    assert 'filename="period-2026-01-01--2026-11-30.xlsx"' in span.headers["content-disposition"]
    assert "梳理通报" in str(load_workbook(BytesIO(span.content))["概况"]["A1"].value)
    reversed_span = api.request("GET", "/api/v1/reports/period", "lead",
                                params={"from": "2026-11-30", "to": "2026-11-01"})  # fmt: skip
    assert "结束日期不能早于开始日期" in assert_problem(reversed_span, 422)["detail"]
    assert_problem(api.request("GET", "/api/v1/reports/period", "op", params=params), 403)
