"""The daily sweep in the administration: every record goes on the day its retention ends.

What the sweep deletes, per retention rule of the policy (docs/law.md):
- records a KEEP rule kept (invoices, payments, orders, ended contracts, ended consents)
  once its period has run from their date, whether or not an erasure restricted them;
- records a LIMIT rule caps (call recordings, web traffic logs) once their period ran;
- whole accounts inactive for longer than the `inactive_accounts` rule allows;
- and any record an erasure restricted with a `delete_after` day that has come.

Rows that other rows still point at wait for them (a payment goes before its invoice), so
no foreign key is ever broken.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, ColumnElement, Connection, Engine, Table, delete, exists, or_, select

from connectors.billing.wire import (
    call_recordings,
    certificates,
    consents,
    customers,
    domains,
    invoices,
    ip_assignments,
    metadata,
    orders,
    payments,
    services,
    support_tickets,
    web_logs,
)
from domain.retention import Deletion, RetentionPolicy

# Category -> the table and the date its retention runs from; a row without that date (a
# running contract, a consent not withdrawn) has not started its period.
DATED: dict[str, tuple[Table, Column[Any]]] = {
    "payments": (payments, invoices.c.issued_on),  # kept as long as the invoice it settles
    "invoices": (invoices, invoices.c.issued_on),
    "orders": (orders, orders.c.ordered_on),
    "contracts": (services, services.c.ended_on),
    "consent_records": (consents, consents.c.withdrawn_at),
    "call_recordings": (call_recordings, call_recordings.c.recorded_at),
    "web_logs": (web_logs, web_logs.c.logged_at),
}
INACTIVE = "inactive_accounts"
RESTRICTED = "restricted_after_erasure"


def delete_expired(engine: Engine, today: date, policy: RetentionPolicy) -> tuple[Deletion, ...]:
    """Delete everything whose retention ended on or before `today`; what went, per rule."""
    with engine.begin() as conn:
        found = [*_expired_by_rule(conn, today, policy), _restricted_due(conn, today)]
        found.append(_inactive_accounts(conn, today, policy))
    return tuple(d for d in found if d.ids)


def _expired_by_rule(conn: Connection, today: date, policy: RetentionPolicy) -> Iterator[Deletion]:
    for category, (table, dated_by) in DATED.items():
        rule = policy.rule_for(category)
        if rule is None:
            continue
        query = select(table.c.id, dated_by).where(dated_by.is_not(None))
        if "delete_after" in table.c:
            # A later `delete_after` an erasure set (a longer obligation) wins over the rule.
            query = query.where(or_(table.c.delete_after.is_(None), table.c.delete_after <= today))
        if table is payments:
            query = query.join(invoices, payments.c.invoice_id == invoices.c.id)
        ids = [
            row_id
            for row_id, dated in conn.execute(query)
            if rule.ends(_as_date(dated)) <= today and _deletable(conn, table, row_id)
        ]
        yield _delete(conn, table, category, ids)


def _restricted_due(conn: Connection, today: date) -> Deletion:
    """Rows an erasure kept with a `delete_after` day that has come (policy since changed)."""
    ids: list[str] = []
    for table in reversed(metadata.sorted_tables):
        if "delete_after" not in table.c:
            continue
        due = select(table.c.id).where(table.c.delete_after <= today, *_unreferenced(table))
        row_ids = list(conn.scalars(due))
        if row_ids:
            conn.execute(delete(table).where(table.c.id.in_(row_ids)))
            ids += [f"{table.name}:{row_id}" for row_id in row_ids]
    return Deletion(RESTRICTED, tuple(ids))


def _inactive_accounts(conn: Connection, today: date, policy: RetentionPolicy) -> Deletion:
    """Accounts with nothing running whose last sign of life is older than the rule allows."""
    rule = policy.rule_for(INACTIVE)
    if rule is None:
        return Deletion(INACTIVE, ())
    gone = [
        cid
        for cid in conn.scalars(select(customers.c.id).where(~_running(customers.c.id)))
        if rule.ends(_last_active(conn, cid)) <= today
    ]
    for cid in gone:
        _delete_account(conn, cid)
    return Deletion(INACTIVE, tuple(f"customers:{cid}" for cid in gone))


def _running(cid: Any) -> ColumnElement[bool]:
    """The account still has something going: a service, a domain, a certificate or IPs."""
    return or_(
        exists().where(services.c.customer_id == cid, services.c.status == "active"),
        exists().where(domains.c.customer_id == cid, domains.c.status == "active"),
        exists().where(certificates.c.customer_id == cid, certificates.c.status == "issued"),
        exists().where(ip_assignments.c.customer_id == cid),
    )


def _last_active(conn: Connection, cid: int) -> date:
    """The newest date anything happened on the account."""
    account = conn.execute(
        select(customers.c.created_at, customers.c.closed_at, customers.c.anonymised_at).where(
            customers.c.id == cid
        )
    ).one()
    moments = [m for m in account if m is not None]
    for column in (
        services.c.started_on, services.c.ended_on, invoices.c.issued_on, orders.c.ordered_on,
        consents.c.given_at, consents.c.withdrawn_at, support_tickets.c.opened_at,
        call_recordings.c.recorded_at,
    ):  # fmt: skip
        newest = conn.scalar(
            select(column).where(column.table.c.customer_id == cid).order_by(column.desc())
        )
        if newest is not None:
            moments.append(newest)
    return max(_as_date(m) for m in moments)


def _delete_account(conn: Connection, cid: int) -> None:
    """Every row of the account, those referring to others first, then the customer."""
    invoice_ids = select(invoices.c.id).where(invoices.c.customer_id == cid)
    conn.execute(delete(payments).where(payments.c.invoice_id.in_(invoice_ids)))
    for table in reversed(metadata.sorted_tables):
        if table is not customers and "customer_id" in table.c:
            conn.execute(delete(table).where(table.c.customer_id == cid))
    conn.execute(delete(customers).where(customers.c.id == cid))


def _delete(conn: Connection, table: Table, category: str, ids: list[int]) -> Deletion:
    if ids:
        conn.execute(delete(table).where(table.c.id.in_(ids)))
    return Deletion(category, tuple(f"{table.name}:{row_id}" for row_id in ids))


def _deletable(conn: Connection, table: Table, row_id: int) -> bool:
    """No row of another table still refers to this one."""
    return not any(
        conn.scalar(select(exists().where(key.parent == row_id)))
        for other in metadata.sorted_tables
        for key in other.foreign_keys
        if key.column.table is table
    )


def _unreferenced(table: Table) -> list[ColumnElement[bool]]:
    """Conditions that no row of any table still refers to the row being deleted."""
    conditions: list[ColumnElement[bool]] = []
    for other in metadata.sorted_tables:
        for key in other.foreign_keys:
            if key.column.table is table:
                conditions.append(~exists().where(key.parent == key.column))
    return conditions


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
