"""Engine and transactions for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SNAPSHOT_OPTION = "hotline_snapshot"  # execution option marking a read-only snapshot's connection


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE so writers queue instead of failing.

    pysqlite's own transaction handling is switched off (isolation_level None) so that SQLAlchemy
    emits our BEGIN; this is the recipe from the SQLAlchemy SQLite dialect documentation.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # a snapshot only reads: a deferred BEGIN takes no write lock, and in WAL mode its
        # first read fixes what the whole transaction sees (docs/decisions/0034)
        read_only = connection.get_execution_options().get(SNAPSHOT_OPTION, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


def build_engine(url: str, *, echo: bool = False) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    # JIT off: PostgreSQL compiles any plan above jit_above_cost, and for the report queries of
    # a large ledger that compilation took 2.6 s of a 5 s query while saving nothing
    # (docs/decisions/0012-postgresql-jit-off.md).
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        connect_args={"options": "-c jit=off"},
    )


class Database:
    """One engine and its session factory; ``transaction()`` is the unit of work."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = build_engine(url, echo=echo)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit on success, roll back on any error: a failing step leaves no trace."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """One read-only transaction that sees one state of the database from its first read
        to its end, whatever commits meanwhile: REPEATABLE READ, READ ONLY on PostgreSQL; a
        deferred BEGIN on SQLite (WAL keeps the reader's snapshot and lets writers commit). A
        notice, report or evaluation reads everything it shows in one (docs/decisions/0034);
        a write in it fails on PostgreSQL. Nothing is committed."""
        options: dict[str, Any] = {SNAPSHOT_OPTION: True}
        if self.dialect == "postgresql":
            options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        with self._sessions() as session:
            session.connection(execution_options=options)
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """A connection on which each statement is its own transaction, committed as it ends
        (PostgreSQL; for work that must not wait for, or be undone with, a larger transaction)."""
        with self.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()
