"""Alembic environment: migrates the connection that `store.db.upgrade` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from store.models import Base

# Any constant works; it only has to be the same for every process that migrates.
_MIGRATION_LOCK_ID = 7_305_246_019


def run_migrations(connection: Connection) -> None:
    """Apply pending revisions inside the caller's transaction."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Worker and API may start together; the lock keeps them from both creating tables.
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID}
            )
        context.run_migrations()


def run_from_config() -> None:
    """Migrate the database named by the alembic config, for developers using the alembic CLI."""
    from store.db import make_engine

    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.begin() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()


_connection = context.config.attributes.get("connection")
if _connection is None:
    run_from_config()
else:
    run_migrations(_connection)
