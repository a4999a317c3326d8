"""The taxonomy as data the administrator edits: upsert, list (``GET /api/v1/categories``),
check, import and export in YAML or xlsx (one row per node; lists joined with 、, limits in one
column pair per urgency), so the hotline office can keep it in Excel.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Category
from hotline.domain.errors import InvalidInput
from hotline.profile import CategorySpec, StageLimits
from hotline.services.context import Hotline
from hotline.services.reference.tabular import read_tables, write_tables

URGENCIES = ("normal", "urgent", "emergency")
LEVEL_PARENT = {"type": None, "major": "type", "minor": "major"}
SHEETS = {"categories": "类别"}
LIST_SEPARATOR = "、"
BASE_COLUMNS = ["code", "name", "kind", "level", "parent", "keywords", "routing"]
TAIL_COLUMNS = ["default_unit_kind", "questions", "active"]
LIMIT_COLUMNS = [
    f"{urgency}_{stage}" for urgency in URGENCIES for stage in ("accept_hours", "reply_days")
]
COLUMNS = [*BASE_COLUMNS, *LIMIT_COLUMNS, *TAIL_COLUMNS]


def spec_of(row: Category) -> CategorySpec:
    return CategorySpec(
        code=row.code,
        name=row.name,
        kind=row.kind,
        level=row.level,
        parent=row.parent_code,
        keywords=list(row.keywords or []),
        limits={
            key: StageLimits.model_validate(value) for key, value in (row.limits or {}).items()
        },
        routing=row.routing,
        default_unit_kind=row.default_unit_kind,
        questions=list(row.questions or []),
        active=bool(row.active),
    )


def _apply(row: Category, spec: CategorySpec, *, admin: bool) -> None:
    row.name, row.kind, row.level, row.parent_code = spec.name, spec.kind, spec.level, spec.parent
    row.keywords, row.routing = list(spec.keywords), spec.routing
    row.limits = {key: value.model_dump() for key, value in spec.limits.items()}
    row.default_unit_kind, row.questions = spec.default_unit_kind, list(spec.questions)
    if admin or row.active is None:  # seeding leaves an administrator's deactivation alone
        row.active = spec.active


def upsert_categories(session: Session, specs: list[CategorySpec], *, admin: bool = False) -> int:
    """Insert or update by code; types, then majors, then minors (parents are foreign keys)."""
    rows = {row.code: row for row in session.scalars(select(Category))}
    for spec in sorted(specs, key=lambda s: list(LEVEL_PARENT).index(s.level)):
        row = rows.get(spec.code) or Category(code=spec.code)
        _apply(row, spec, admin=admin)
        rows[spec.code] = row
        session.add(row)
    session.flush()
    return len(specs)


def _node_problems(spec: CategorySpec, nodes: dict[str, CategorySpec]) -> list[str]:
    expected = LEVEL_PARENT[spec.level]
    parent = nodes.get(spec.parent or "")
    if expected is None:
        return [f"{spec.code} 是顶层节点，不能有上级"] if spec.parent else []
    if parent is None:
        return [f"{spec.code} 的上级 {spec.parent} 不存在"]
    problems = []
    if parent.level != expected:
        problems.append(f"{spec.code} 的上级 {parent.code} 须为 {expected} 级")
    if parent.kind != spec.kind:
        problems.append(f"{spec.code} 与上级 {parent.code} 的部件/事件类型不一致")
    return problems


def check_taxonomy(specs: list[CategorySpec], existing: Iterable[CategorySpec] = ()) -> list[str]:
    """Problems with a taxonomy: duplicate codes, missing or wrong parents, mixed kinds."""
    codes = [spec.code for spec in specs]
    problems = [
        f"类别代码重复：{code}" for code in sorted({c for c in codes if codes.count(c) > 1})
    ]
    nodes = {spec.code: spec for spec in existing} | {spec.code: spec for spec in specs}
    for spec in specs:
        problems += _node_problems(spec, nodes)
        unknown = set(spec.limits) - set(URGENCIES)
        if unknown:
            problems.append(f"{spec.code} 的时限含未知紧急程度：{'、'.join(sorted(unknown))}")
    return problems


def category_dict(spec: CategorySpec) -> dict[str, Any]:
    return spec.model_dump(exclude_none=False) | {
        "limits": {key: value.model_dump() for key, value in spec.limits.items()}
    }


def list_categories(
    hotline: Hotline,
    *,
    level: str | None = None,
    kind: str | None = None,
    parent: str | None = None,
    include_inactive: bool = False,
) -> list[dict[str, Any]]:
    """Categories for ``GET /api/v1/categories``, in code order, each with its limits per
    urgency, routing principle, default unit kind and 立案条件 questions."""
    with hotline.db.transaction() as session:
        specs = [spec_of(row) for row in session.scalars(select(Category).order_by(Category.code))]
    return [
        category_dict(spec)
        for spec in specs
        if (include_inactive or spec.active)
        and level in (None, spec.level)
        and kind in (None, spec.kind)
        and parent in (None, spec.parent)
    ]


def _row(spec: CategorySpec) -> dict[str, Any]:
    """One flat spreadsheet row."""
    row: dict[str, Any] = spec.model_dump(include=set(BASE_COLUMNS) | set(TAIL_COLUMNS))
    row["keywords"] = LIST_SEPARATOR.join(spec.keywords) or None
    row["questions"] = LIST_SEPARATOR.join(spec.questions) or None
    for urgency, limits in spec.limits.items():
        row[f"{urgency}_accept_hours"] = limits.accept_working_hours
        row[f"{urgency}_reply_days"] = limits.reply_working_days
    return row


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    return [part.strip() for part in str(value).replace("，", "、").split("、") if part.strip()]


def _limits_of(row: dict[str, Any]) -> dict[str, Any]:
    if isinstance(row.get("limits"), dict):
        return dict(row["limits"])
    limits = {}
    for urgency in URGENCIES:
        accept, reply = row.get(f"{urgency}_accept_hours"), row.get(f"{urgency}_reply_days")
        if accept is not None or reply is not None:
            stage = {"accept_working_hours": accept, "reply_working_days": reply}
            limits[urgency] = {key: value for key, value in stage.items() if value is not None}
    return limits


def _spec_from_row(row: dict[str, Any], number: int) -> CategorySpec:
    data = {key: row.get(key) for key in (*BASE_COLUMNS, *TAIL_COLUMNS) if row.get(key) is not None}
    data |= {"keywords": _split(row.get("keywords")), "questions": _split(row.get("questions"))}
    data |= {"code": str(row.get("code", "")), "limits": _limits_of(row)}
    try:
        return CategorySpec.model_validate(data)
    except ValueError as exc:
        raise InvalidInput(f"类别第 {number} 行有误：{exc}", fields=("file",)) from exc


def read_taxonomy(path: Path) -> list[CategorySpec]:
    rows = read_tables(path, SHEETS)["categories"]
    return [_spec_from_row(row, number) for number, row in enumerate(rows, start=2)]


def import_taxonomy(hotline: Hotline, path: Path) -> dict[str, int]:
    """Check, then upsert every node of the file in one transaction; nothing is deleted (a node
    left out stays, and an administrator retires it with ``active: false``)."""
    specs = read_taxonomy(path)
    with hotline.db.transaction() as session:
        existing = [spec_of(row) for row in session.scalars(select(Category))]
        problems = check_taxonomy(specs, existing)
        if problems:
            raise InvalidInput("类别导入失败：" + "；".join(problems[:10]), fields=("file",))
        return {"categories": upsert_categories(session, specs, admin=True)}


def export_taxonomy(hotline: Hotline, path: Path) -> dict[str, int]:
    with hotline.db.transaction() as session:
        specs = [spec_of(row) for row in session.scalars(select(Category).order_by(Category.code))]
    if path.suffix.lower() == ".xlsx":
        rows = [_row(spec) for spec in specs]
    else:
        rows = [category_dict(spec) for spec in specs]
    write_tables(path, {"categories": rows}, SHEETS, {"categories": COLUMNS})
    return {"categories": len(specs)}
