"""Engines, sessions and schema migrations for the SQL store (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest migration. A database already there is left alone without loading alembic, so
# a short-lived `dsr` command starts faster; tests/store/test_migrations.py keeps this true.
HEAD_REVISION = "0003"

# Seconds a SQLite writer waits for another writer before giving up.
_SQLITE_BUSY_TIMEOUT = 30


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and serialized writers."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_engine(url: URL) -> Engine:
    """SQLite engine whose transactions all start with BEGIN IMMEDIATE."""
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": _SQLITE_BUSY_TIMEOUT}
    )
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, connection_record: Any) -> None:
    """Turn on WAL and foreign keys, and take transaction control away from sqlite3."""
    # sqlite3's own BEGIN is deferred and skipped before SELECT; we emit ours in _begin_immediate.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    """Take the write lock up front, so read-then-write transactions wait instead of failing."""
    # A deferred transaction that read an older snapshot fails at once with "database is
    # locked" when it later writes; an immediate one waits for the busy timeout instead.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def upgrade(engine_or_url: Engine | str) -> None:
    """Migrate the schema to the newest revision; a no-op when it is already there."""
    if isinstance(engine_or_url, str):
        engine = make_engine(engine_or_url)
        try:
            _upgrade(engine)
        finally:
            engine.dispose()
    else:
        _upgrade(engine_or_url)


def _upgrade(engine: Engine) -> None:
    """Run alembic on one connection of `engine`, without an alembic.ini."""
    if _revision(engine) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _revision(engine: Engine) -> str | None:
    """The database's migration revision; None when it has none (or not just one)."""
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return None
    return str(found[0][0]) if len(found) == 1 else None
