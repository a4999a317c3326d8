"""Open311 settings (environment prefix ``HOTLINE_OPEN311_``), read once where the interface is
built. They live apart from :class:`hotline.config.Settings` so the public interface can be tuned
(which steps are public, limits, discovery texts) without touching the core settings."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# History steps a citizen may see. Returns, sub-dispatches, callbacks (satisfaction answers),
# supervision and SLA events stay internal: they name staff decisions, not progress.
DEFAULT_PUBLIC_STEPS = (
    "receive",
    "register",
    "dispatch",
    "accept",
    "approve_extension",
    "reply",
    "verify",
    "reopen",
    "close",
    "answer_directly",
    "void",
    "partner_update",
)


class Open311Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_OPEN311_", extra="ignore")

    jurisdiction_id: str | None = Field(
        default=None, description="when set, a different jurisdiction_id is 404; unset: ignored"
    )
    endpoint_type: Literal["production", "test"] = "production"
    changeset: str = Field(
        default="2026-01-01T00:00:00+08:00",
        description="discovery changeset: bump it when services or definitions change",
    )
    contact: str = "济南市城市管理热线 12319，工作日 9:00–17:30"
    key_service: str = "合作平台的 api_key 由热线中心管理员签发（hotline apikey create）"
    base_url: str | None = Field(
        default=None, description="public URL of /open311/v2 behind a proxy; unset: from request"
    )
    default_channel: str = "web"
    public_steps: tuple[str, ...] = DEFAULT_PUBLIC_STEPS
    public_reply_text: bool = Field(
        default=True, description="show the unit's reply text (redacted) in status notes"
    )
    window_days: int = Field(default=90, ge=1, description="the spec's default and maximum span")
    max_requests: int = Field(default=1000, ge=1, description="the spec's default result limit")
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_fields: int = Field(default=200, ge=10, description="form fields or query parameters")
    rate_per_key_per_minute: int = Field(default=120, ge=0, description="0: no limit")
    rate_per_address_per_minute: int = Field(default=60, ge=0, description="0: no limit")
    auth_cache_seconds: float = Field(
        default=10.0, ge=0, description="how long a checked api_key is trusted without the DB"
    )
    public_channels: tuple[str, ...] = Field(
        default=("web", "app", "wechat"),
        description="channels whose cases citizens submitted for publication; others (phone) "
        "are published only with the caller's consent",
    )
    cors_allowed_origins: tuple[str, ...] = Field(
        default=(),
        description="browser origins allowed to read the GETs ('*': any); none: no CORS",
    )
    cors_allow_post: bool = Field(
        default=False, description="also let those origins POST (a partner's web form)"
    )
    partners_file: Path | None = Field(
        default=None, description="partner registry (JSON); unset: <var_dir>/open311_partners.json"
    )
