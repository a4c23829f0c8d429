"""Alembic migrations on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from store.db import HEAD_REVISION, MIGRATIONS_DIR, make_engine, upgrade
from store.models import Base


def test_upgrade_twice_creates_the_tables_once(db_url: str) -> None:
    upgrade(db_url)
    upgrade(db_url)

    engine = make_engine(db_url)
    try:
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    assert {
        "requests", "audit_events", "pending_confirmations", "webhook_deliveries",
        "verification_codes",
    } <= tables  # fmt: skip
    assert revision == "0003"


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_upgrade_works_from_another_directory(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    upgrade(db_url)

    assert Path.cwd() == tmp_path
    assert not (tmp_path / "alembic.ini").exists()
    engine = make_engine(db_url)
    try:
        assert "requests" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_sqlite_engine_creates_its_directory_and_uses_wal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'dir' / 'dsr.sqlite3'}"

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    finally:
        engine.dispose()
    assert (tmp_path / "nested" / "dir").is_dir()
    assert journal == "wal"
    assert foreign_keys == 1


def test_postgresql_url_uses_psycopg_3() -> None:
    engine = make_engine("postgresql://user@127.0.0.1:1/db")

    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.url.database == "db"


def test_the_head_revision_named_in_store_db_is_the_newest_migration() -> None:
    """`upgrade` skips alembic for a database at HEAD_REVISION: it must be the real head."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_heads() == [HEAD_REVISION]
