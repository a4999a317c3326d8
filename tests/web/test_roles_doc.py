"""docs/roles.md carries the role × action table generated from the code, so they never drift.

After changing ROLE_TABLE, rewrite the doc's table with ``python -m tests.web.test_roles_doc``.
"""

from __future__ import annotations

import re
from pathlib import Path

from hotline.domain.lifecycle import ACTION_LABELS, Action
from hotline.domain.roles import ROLE_TABLE, Permission, may

DOC = Path(__file__).resolve().parents[2] / "docs" / "roles.md"
BEGIN = "<!-- role-table:begin -->"
END = "<!-- role-table:end -->"
ROLE_LABELS = {  # by value, so a role added later still renders (by its code)
    "operator": "话务员",
    "dispatcher": "派遣员",
    "handler": "承办人",
    "inspector": "核查员",
    "supervisor": "督办员",
    "leader": "领导",
    "admin": "管理员",
    "partner": "合作平台",
}
PERMISSION_LABELS = {  # by value, so a permission added later still renders (by its code)
    "create_case": "登记工单",
    "read_case": "查看工单（范围内）",
    "reveal_personal_data": "查看来电人信息（记入访问日志）",
    "upload_attachment": "上传附件",
    "manage_users": "用户管理、查看访问日志",
    "supervise": "督办（发起、办结督办单）",
    "respond_supervision": "回复督办",
    "view_classifier_report": "查看分类模型准确率报告",
    "read_reports": "查看通报、报表与热点预警",
    "request_adjustment": "申请考评剔除/申诉",
    "decide_adjustment": "审批考评剔除/申诉（市级）",
    "manage_standard_answers": "维护标准答复（知识库/常用语）",
}


def render_table() -> str:
    roles = list(ROLE_TABLE)
    header = "| 操作 | 代码 | " + " | ".join(
        f"{ROLE_LABELS.get(r.value, r.value)}<br>`{r.value}`" for r in roles
    )
    lines = [header + " |", "|---|---|" + "---|" * len(roles)]
    rows: list[tuple[str, Action | Permission]] = [(ACTION_LABELS[a], a) for a in Action]
    rows += [(PERMISSION_LABELS.get(p.value, p.value), p) for p in Permission]
    for label, what in rows:
        marks = " | ".join("✓" if may(role, what) else "" for role in roles)
        lines.append(f"| {label} | `{what.value}` | {marks} |")
    return "\n".join(lines)


def _table_match(text: str) -> re.Match[str]:
    match = re.search(re.escape(BEGIN) + r"\n?(.*?)\n?" + re.escape(END), text, re.S)
    assert match, f"{DOC} lacks the {BEGIN} … {END} markers"
    return match


def documented_table(text: str) -> str:
    return _table_match(text).group(1)


def test_docs_roles_md_matches_role_table() -> None:
    assert documented_table(DOC.read_text(encoding="utf-8")) == render_table(), (
        "docs/roles.md is out of date: run `python -m tests.web.test_roles_doc`"
    )


def rewrite() -> None:
    text = DOC.read_text(encoding="utf-8")
    match = _table_match(text)
    table = f"{BEGIN}\n{render_table()}\n{END}"
    DOC.write_text(text[: match.start()] + table + text[match.end() :], encoding="utf-8")


if __name__ == "__main__":
    rewrite()
