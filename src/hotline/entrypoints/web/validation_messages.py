"""FastAPI/pydantic validation errors → (field name, Chinese reason) pairs for ``invalid_params``.

Pydantic names a field by its location, e.g. ``("body", "reply", "result_type")`` where ``reply``
is the tag of the action union; people and programs want ``result_type``. The reasons are put
into Chinese from the error type; an unknown type keeps pydantic's English message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

SOURCES = ("body", "query", "path", "header", "cookie")

Reason = Callable[[Mapping[str, Any]], str]

REASONS: dict[str, Reason] = {
    "missing": lambda ctx: "必填",
    "extra_forbidden": lambda ctx: "不允许的字段",
    "string_type": lambda ctx: "须为文本",
    "string_too_short": lambda ctx: f"至少 {ctx.get('min_length')} 个字符",
    "string_too_long": lambda ctx: f"不能超过 {ctx.get('max_length')} 个字符",
    "string_pattern_mismatch": lambda ctx: "格式不符",
    "string_unicode": lambda ctx: "含有无效的 Unicode 字符（不成对的代理字符）",
    "int_parsing": lambda ctx: "须为整数",
    "int_type": lambda ctx: "须为整数",
    "int_from_float": lambda ctx: "须为整数",
    "float_parsing": lambda ctx: "须为数字",
    "float_type": lambda ctx: "须为数字",
    "bool_parsing": lambda ctx: "须为 true 或 false",
    "bool_type": lambda ctx: "须为 true 或 false",
    "greater_than": lambda ctx: f"须大于 {ctx.get('gt')}",
    "greater_than_equal": lambda ctx: f"须不小于 {ctx.get('ge')}",
    "less_than": lambda ctx: f"须小于 {ctx.get('lt')}",
    "less_than_equal": lambda ctx: f"须不大于 {ctx.get('le')}",
    "literal_error": lambda ctx: f"须为 {ctx.get('expected')} 之一",
    "enum": lambda ctx: f"须为 {ctx.get('expected')} 之一",
    "date_parsing": lambda ctx: "须为日期 YYYY-MM-DD",
    "date_from_datetime_parsing": lambda ctx: "须为日期 YYYY-MM-DD",
    "date_type": lambda ctx: "须为日期 YYYY-MM-DD",
    "datetime_parsing": lambda ctx: "须为 ISO 8601 时间",
    "datetime_from_date_parsing": lambda ctx: "须为 ISO 8601 时间",
    "datetime_type": lambda ctx: "须为 ISO 8601 时间",
    "date_out_of_span": lambda ctx: f"须在 {ctx.get('first')} 至 {ctx.get('last')} 之间",
    "list_type": lambda ctx: "须为列表",
    "dict_type": lambda ctx: "须为 JSON 对象",
    "model_attributes_type": lambda ctx: "须为 JSON 对象",
    "json_invalid": lambda ctx: "请求体不是合法的 JSON",
    "union_tag_invalid": lambda ctx: f"未知的操作，可选：{ctx.get('expected_tags')}",
    "union_tag_not_found": lambda ctx: "缺少 action 字段",
}


def _field_name(loc: Sequence[Any], error_type: str, body: Any) -> str:
    parts = list(loc)
    if parts and parts[0] in SOURCES:
        source = parts.pop(0)
        if source == "body" and error_type == "json_invalid":
            return "body"
    # A discriminated union puts the tag value into the location; drop it.
    if parts and isinstance(body, dict) and parts[0] == body.get("action") and len(parts) > 1:
        parts.pop(0)
    if error_type.startswith("union_tag"):
        return "action"
    return ".".join(str(part) for part in parts) or "body"


def _reason(error: Mapping[str, Any]) -> str:
    explain = REASONS.get(str(error.get("type")))
    if explain is None:
        return f"格式有误（{error.get('msg', '')}）"
    return explain(error.get("ctx") or {})


def invalid_params_of(errors: Sequence[Any], body: Any) -> list[tuple[str, str]]:
    """One (name, reason) per invalid field, in the order pydantic reported them."""
    return [
        (_field_name(error.get("loc", ()), str(error.get("type", "")), body), _reason(error))
        for error in errors
    ]
