"""The service catalog: GET services and GET services/{service_code}.

Mapping (docs/open311.md): service_code = a taxonomy 小类 code, service_name its name, group the
name of its 大类, keywords its keywords, description the path and the promised time limit; the
service definition's attributes are the 小类's 立案条件 questions, in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.adapters.db.models import Category
from hotline.domain.errors import NotFound
from hotline.services.actions.deadlines import EMERGENCY_ACCEPT, EMERGENCY_REPLY, limits_for
from hotline.services.context import Hotline

KIND_NAMES = {"event": "事件", "facility": "部件"}
ATTRIBUTE_PREFIX = "Q"  # attribute codes Q1, Q2 … follow the order of the questions


@dataclass(frozen=True)
class Attribute:
    code: str
    description: str
    order: int
    datatype: str = "text"
    required: bool = False
    variable: bool = True
    values: tuple[tuple[str, str], ...] = ()


def _number(value: float) -> str:
    return f"{value:g}"


def promised_limit(hotline: Hotline, category: Category | None, urgency: str = "normal") -> str:
    """The time limit the hotline promises for a category and urgency (service_notice)."""
    if urgency == "emergency":
        accept = int(EMERGENCY_ACCEPT.total_seconds() // 60)
        reply = _number(EMERGENCY_REPLY.total_seconds() / 3600)
        return f"紧急诉求：{accept} 分钟内签收，{reply} 小时内答复"
    limits = limits_for(hotline, category, urgency)
    return (
        f"{_number(limits.accept_working_hours)} 个工作小时内签收，"
        f"{_number(limits.reply_working_days)} 个工作日内答复"
    )


def attributes_of(category: Category) -> list[Attribute]:
    """One free-text attribute per 立案条件 question; none is required, because a partner's
    citizen may not know the answer and the operator asks again when registering."""
    return [
        Attribute(code=f"{ATTRIBUTE_PREFIX}{index}", description=str(question), order=index)
        for index, question in enumerate(category.questions or [], start=1)
    ]


def load_categories(session: Session) -> dict[str, Category]:
    return {row.code: row for row in session.scalars(select(Category))}


def public_minor(categories: dict[str, Category], code: str) -> Category:
    """The active 小类 with this code; anything else is not a service (404)."""
    category = categories.get(code)
    if category is None or category.level != "minor" or not category.active:
        raise NotFound(f"service_code {code} not found（未知的服务代码）")
    return category


def group_of(categories: dict[str, Category], category: Category) -> str | None:
    parent = categories.get(category.parent_code or "")
    return parent.name if parent is not None else None


def _path(categories: dict[str, Category], category: Category) -> str:
    names = [KIND_NAMES.get(category.kind, category.kind), group_of(categories, category)]
    return " > ".join(name for name in [*names, category.name] if name)


def _service(hotline: Hotline, categories: dict[str, Category], row: Category) -> dict[str, Any]:
    return {
        "service_code": row.code,
        "service_name": row.name,
        "description": f"{_path(categories, row)}。{promised_limit(hotline, row)}",
        "metadata": bool(row.questions),
        "type": "realtime",
        "keywords": ", ".join(str(word) for word in row.keywords or []),
        "group": group_of(categories, row),
    }


def list_services(hotline: Hotline) -> list[dict[str, Any]]:
    """Every active 小类, in code order."""
    with hotline.db.transaction() as session:
        categories = load_categories(session)
        minors = sorted(
            (row for row in categories.values() if row.level == "minor" and row.active),
            key=lambda row: row.code,
        )
        return [_service(hotline, categories, row) for row in minors]


def _attribute_view(attribute: Attribute) -> dict[str, Any]:
    return {
        "variable": attribute.variable,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": None,
        "order": attribute.order,
        "description": attribute.description,
        "values": [{"key": key, "name": name} for key, name in attribute.values],
    }


def service_definition(hotline: Hotline, code: str) -> dict[str, Any]:
    with hotline.db.transaction() as session:
        category = public_minor(load_categories(session), code)
        return {
            "service_code": category.code,
            "attributes": [_attribute_view(a) for a in attributes_of(category)],
        }
