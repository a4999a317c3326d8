"""Settings (environment prefix ``HOTLINE_``), built once at an entry point and passed down."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline.profile import CityProfile, load_profile

PROJECT_VAR = Path.cwd() / "var"

# HOTLINE_ENV: what kind of installation this is (docs/decisions/0033).
Environment = Literal["development", "demo", "production"]
ENVIRONMENTS: tuple[Environment, ...] = ("development", "demo", "production")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_", extra="ignore")

    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; unset → a SQLite file under var/"
    )
    var_dir: Path = Field(default=PROJECT_VAR, description="where the SQLite file and files live")
    timezone: str = "Asia/Shanghai"
    city: str = Field(default="jinan", description="a shipped profile name or a YAML file path")
    attachment_dir: Path | None = None
    workbench_dir: Path | None = Field(
        default=None, description="the built web workbench; unset: where `npm run web:build` writes"
    )
    attachment_max_bytes: int = 10 * 1024 * 1024
    attachment_types: tuple[str, ...] = (
        "image/jpeg",
        "image/png",
        "image/webp",
        "application/pdf",
    )
    token_days: int = 365
    retention_years: int = 3
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    env: Environment = Field(
        default="development",
        description=(
            "development: a developer's machine; demo: `make run`'s generated city, its demo "
            "accounts and their passwords printed; production: a real centre — session cookies "
            "always Secure (TLS ends at the proxy), no demo data and no demo accounts"
        ),
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, description="a browser session ends after this long without requests"
    )
    session_hours: int = Field(
        default=12, ge=1, description="a browser session ends this long after login, even if active"
    )
    json_body_max_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="largest JSON request body on /api/v1"
    )
    idempotency_hours: int = 24
    worker_poll_seconds: float = 2.0
    worker_lease_seconds: int = 300
    sweep_interval_seconds: float = 60.0
    reference_cache_seconds: float = Field(
        default=60.0, description="how long a process reuses units and categories it has read"
    )
    model_dir: Path | None = None
    # Outgoing mail for notices and reports (HOTLINE_SMTP_HOST …); unset host: nothing is mailed.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "12345@localhost"
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = 30.0

    @property
    def is_production(self) -> bool:
        """A real centre's installation: Secure cookies, and nothing generated or demo-only."""
        return self.env == "production"

    @property
    def is_demo(self) -> bool:
        """`make run`'s demonstration: the demo accounts' passwords may be shown."""
        return self.env == "demo"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.var_dir / 'hotline.sqlite3'}"

    @property
    def resolved_attachment_dir(self) -> Path:
        return self.attachment_dir or self.var_dir / "attachments"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def profile(self) -> CityProfile:
        return load_profile(self.city)
