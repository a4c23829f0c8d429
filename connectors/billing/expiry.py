"""Scheduled deletion: records kept after erasure go on the day their retention ends.

Erasure keeps invoices, payments, orders and consent records that the law still requires,
restricted and marked with `delete_after`. A daily job deletes those whose day has come.
Rows that other rows still point at wait for them (a payment goes before its invoice, and an
invoice never goes while a payment of it is still kept), so no foreign key is ever broken.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Engine, Table, delete, exists

from connectors.billing.wire import metadata


def expiring_tables() -> list[Table]:
    """Tables with restriction columns, the referring ones before those they refer to."""
    return [t for t in reversed(metadata.sorted_tables) if "delete_after" in t.c]


def delete_expired(engine: Engine, today: date) -> int:
    """Delete every row whose `delete_after` is today or earlier; returns how many went."""
    deleted = 0
    with engine.begin() as conn:
        for table in expiring_tables():
            due = [table.c.delete_after <= today, *_unreferenced(table)]
            deleted += conn.execute(delete(table).where(*due)).rowcount
    return deleted


def _unreferenced(table: Table) -> list[ColumnElement[bool]]:
    """Conditions that no row of any table still refers to the row being deleted."""
    conditions: list[ColumnElement[bool]] = []
    for other in metadata.sorted_tables:
        for key in other.foreign_keys:
            if key.column.table is table:
                conditions.append(~exists().where(key.parent == key.column))
    return conditions
