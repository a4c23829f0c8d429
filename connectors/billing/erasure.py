"""Erasure in the administration: anonymise, delete, detach, and restrict what the law keeps.

The approved plan says per retainable category how many of the oldest records go and how
many stay; retention runs forward in time, so "past retention" is always the oldest part
of a category. Records kept for tax law or proof of consent stay as they are (an invoice
must stay as issued), restricted (Art. 18) and marked with the day they may be deleted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import (
    Connection,
    Engine,
    String,
    Table,
    case,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)

from connectors.billing.queries import NAME, RETAINABLE, Scope, dated_rows
from connectors.billing.wire import (
    call_recordings,
    certificates,
    consents,
    contacts,
    customers,
    domains,
    ip_assignments,
    services,
    support_tickets,
)
from domain.deadlines import add_months
from domain.records import ConnectorPlan, Outcome, OutcomeStatus, PlanAction, PlanItem

# Payments before invoices: a payment references the invoice it settles.
_RETAINABLE_ORDER = ("payments", "invoices", "orders", "contracts", "consent_records")


def erase(engine: Engine, scope: Scope, plan: ConnectorPlan) -> Outcome:
    """Carry out `plan` for the subject's rows in one transaction."""
    now = datetime.now(UTC).replace(tzinfo=None)  # the schema keeps naive UTC
    retained = tuple(item for item in plan.items if item.action is PlanAction.RETAIN)
    with engine.begin() as conn:
        if scope.customer_ids:
            erased_at = _erased_at(conn, scope.customer_ids)
            if erased_at is not None:
                return _done("Already erased; nothing left to do.", retained, erased_at)
            if _plan_is_stale(conn, scope.customer_ids, plan):
                return Outcome(
                    connector=NAME,
                    status=OutcomeStatus.REFUSED,
                    detail="Records changed since the plan was made; plan the erasure again.",
                )
        counts: Counter[str] = Counter(deleted=_delete_contacts(conn, scope))
        if scope.customer_ids:
            counts += _erase_accounts(conn, scope.customer_ids, plan, now)
    return _done(_summary(counts), retained, now)


def _erased_at(conn: Connection, customer_ids: tuple[int, ...]) -> datetime | None:
    """When the accounts were anonymised, if every one of them already is."""
    query = select(customers.c.anonymised_at).where(customers.c.id.in_(customer_ids))
    stamps: list[datetime | None] = list(conn.scalars(query))
    done = [stamp for stamp in stamps if stamp is not None]
    return max(done) if done and len(done) == len(stamps) else None


def _plan_is_stale(conn: Connection, customer_ids: tuple[int, ...], plan: ConnectorPlan) -> bool:
    """A retainable category gained or lost records since planning: the split no longer fits."""
    for category in RETAINABLE:
        planned = sum(item.records for item in plan.items if item.category == category)
        if len(dated_rows(conn, category, customer_ids, date.today())) != planned:
            return True
    return False


def _erase_accounts(
    conn: Connection, ids: tuple[int, ...], plan: ConnectorPlan, now: datetime
) -> Counter[str]:
    counts: Counter[str] = Counter()
    # Erasure ends the consents and contracts still running; their proof runs from today.
    conn.execute(
        update(consents)
        .where(consents.c.customer_id.in_(ids), consents.c.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )
    counts["ended"] += _end_services(conn, ids, now)
    for category in _RETAINABLE_ORDER:
        deleted, kept = _expire_or_restrict(conn, category, ids, plan, now.date())
        counts.update(deleted=deleted, retained=kept)
    counts["deleted"] += _delete_owned(conn, support_tickets, ids)
    counts["deleted"] += _delete_owned(conn, call_recordings, ids)
    counts["detached"] += _detach(conn, ids)
    counts["anonymised"] += _anonymise(conn, ids, now)
    return counts


def _expire_or_restrict(
    conn: Connection, category: str, ids: tuple[int, ...], plan: ConnectorPlan, today: date
) -> tuple[int, int]:
    """Delete the planned number of oldest records; restrict the rest until the planned day."""
    table = RETAINABLE[category]
    rows = dated_rows(conn, category, ids, today)
    expired = _planned(plan, category, PlanAction.ACT)
    old = [row_id for row_id, _ in rows[: expired.records if expired else 0]]
    young = [row_id for row_id, _ in rows[len(old) :]]
    if old:
        conn.execute(delete(table).where(table.c.id.in_(old)))
    if young:
        keep = _planned(plan, category, PlanAction.RETAIN)
        # Each record is kept until its own retention ends (storage limitation, Art. 5(1)(e)),
        # not until the newest one's: the plan's date belongs to the newest record.
        for until, group in _per_row_until(rows[len(old) :], keep).items():
            conn.execute(
                update(table)
                .where(table.c.id.in_(group))
                .values(restricted=True, delete_after=until)
            )
    return len(old), len(young)


def _per_row_until(
    rows: Sequence[tuple[int, date]], keep: PlanItem | None
) -> dict[date | None, list[int]]:
    """Kept row ids grouped by the day each one's retention ends."""
    if keep is None or keep.until is None or not rows:
        return {None if keep is None else keep.until: [row_id for row_id, _ in rows]}
    days = [(row_id, _day(value)) for row_id, value in rows]
    newest = max(day for _, day in days)
    months = (keep.until.year - newest.year) * 12 + keep.until.month - newest.month
    groups: dict[date | None, list[int]] = {}
    for row_id, day in days:
        groups.setdefault(add_months(day, months), []).append(row_id)
    return groups


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _planned(plan: ConnectorPlan, category: str, action: PlanAction) -> PlanItem | None:
    return next((i for i in plan.items if i.category == category and i.action is action), None)


def _delete_contacts(conn: Connection, scope: Scope) -> int:
    """Every contact of the subject's accounts, and the subject's contact rows elsewhere."""
    mine = or_(contacts.c.customer_id.in_(scope.customer_ids), contacts.c.id.in_(scope.contact_ids))
    return conn.execute(delete(contacts).where(mine)).rowcount


def _delete_owned(conn: Connection, table: Table, ids: Sequence[int]) -> int:
    return conn.execute(delete(table).where(table.c.customer_id.in_(ids))).rowcount


def _end_services(conn: Connection, ids: tuple[int, ...], now: datetime) -> int:
    """Closing the account ends its services (one of the company policies says so)."""
    running = (services.c.customer_id.in_(ids), services.c.status == "active")
    ended = update(services).where(*running).values(status="ended", ended_on=now.date())
    return conn.execute(ended).rowcount


def _detach(conn: Connection, ids: tuple[int, ...]) -> int:
    """Keep the inventory rows, but no longer tie them to the person or their handles."""
    # The registries, the CA and the RIRs are erased by their own connectors, from the
    # handles that discovery found; here only our link to them is cut.
    status = case((domains.c.status == "active", "cancelled"), else_=domains.c.status)
    detached = conn.execute(
        update(domains)
        .where(domains.c.customer_id.in_(ids))
        .values(customer_id=None, registrant_handle=None, status=status)
    ).rowcount
    detached += conn.execute(
        update(certificates)
        .where(certificates.c.customer_id.in_(ids))
        .values(customer_id=None, organisation_ref=None)
    ).rowcount
    detached += conn.execute(
        update(ip_assignments)
        .where(ip_assignments.c.customer_id.in_(ids))
        .values(customer_id=None, person_handle=None)
    ).rowcount
    return detached


def _anonymise(conn: Connection, ids: tuple[int, ...], now: datetime) -> int:
    """Keep the account number (retained invoices refer to it) and nothing that identifies."""
    anonymised = (
        update(customers)
        .where(customers.c.id.in_(ids), customers.c.anonymised_at.is_(None))
        .values(
            name=literal("Erased customer #", String) + cast(customers.c.id, String),
            email=None,
            phone=None,
            street=None,
            postcode=None,
            city=None,
            country=None,
            company=None,
            anonymised_at=now,
            closed_at=func.coalesce(customers.c.closed_at, now),
            marketing_opt_in=False,
            processing_restricted=True,
        )
    )
    return conn.execute(anonymised).rowcount


def _summary(counts: Counter[str]) -> str:
    """Counts only: the detail travels to the audit trail and must hold no personal data."""
    return (
        f"Anonymised {counts['anonymised']} customer account(s); deleted {counts['deleted']}, "
        f"detached {counts['detached']} and restricted {counts['retained']} records; "
        f"ended {counts['ended']} services."
    )


def _done(detail: str, retained: tuple[PlanItem, ...], at: datetime) -> Outcome:
    return Outcome(
        connector=NAME,
        status=OutcomeStatus.DONE,
        detail=detail,
        retained=retained,
        at=at.replace(tzinfo=UTC),
    )
