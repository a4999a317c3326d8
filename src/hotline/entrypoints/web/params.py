"""Path and query parameters shared by the routes.

Ids and pages reach the database as integers, bounded by what it holds: the keys are INTEGER
columns (32-bit on PostgreSQL), a larger number names nothing and would fail in the driver (a
500), so it is refused by name with a 422 before any query runs. The examples (the first case of
a day, the first record) fill Swagger UI's forms and let the schema tests reach a real case.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ID = 2_147_483_647
MAX_PAGE = 100_000  # × at most 500 a page: far past any list, far inside an SQL OFFSET

RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="记录编号", examples=[1])]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description="页码，从 1 起")]
CaseNumber = Annotated[
    str, Path(description="工单编号：登记日期与当日序号", examples=["20261124-000001"])
]
