"""Rectification, restriction and objection in the administration (Art. 16, 18, 21).

The subject's rows are their accounts (`customer:<id>`) and their own contact rows: those on
other people's accounts (`contact:<id>`), and those on their own accounts that carry the
account's email (the holder as billing or technical contact). Other people's contact rows on
the subject's account are someone else's data and stay as they are.

An erased (anonymised) account gets no corrected values: that would bring back what erasure
removed. Restricting it again, or objecting, changes nothing and is done.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, and_, func, or_, select, update

from connectors.base import not_processed_for
from connectors.billing.queries import NAME, RETAINABLE, Scope, dated_rows
from connectors.billing.wire import consents, contacts, customers, invoices
from domain.records import Outcome, OutcomeStatus
from domain.rights import Changes, Field, Purpose

# Every field a subject can correct is a column of `customers` with the field's name.
CUSTOMER_FIELDS = tuple(Field)
CONTACT_FIELDS = (Field.NAME, Field.EMAIL, Field.PHONE)
# What an issued invoice prints: its billing name (company or name) and postal address.
PRINTED_ON_INVOICES = frozenset(CUSTOMER_FIELDS) - {Field.EMAIL, Field.PHONE}
# Consent purposes the seed and the web forms use, per purpose of an objection.
CONSENT_PURPOSES = {
    Purpose.DIRECT_MARKETING: ("newsletter", "webinars"),
    Purpose.PROFILING: ("profiling",),
}
_OPT_IN = {
    Purpose.DIRECT_MARKETING: customers.c.marketing_opt_in,
    Purpose.PROFILING: customers.c.profiling_opt_in,
}
_STOPPED = {
    Purpose.DIRECT_MARKETING: "direct marketing (the marketing opt-in is off and the "
    "newsletter and webinar consents are withdrawn)",
    Purpose.PROFILING: "profiling (the profiling opt-in is off and any profiling consent "
    "is withdrawn)",
}
_BEYOND_CONTRACT = "Processing beyond what the contract and the law require has stopped"


def rectify(engine: Engine, scope: Scope, changes: Changes) -> Outcome:
    """Write the corrected fields into the live accounts and the subject's own contact rows."""
    for_customer = [f for f in changes.fields if f in CUSTOMER_FIELDS]
    for_contacts = [f for f in changes.fields if f in CONTACT_FIELDS]
    with engine.begin() as conn:
        live = _live_accounts(conn, scope.customer_ids)
        if not live and not scope.contact_ids:
            return Outcome(
                NAME,
                OutcomeStatus.NOT_FOUND,
                "The account was erased earlier; no personal data is left to correct.",
            )
        # Before the update: the holder's contact rows are found by the account's email.
        own_contacts = own_contact_ids(conn, live, scope.contact_ids) if for_contacts else ()
        accounts = live if for_customer else ()
        if accounts:
            values = {f.value: changes.values[f] for f in for_customer}
            conn.execute(update(customers).where(customers.c.id.in_(accounts)).values(values))
        if own_contacts:
            values = {f.value: changes.values[f] for f in for_contacts}
            conn.execute(update(contacts).where(contacts.c.id.in_(own_contacts)).values(values))
        printed = bool(accounts) and not PRINTED_ON_INVOICES.isdisjoint(for_customer)
        issued = _count_invoices(conn, accounts) if printed else 0
    corrected = (
        (for_customer if accounts else [], _count(len(accounts), "customer account")),
        (for_contacts if own_contacts else [], _count(len(own_contacts), "contact record")),
    )
    detail = _rectified(corrected, issued)
    return Outcome(NAME, OutcomeStatus.DONE, detail)


def restrict(engine: Engine, scope: Scope) -> Outcome:
    """Mark the accounts, their retainable records and the subject's contact rows restricted."""
    with engine.begin() as conn:
        accounts = _restrict_accounts(conn, scope.customer_ids)
        records = _restrict_records(conn, scope.customer_ids)
        records += _restrict_contacts(
            conn, own_contact_ids(conn, scope.customer_ids, scope.contact_ids)
        )
    return Outcome(
        NAME,
        OutcomeStatus.DONE,
        f"Marked {_count(accounts, 'customer account')} and {_count(records, 'record')} as "
        "restricted: the data stays stored but is not processed otherwise, except with your "
        "consent, for legal claims or where the law requires it.",
    )


def object_to(engine: Engine, scope: Scope, purposes: tuple[Purpose, ...]) -> Outcome:
    """Stop marketing and profiling for the accounts; an upheld objection restricts them."""
    ids = scope.customer_ids
    if not ids and Purpose.OTHER not in purposes:
        # A contact person on someone else's account gets no marketing and is not profiled.
        return not_processed_for(NAME, purposes)
    now = datetime.now(UTC).replace(tzinfo=None)  # the schema keeps naive UTC
    sentences = []
    with engine.begin() as conn:
        absolute = [p for p in dict.fromkeys(purposes) if p.absolute]
        if ids:
            for purpose in absolute:
                _stop(conn, ids, purpose, now)
        if Purpose.OTHER in purposes:
            _restrict_accounts(conn, ids)
            _restrict_contacts(conn, own_contact_ids(conn, ids, scope.contact_ids))
    if ids and absolute:
        sentences.append(f"Stopped {' and '.join(_STOPPED[p] for p in absolute)}.")
    elif absolute:
        sentences.append(not_processed_for(NAME, tuple(absolute)).detail)
    if Purpose.OTHER in purposes:
        sentences.append(f"{_BEYOND_CONTRACT}: your data here is marked restricted.")
    return Outcome(NAME, OutcomeStatus.DONE, " ".join(sentences))


def own_contact_ids(
    conn: Connection, customer_ids: tuple[int, ...], contact_ids: tuple[int, ...]
) -> tuple[int, ...]:
    """The subject's contact rows: their rows elsewhere, and the holder's rows on the accounts."""
    holder_email = (
        select(func.lower(customers.c.email))
        .where(customers.c.id == contacts.c.customer_id)
        .scalar_subquery()
    )
    holder = and_(
        contacts.c.customer_id.in_(customer_ids), func.lower(contacts.c.email) == holder_email
    )
    query = select(contacts.c.id).where(or_(contacts.c.id.in_(contact_ids), holder))
    return tuple(conn.scalars(query.order_by(contacts.c.id)))


def _live_accounts(conn: Connection, customer_ids: tuple[int, ...]) -> tuple[int, ...]:
    query = select(customers.c.id).where(
        customers.c.id.in_(customer_ids), customers.c.anonymised_at.is_(None)
    )
    return tuple(conn.scalars(query.order_by(customers.c.id)))


def _count_invoices(conn: Connection, customer_ids: tuple[int, ...]) -> int:
    query = select(func.count()).where(invoices.c.customer_id.in_(customer_ids))
    return int(conn.scalar(query) or 0)


def _restrict_accounts(conn: Connection, customer_ids: tuple[int, ...]) -> int:
    marked = update(customers).where(customers.c.id.in_(customer_ids))
    conn.execute(marked.values(processing_restricted=True))
    return len(customer_ids)


def _restrict_records(conn: Connection, customer_ids: tuple[int, ...]) -> int:
    """Invoices, payments, orders, contracts and consent records: the tables with restriction
    columns."""
    count = 0
    today = datetime.now(UTC).date()
    for category, table in RETAINABLE.items():
        row_ids = [row_id for row_id, _ in dated_rows(conn, category, customer_ids, today)]
        if row_ids:
            conn.execute(update(table).where(table.c.id.in_(row_ids)).values(restricted=True))
        count += len(row_ids)
    return count


def _restrict_contacts(conn: Connection, contact_ids: tuple[int, ...]) -> int:
    marked = update(contacts).where(contacts.c.id.in_(contact_ids))
    conn.execute(marked.values(processing_restricted=True))
    return len(contact_ids)


def _stop(conn: Connection, customer_ids: tuple[int, ...], purpose: Purpose, now: datetime) -> None:
    """Turn the purpose's opt-in off and withdraw its running consents (their record stays)."""
    opt_in = _OPT_IN[purpose]
    conn.execute(update(customers).where(customers.c.id.in_(customer_ids)).values({opt_in: False}))
    running = (
        consents.c.customer_id.in_(customer_ids),
        consents.c.purpose.in_(CONSENT_PURPOSES[purpose]),
        consents.c.withdrawn_at.is_(None),
    )
    conn.execute(update(consents).where(*running).values(withdrawn_at=now))


def _rectified(corrected: tuple[tuple[list[Field], str], ...], issued: int) -> str:
    """Field names and counts only: the corrected values never enter the detail."""
    done = [(_listed(fields), where) for fields, where in corrected if fields]
    if not done:
        return "This system holds none of the fields to correct for you; nothing was changed."
    if len({listed for listed, _ in done}) == 1:
        detail = f"Corrected {done[0][0]} in {' and '.join(where for _, where in done)}."
    else:
        detail = f"Corrected {', and '.join(f'{listed} in {where}' for listed, where in done)}."
    if issued:
        detail += (
            f" The issued invoices ({issued}) and their payments were not changed: "
            "tax law requires invoices to stay as issued."
        )
    return detail


def _listed(fields: list[Field]) -> str:
    names = [f.value for f in fields]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
