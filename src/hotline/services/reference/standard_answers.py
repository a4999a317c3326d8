"""Standard answers (知识库/常用语): texts supervisors keep and operators insert into a direct
answer or a unit into its reply.

Every staff role reads them; supervisors and administrators write them
(``Permission.MANAGE_STANDARD_ANSWERS``). An answer may be tied to a taxonomy node: asked for a
category, the list offers that node's answers first, then those of the nodes above it, then the
general ones (no category). Edits carry the version the editor saw; two supervisors saving one
answer at once — one wins, the other is told. Retired answers are kept (replies quoted them) but
no longer offered unless asked for.

A centre loads its first answers from a YAML file (``hotline answers import``; the Jinan sample
ships with the package) and can export what it keeps to the same format.

Search is a substring match on title and text, every whitespace-separated term required: a
centre keeps hundreds of answers, not millions, so a scan beats an index here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from sqlalchemy import ColumnElement, and_, case, func, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from hotline.adapters.db.models import Category, StandardAnswer, User
from hotline.domain.errors import ConcurrentChange, Conflict, Forbidden, InvalidInput, NotFound
from hotline.domain.roles import Actor, Permission, may
from hotline.services.context import Hotline

MAX_TITLE = 100
MAX_BODY = 4000
MAX_TERMS = 8
StatusFilter = Literal["active", "retired", "all"]


class StandardAnswerChanged(ConcurrentChange):
    """Someone saved the answer since the editor read it (HTTP 412 stale, 409 lost in flight)."""

    title = "标准答复已被他人修改"


@dataclass(frozen=True)
class AnswerText:
    """What a supervisor writes: a short title, the text, the taxonomy node it answers."""

    title: str
    body: str
    category_code: str | None = None


@dataclass(frozen=True)
class AnswerQuery:
    q: str | None = None
    category: str | None = None
    status: StatusFilter = "active"
    limit: int = 50
    offset: int = 0


def _require_writer(actor: Actor) -> None:
    if not may(actor.role, Permission.MANAGE_STANDARD_ANSWERS):
        raise Forbidden(f"角色「{actor.role.value}」不能维护标准答复，请联系督办员")


def _clean(text: AnswerText) -> AnswerText:
    title, body = (text.title or "").strip(), (text.body or "").strip()
    if not title:
        raise InvalidInput("标题不能为空", fields=("title",))
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"标题不能超过 {MAX_TITLE} 个字", fields=("title",))
    if not body:
        raise InvalidInput("答复内容不能为空", fields=("body",))
    if len(body) > MAX_BODY:
        raise InvalidInput(f"答复内容不能超过 {MAX_BODY} 个字", fields=("body",))
    code = (text.category_code or "").strip() or None
    return AnswerText(title, body, code)


def _check_category(session: Session, code: str | None) -> None:
    if code is None:
        return
    category = session.get(Category, code)
    if category is None or not category.active:
        raise InvalidInput(f"没有启用的类别「{code}」", fields=("category_code",))


def create_answer(
    hotline: Hotline, actor: Actor, text: AnswerText, now: datetime
) -> dict[str, Any]:
    """A new active answer at version 1."""
    _require_writer(actor)
    text = _clean(text)
    with hotline.db.transaction() as session:
        _check_category(session, text.category_code)
        answer = _new_answer(session, text, actor, now)
        session.flush()
        return _views(session, [answer])[0]


def _new_answer(session: Session, text: AnswerText, actor: Actor, now: datetime) -> StandardAnswer:
    answer = StandardAnswer(
        title=text.title, body=text.body, category_code=text.category_code, active=True,
        created_by=actor.name, created_at=now, updated_by=actor.name, updated_at=now,
    )  # fmt: skip
    session.add(answer)
    return answer


def _editable(session: Session, answer_id: int, expected_version: int | None) -> StandardAnswer:
    """The answer, locked, at the version the editor saw (None: whatever is current)."""
    answer = session.get(StandardAnswer, answer_id, with_for_update=True)
    if answer is None:
        raise NotFound(f"没有第 {answer_id} 号标准答复")
    if expected_version is not None and answer.version != expected_version:
        raise StandardAnswerChanged(
            f"第 {answer_id} 号标准答复已是第 {answer.version} 版（你看到的是第 "
            f"{expected_version} 版），请刷新后再改"
        )
    return answer


def _saved(session: Session, answer: StandardAnswer) -> dict[str, Any]:
    """Flushes the change; a concurrent save that slipped past the lock loses here."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise StandardAnswerChanged(f"第 {answer.id} 号标准答复刚被他人保存，请刷新后再改") from exc
    return _views(session, [answer])[0]


def update_answer(
    hotline: Hotline,
    actor: Actor,
    answer_id: int,
    text: AnswerText,
    now: datetime,
    expected_version: int | None,
) -> dict[str, Any]:
    """Title, text and category replaced; the version goes up by one."""
    _require_writer(actor)
    text = _clean(text)
    with hotline.db.transaction() as session:
        answer = _editable(session, answer_id, expected_version)
        _check_category(session, text.category_code)
        answer.title, answer.body, answer.category_code = text.title, text.body, text.category_code
        answer.updated_by, answer.updated_at = actor.name, now
        return _saved(session, answer)


def set_retired(
    hotline: Hotline,
    actor: Actor,
    answer_id: int,
    retired: bool,
    now: datetime,
    expected_version: int | None,
) -> dict[str, Any]:
    """Retire an answer (no longer offered) or put a retired one back in use."""
    _require_writer(actor)
    with hotline.db.transaction() as session:
        answer = _editable(session, answer_id, expected_version)
        if answer.active != retired:
            state = "已停用" if retired else "在用"
            raise Conflict(f"第 {answer_id} 号标准答复{state}，无需重复操作")
        answer.active = not retired
        answer.retired_by, answer.retired_at = (actor.name, now) if retired else (None, None)
        answer.updated_by, answer.updated_at = actor.name, now
        return _saved(session, answer)


def get_answer(hotline: Hotline, answer_id: int) -> dict[str, Any]:
    with hotline.db.transaction() as session:
        answer = session.get(StandardAnswer, answer_id)
        if answer is None:
            raise NotFound(f"没有第 {answer_id} 号标准答复")
        return _views(session, [answer])[0]


def _lineage(session: Session, code: str) -> list[str]:
    """The category and the nodes above it, nearest first; an unknown code is refused."""
    rows = session.execute(select(Category.code, Category.parent_code))
    parents = {code: parent for code, parent in rows}
    if code not in parents:
        raise InvalidInput(f"没有类别「{code}」", fields=("category",))
    chain = [code]
    while (parent := parents.get(chain[-1])) is not None and parent not in chain:
        chain.append(parent)
    return chain


def _terms(q: str | None) -> list[str]:
    terms = (q or "").split()
    if len(terms) > MAX_TERMS:
        raise InvalidInput(f"检索词不能超过 {MAX_TERMS} 个", fields=("q",))
    return terms


def _text_match(term: str) -> ColumnElement[bool]:
    needle = term.lower()
    return or_(
        func.lower(StandardAnswer.title).contains(needle, autoescape=True),
        func.lower(StandardAnswer.body).contains(needle, autoescape=True),
    )


def list_answers(hotline: Hotline, query: AnswerQuery) -> dict[str, Any]:
    """Answers matching every search term; with a category, the nearest node's first."""
    conditions: list[ColumnElement[bool]] = [_text_match(term) for term in _terms(query.q)]
    if query.status != "all":
        conditions.append(StandardAnswer.active.is_(query.status == "active"))
    with hotline.db.transaction() as session:
        order: list[Any] = []
        if query.category:
            lineage = _lineage(session, query.category)
            conditions.append(
                or_(
                    StandardAnswer.category_code.in_(lineage),
                    StandardAnswer.category_code.is_(None),
                )
            )
            nearness = {code: rank for rank, code in enumerate(lineage)}
            order.append(case(nearness, value=StandardAnswer.category_code, else_=len(lineage)))
        where = and_(true(), *conditions)
        total = session.scalar(select(func.count()).select_from(StandardAnswer).where(where)) or 0
        stmt = (
            select(StandardAnswer)
            .where(where)
            .order_by(*order, StandardAnswer.title, StandardAnswer.id)
            .limit(query.limit)
            .offset(query.offset)
        )
        items = _views(session, list(session.scalars(stmt)))
    return {"items": items, "total": total, "limit": query.limit, "offset": query.offset}


def _views(session: Session, answers: list[StandardAnswer]) -> list[dict[str, Any]]:
    """Answers as the API shows them, with their category's name and the editor's display name
    (people read 陈思, not a login name): two queries however many answers there are."""
    codes = {a.category_code for a in answers if a.category_code}
    rows = session.execute(select(Category.code, Category.name).where(Category.code.in_(codes)))
    names = {code: name for code, name in rows}
    editors = {a.updated_by for a in answers}
    people = session.execute(select(User.name, User.display_name).where(User.name.in_(editors)))
    shown = {login: display for login, display in people if display}
    return [
        {
            "id": a.id,
            "title": a.title,
            "body": a.body,
            "category_code": a.category_code,
            "category_name": names.get(a.category_code) if a.category_code else None,
            "active": a.active,
            "version": a.version,
            "created_by": a.created_by,
            "created_at": a.created_at,
            "updated_by": a.updated_by,
            "updated_by_name": shown.get(a.updated_by, a.updated_by),
            "updated_at": a.updated_at,
            "retired_by": a.retired_by,
            "retired_at": a.retired_at,
        }
        for a in answers
    ]


FILE_KEY = "standard_answers"
ITEM_KEYS = frozenset({"title", "body", "category"})
SAMPLE = "jinan.yaml"


def _item_of(raw: Any, index: int) -> AnswerText:
    where = f"{FILE_KEY}[{index}]"
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where} 须为含 title、body 的映射", fields=(where,))
    unknown = sorted(set(raw) - ITEM_KEYS)
    if unknown:
        raise InvalidInput(f"{where} 含未知字段：{'、'.join(map(str, unknown))}", fields=(where,))
    values = {key: raw.get(key) for key in ITEM_KEYS}
    for key, value in values.items():
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{where}.{key} 须为文本", fields=(f"{where}.{key}",))
    try:
        return _clean(AnswerText(values["title"] or "", values["body"] or "", values["category"]))
    except InvalidInput as error:
        raise InvalidInput(
            f"{where}：{error.detail}", fields=(f"{where}.{error.fields[0]}",)
        ) from error


def parse_answers(text: str) -> list[AnswerText]:
    """The answers of a YAML document ``{standard_answers: [{title, body, category}, …]}``."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidInput(f"不是有效的 YAML：{error}", fields=(FILE_KEY,)) from error
    items = document.get(FILE_KEY) if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise InvalidInput(f"文件须有列表 {FILE_KEY}", fields=(FILE_KEY,))
    return [_item_of(raw, index) for index, raw in enumerate(items)]


def read_answers(path: Path | None) -> list[AnswerText]:
    """A file's answers; without a path, the sample shipped with the package (济南)."""
    if path is None:
        sample = resources.files("hotline.services.reference").joinpath("samples", SAMPLE)
        return parse_answers(sample.read_text(encoding="utf-8"))
    return parse_answers(path.read_text(encoding="utf-8"))


def _upsert(
    session: Session, existing: dict[tuple[str, str | None], StandardAnswer], text: AnswerText,
    actor: Actor, now: datetime,
) -> str:  # fmt: skip
    """created, updated or unchanged: the answer with this title and category made to say it."""
    known = existing.get((text.title, text.category_code))
    if known is None:
        existing[(text.title, text.category_code)] = _new_answer(session, text, actor, now)
        return "created"
    if known.body == text.body:
        return "unchanged"
    known.body, known.updated_by, known.updated_at = text.body, actor.name, now
    return "updated"


def import_answers(
    hotline: Hotline, actor: Actor, texts: list[AnswerText], now: datetime
) -> dict[str, int]:
    """All or nothing: an answer with the same title and category is updated if its text
    differs, else left alone; the others are created. Nothing is retired."""
    _require_writer(actor)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with hotline.db.transaction() as session:
        rows = session.scalars(select(StandardAnswer).order_by(StandardAnswer.id))
        existing = {(answer.title, answer.category_code): answer for answer in rows}
        for index, text in enumerate(texts):
            where = f"{FILE_KEY}[{index}]"
            try:
                _check_category(session, text.category_code)
            except InvalidInput as error:
                raise InvalidInput(
                    f"{where}：{error.detail}", fields=(f"{where}.category",)
                ) from error
            counts[_upsert(session, existing, text, actor, now)] += 1
        session.flush()
    return counts


def export_answers(hotline: Hotline, path: Path) -> int:
    """Every active answer to a YAML file that ``import_answers`` reads back."""
    with hotline.db.transaction() as session:
        rows = session.scalars(
            select(StandardAnswer)
            .where(StandardAnswer.active.is_(True))
            .order_by(StandardAnswer.category_code, StandardAnswer.title, StandardAnswer.id)
        ).all()
        items = [{"title": a.title, "category": a.category_code, "body": a.body} for a in rows]
    document = yaml.safe_dump({FILE_KEY: items}, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(document, encoding="utf-8")
    return len(items)
