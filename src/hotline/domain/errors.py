"""Domain errors: each carries a stable machine ``code`` and a Chinese message for people."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal the domain or a service gives; nothing was changed."""

    code = "domain_error"
    title = "操作被拒绝"

    def __init__(self, detail: str, *, fields: tuple[str, ...] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fields = fields


class IllegalTransition(DomainError):
    """The action is not allowed in the case's current state (HTTP 409)."""

    code = "illegal_transition"
    title = "当前状态不允许该操作"


class InvalidInput(DomainError):
    """A field is missing or invalid (HTTP 422); ``fields`` names them."""

    code = "invalid_input"
    title = "输入有误"


class NotFound(DomainError):
    """The thing asked for does not exist, or is out of the caller's scope (HTTP 404)."""

    code = "not_found"
    title = "未找到"


class ConcurrentChange(DomainError):
    """Someone else changed the case first (HTTP 409, or 412 with If-Match)."""

    code = "concurrent_change"
    title = "工单已被他人修改"


class Forbidden(DomainError):
    """The role may not take this action (HTTP 403)."""

    code = "forbidden"
    title = "无权执行该操作"


class Conflict(DomainError):
    """A uniqueness or in-flight conflict (HTTP 409)."""

    code = "conflict"
    title = "冲突"
