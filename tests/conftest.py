"""Shared fixtures: a real database (SQLite by default, PostgreSQL with
HOTLINE_TEST_DATABASE_URL), a seeded city, a controllable clock and users of every role."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from hotline.adapters.db.database import Database
from hotline.adapters.db.migrate import upgrade
from hotline.adapters.db.models import Base, Unit
from hotline.bootstrap import build_calendar
from hotline.config import Settings
from hotline.domain.roles import Actor, Role
from hotline.services.context import Hotline
from hotline.services.reference.seeding import seed_reference_data

PG_URL = os.environ.get("HOTLINE_TEST_DATABASE_URL")
REFERENCE_TABLES = {"channels", "regions", "units", "categories", "alembic_version"}


@dataclass
class FakeClock:
    """The outside world's clock, under the test's control."""

    current: datetime = field(default_factory=lambda: datetime(2026, 11, 24, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> datetime:
        self.current += timedelta(**kwargs)
        return self.current


@contextmanager
def _private_postgres_database(url: str, purpose: str = "") -> Iterator[str]:
    """A database of this test process's own on the given server, dropped afterwards, so that
    concurrent test runs against one server never see each other's rows; ``purpose`` names a
    second one beside the session's template."""
    server = make_url(url)
    name = f"hotline_test_{os.getpid()}{'_' + purpose if purpose else ''}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def template_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, seeded database made once per test session."""
    with ExitStack() as stack:
        if PG_URL:
            url = stack.enter_context(_private_postgres_database(PG_URL))
        else:
            url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.sqlite3'}"
        _migrate_and_seed(url)
        yield url


def _migrate_and_seed(url: str) -> None:
    upgrade(url)
    settings = Settings(database_url=url)
    db = Database(url)
    seed_reference_data(Hotline(settings, db, build_calendar(settings), lambda: datetime.now(UTC)))
    db.dispose()


def _fresh_url(template_url: str, tmp_path: Path) -> str:
    if PG_URL:
        engine = create_engine(template_url)
        tables = [t.name for t in Base.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return template_url
    target = tmp_path / "test.sqlite3"
    shutil.copyfile(template_url.removeprefix("sqlite:///"), target)
    return f"sqlite:///{target}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(template_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=_fresh_url(template_url, tmp_path), var_dir=tmp_path)


@pytest.fixture
def hotline(settings: Settings, clock: FakeClock) -> Iterator[Hotline]:
    db = Database(settings.resolved_database_url)
    yield Hotline(settings=settings, db=db, clock=build_calendar(settings, db), now=clock)
    db.dispose()


def unit_id(hotline: Hotline, code: str) -> int:
    with hotline.db.transaction() as session:
        return session.scalars(select(Unit.id).where(Unit.code == code)).one()


@pytest.fixture
def actors(hotline: Hotline) -> dict[str, Actor]:
    """One actor per role; handlers of the 历下 district bureau and two of its streets."""
    return {
        "operator": Actor("op", Role.OPERATOR),
        "dispatcher": Actor("disp", Role.DISPATCHER),
        "lixia_dispatcher": Actor("lx-disp", Role.DISPATCHER, district_code="370102"),
        "handler": Actor("lx-h", Role.HANDLER, unit_id=unit_id(hotline, "LX-CGJ")),
        "street_handler": Actor("jfl-h", Role.HANDLER, unit_id=unit_id(hotline, "LX-JFL")),
        "other_street_handler": Actor("qcl-h", Role.HANDLER, unit_id=unit_id(hotline, "LX-QCL")),
        "inspector": Actor("insp", Role.INSPECTOR),
        "supervisor": Actor("sup", Role.SUPERVISOR),
        "leader": Actor("lead", Role.LEADER),
        "admin": Actor("adm", Role.ADMIN),
    }
