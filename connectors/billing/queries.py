"""Which rows of the administration are a subject's: the billing connector's queries.

A subject holds accounts (`customer:<id>`: the whole account is theirs) or is a contact
person on someone else's account (`contact:<id>`: only that contact row is theirs).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Select, Table, func, or_, select

from connectors.billing.wire import (
    call_recordings,
    certificates,
    consents,
    contacts,
    customers,
    domains,
    invoices,
    ip_assignments,
    orders,
    payments,
    services,
    support_tickets,
)
from domain.subject import Handle, Hints, SubjectIdentifiers

NAME = "billing"  # the connector's name, shared by its modules
Query = Select[Any]

# Datasets of an account whose rows carry the customer's id.
ACCOUNT_DATASETS: dict[str, Table] = {
    "services": services,
    "domains": domains,
    "certificates": certificates,
    "ip_assignments": ip_assignments,
    "invoices": invoices,
    "orders": orders,
    "consents": consents,
    "support_tickets": support_tickets,
    "call_recordings": call_recordings,
}
# Categories that the retention policy may keep after an erasure, and their tables.
RETAINABLE: dict[str, Table] = {
    "invoices": invoices,
    "payments": payments,
    "orders": orders,
    "contracts": services,
    "consent_records": consents,
}
# The date each category's retention period runs from. A contract's runs from its end, a
# consent's proof from the consent's end (Art. 7(1)): one still running ends with the
# erasure, so for those the period runs from the day of erasure (`today`).
_DATED_BY = {
    "invoices": invoices.c.issued_on,
    "orders": orders.c.ordered_on,
    "contracts": services.c.ended_on,
    "consent_records": consents.c.withdrawn_at,
}


@dataclass(frozen=True)
class Scope:
    """The subject's rows: whole accounts, and contact rows on other people's accounts."""

    customer_ids: tuple[int, ...] = ()
    contact_ids: tuple[int, ...] = ()

    @classmethod
    def from_refs(cls, refs: tuple[str, ...]) -> Scope:
        ids: dict[str, list[int]] = {"customer": [], "contact": []}
        for ref in refs:
            kind, _, number = ref.partition(":")
            if kind in ids and number.isdigit():
                ids[kind].append(int(number))
        return cls(tuple(ids["customer"]), tuple(ids["contact"]))

    @property
    def refs(self) -> tuple[str, ...]:
        return (
            *(f"customer:{i}" for i in self.customer_ids),
            *(f"contact:{i}" for i in self.contact_ids),
        )

    @property
    def empty(self) -> bool:
        return not self.customer_ids and not self.contact_ids


def match_subject(conn: Connection, subject: SubjectIdentifiers) -> Scope:
    """Accounts whose email or customer number match, and contact rows on other accounts."""
    conditions = []
    email = subject.email.strip().lower() if subject.email else None
    if email:
        conditions.append(func.lower(customers.c.email) == email)
    if subject.customer_number:
        conditions.append(customers.c.customer_number == subject.customer_number.strip().upper())
    if not conditions:
        return Scope()
    query = select(customers.c.id).where(or_(*conditions)).order_by(customers.c.id)
    customer_ids = tuple(conn.scalars(query))
    contact_ids: tuple[int, ...] = ()
    if email:
        on_other_accounts = select(contacts.c.id).where(
            func.lower(contacts.c.email) == email, contacts.c.customer_id.not_in(customer_ids)
        )
        contact_ids = tuple(conn.scalars(on_other_accounts.order_by(contacts.c.id)))
    return Scope(customer_ids, contact_ids)


def dataset_queries(scope: Scope) -> dict[str, Query]:
    """Per dataset, the query for the subject's rows; a contact-only subject has only contacts."""
    own_contacts = contacts.c.id.in_(scope.contact_ids)
    if not scope.customer_ids:
        return {"contacts": select(contacts).where(own_contacts).order_by(contacts.c.id)}
    ids = scope.customer_ids
    queries: dict[str, Query] = {
        "customer": select(customers).where(customers.c.id.in_(ids)).order_by(customers.c.id),
        "contacts": select(contacts)
        .where(or_(contacts.c.customer_id.in_(ids), own_contacts))
        .order_by(contacts.c.id),
    }
    for dataset, table in ACCOUNT_DATASETS.items():
        queries[dataset] = select(table).where(table.c.customer_id.in_(ids)).order_by(table.c.id)
    queries["payments"] = (
        select(payments)
        .join(invoices, payments.c.invoice_id == invoices.c.id)
        .where(invoices.c.customer_id.in_(ids))
        .order_by(payments.c.id)
    )
    return queries


def count_rows(conn: Connection, query: Query) -> int:
    return int(conn.scalar(select(func.count()).select_from(query.subquery())) or 0)


def count_datasets(conn: Connection, scope: Scope) -> dict[str, int]:
    return {name: count_rows(conn, query) for name, query in dataset_queries(scope).items()}


def fetch_records(conn: Connection, query: Query) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: dates become ISO 8601 text."""
    return [dict(_jsonable(row)) for row in conn.execute(query).mappings()]


def _jsonable(row: Any) -> Iterator[tuple[str, Any]]:
    for key, value in row.items():
        yield key, value.isoformat() if isinstance(value, date | datetime) else value


def dated_rows(
    conn: Connection, category: str, customer_ids: tuple[int, ...], today: date
) -> list[tuple[int, date]]:
    """(id, date retention runs from) of a retainable category, oldest first."""
    if category == "payments":
        # A payment is kept as long as the invoice it settles, so the pair is never split.
        query = (
            select(payments.c.id, invoices.c.issued_on)
            .join(invoices, payments.c.invoice_id == invoices.c.id)
            .where(invoices.c.customer_id.in_(customer_ids))
            .order_by(invoices.c.issued_on, payments.c.id)
        )
    else:
        table, column = RETAINABLE[category], _DATED_BY[category]
        query = select(table.c.id, column).where(table.c.customer_id.in_(customer_ids))
    rows = [(row[0], today if row[1] is None else _as_date(row[1])) for row in conn.execute(query)]
    return sorted(rows, key=lambda row: (row[1], row[0]))


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def active_services(conn: Connection, customer_ids: tuple[int, ...]) -> tuple[str, ...]:
    """What erasure would end, in neutral words: "hosting plan 'Pro' (active)"."""
    running = select(services.c.type, services.c.plan).where(
        services.c.customer_id.in_(customer_ids), services.c.status == "active"
    )
    registered = select(domains.c.name).where(
        domains.c.customer_id.in_(customer_ids), domains.c.status == "active"
    )
    described = [f"{kind} plan '{plan}' (active)" for kind, plan in conn.execute(running)]
    described += [f"domain {name} (active)" for (name,) in conn.execute(registered)]
    return tuple(described)


def subject_hints(conn: Connection, scope: Scope, subject: SubjectIdentifiers) -> Hints:
    """Identifiers dependent systems search by: ids, the subject's own emails, handles."""
    ids = scope.customer_ids
    emails = [
        email.lower()
        for email in conn.scalars(select(customers.c.email).where(customers.c.id.in_(ids)))
        if email
    ]
    if scope.contact_ids and subject.email:
        emails.append(subject.email.strip().lower())
    owned = select(domains.c.name).where(domains.c.customer_id.in_(ids)).order_by(domains.c.id)
    return Hints(
        customer_ids=tuple(str(i) for i in ids),
        emails=tuple(dict.fromkeys(emails)),
        domains=tuple(conn.scalars(owned)),
        handles=_handles(conn, ids),
    )


# The RIRs as the administration records them, and the kind of handle each hands out.
_RIR_HANDLES = {"ripe": Handle.RIPE, "arin": Handle.ARIN}


def _handles(conn: Connection, ids: tuple[int, ...]) -> dict[str, tuple[str, ...]]:
    """Per kind of handle, the identifiers outside systems know the subject by."""
    found: dict[str, list[str]] = {}
    registrars = select(domains.c.registrar, domains.c.registrant_handle).where(
        domains.c.customer_id.in_(ids)
    )
    for registrar, handle in conn.execute(registrars.order_by(domains.c.id)):
        kind = Handle.REGISTRAR if registrar == "openprovider" else Handle.REGISTRY
        found.setdefault(kind, []).append(handle)
    rirs = select(ip_assignments.c.rir, ip_assignments.c.person_handle).where(
        ip_assignments.c.customer_id.in_(ids)
    )
    for rir, handle in conn.execute(rirs.order_by(ip_assignments.c.id)):
        found.setdefault(_RIR_HANDLES[rir], []).append(handle)
    certs = select(certificates.c.order_ref, certificates.c.organisation_ref).where(
        certificates.c.customer_id.in_(ids)
    )
    for order_ref, organisation_ref in conn.execute(certs.order_by(certificates.c.id)):
        found.setdefault(Handle.CA, []).append(f"order:{order_ref}")
        if organisation_ref:
            found[Handle.CA].append(f"organization:{organisation_ref}")
    return {
        system: tuple(dict.fromkeys(h for h in handles if h)) for system, handles in found.items()
    }
