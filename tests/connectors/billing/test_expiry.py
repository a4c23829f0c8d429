"""The daily sweep in the administration: each record goes on the day its retention ends.

docs/law.md, "Retention that overrides erasure": call recordings 30 days, web traffic logs
2 years, accounts inactive 7 years, and what an erasure kept, when its own period ends.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, update

from connectors.billing import BillingConnector
from connectors.billing import wire as schema
from domain.deadlines import add_months
from domain.records import OutcomeStatus
from domain.retention import Deletion, RetentionPolicy
from domain.subject import Hints, SubjectIdentifiers
from simulators.billing import SeedSummary
from tests.fixtures.administration import ADMIN_TODAY

POLICY = RetentionPolicy()
TODAY = date(2031, 5, 20)


def ids(deleted: tuple[Deletion, ...], category: str | None = None) -> set[str]:
    return {i for d in deleted if category in (None, d.category) for i in d.ids}


def insert_row(engine: Engine, table: Any, **values: Any) -> int:
    with engine.begin() as conn:
        key = conn.execute(insert(table).values(**values)).inserted_primary_key
        assert key is not None
        return int(key[0])


def exists(engine: Engine, table: Any, row_id: int) -> bool:
    with engine.connect() as conn:
        return conn.scalar(select(table.c.id).where(table.c.id == row_id)) is not None


def account(engine: Engine, number: str, created: datetime, **extra: Any) -> int:
    return insert_row(
        engine, schema.customers, customer_number=number, name="Test Person",
        email=f"{number}@example.test", language="en", created_at=created, **extra,
    )  # fmt: skip


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0)


async def test_the_sweep_deletes_what_each_rule_no_longer_allows_and_keeps_the_younger(
    admin_engine: Engine,
) -> None:
    """Must show: a 31-day-old call recording, a web log line 2 years and 1 day old and an
    account inactive for 7 years and 1 day go; their siblings a day younger stay."""
    engine, billing = admin_engine, BillingConnector(admin_engine)
    # Accounts with nothing running, whose last sign of life is 7 years and a day ago or
    # 7 years minus a day ago; the recordings and logs belong to the first of them.
    gone_since = add_months(TODAY, -84) - timedelta(days=1)
    stale = account(engine, "T-STALE", at(gone_since), closed_at=at(gone_since))
    young_since = add_months(TODAY, -84) + timedelta(days=1)
    recent = account(engine, "T-RECENT", at(young_since), closed_at=at(young_since))
    active = account(engine, "T-ACTIVE", at(TODAY - timedelta(days=4000)))
    calls = {
        age: insert_row(
            engine,
            schema.call_recordings,
            customer_id=active,
            recorded_at=at(TODAY - timedelta(days=age)),
            duration_s=60,
            storage_ref=f"recordings/{age}.ogg",
        )
        for age in (31, 30, 29)
    }
    two_years = add_months(TODAY, -24)
    logs = {
        name: insert_row(
            engine,
            schema.web_logs,
            customer_id=active,
            logged_at=at(day),
            site="example.test",
            path="/",
            client_ip="192.0.2.1",
        )
        for name, day in (
            ("old", two_years - timedelta(days=1)),
            ("young", two_years + timedelta(days=1)),
        )
    }

    deleted = await billing.delete_expired(TODAY, POLICY)

    assert f"call_recordings:{calls[31]}" in ids(deleted, "call_recordings")
    assert f"call_recordings:{calls[30]}" in ids(deleted, "call_recordings")  # the 30th day
    assert exists(engine, schema.call_recordings, calls[29])
    assert not exists(engine, schema.call_recordings, calls[31])
    assert ids(deleted, "web_logs") >= {f"web_logs:{logs['old']}"}
    assert exists(engine, schema.web_logs, logs["young"])
    assert not exists(engine, schema.web_logs, logs["old"])
    assert f"customers:{stale}" in ids(deleted, "inactive_accounts")
    assert not exists(engine, schema.customers, stale)
    assert exists(engine, schema.customers, recent)
    assert exists(engine, schema.customers, active)
    # A second sweep the same day finds nothing more of these.
    again = await billing.delete_expired(TODAY, POLICY)
    assert not ids(again) & ids(deleted)


async def test_an_inactive_account_goes_with_everything_it_holds(admin_engine: Engine) -> None:
    engine, billing = admin_engine, BillingConnector(admin_engine)
    long_ago = add_months(TODAY, -100)
    cid = account(engine, "T-OLD", at(long_ago), closed_at=at(long_ago))
    invoice = insert_row(engine, schema.invoices, customer_id=cid, number="T-OLD-1",
                         issued_on=long_ago, total_cents=100, billing_name="x",
                         billing_address="y")  # fmt: skip
    payment = insert_row(engine, schema.payments, invoice_id=invoice, paid_on=long_ago,
                         amount_cents=100, method="sepa")  # fmt: skip
    ticket = insert_row(engine, schema.support_tickets, customer_id=cid, opened_at=at(long_ago),
                        subject="s", body="b")  # fmt: skip

    await billing.delete_expired(TODAY, POLICY)

    rows = [
        (schema.customers, cid),
        (schema.invoices, invoice),
        (schema.payments, payment),
        (schema.support_tickets, ticket),
    ]
    for table, row_id in rows:
        assert not exists(engine, table, row_id), table.name


async def test_an_account_with_a_running_service_is_never_inactive(admin_engine: Engine) -> None:
    engine, billing = admin_engine, BillingConnector(admin_engine)
    long_ago = add_months(TODAY, -100)
    cid = account(engine, "T-HOSTED", at(long_ago))
    insert_row(engine, schema.services, customer_id=cid, type="hosting", plan="basic",
               status="active", started_on=long_ago)  # fmt: skip
    await billing.delete_expired(TODAY, POLICY)
    assert exists(engine, schema.customers, cid)


async def test_what_an_erasure_kept_goes_on_its_own_day_and_not_before(
    admin_engine_each_backend: Engine, admin_seed: SeedSummary
) -> None:
    any_engine = admin_engine_each_backend
    billing = BillingConnector(any_engine)
    located = await billing.locate(
        SubjectIdentifiers(email=admin_seed.rich_customer.email), Hints()
    )
    plan = await billing.plan_erasure(located, POLICY, ADMIN_TODAY)
    assert (await billing.erase(located, plan)).status is OutcomeStatus.DONE
    scheduled: dict[str, date] = {}
    with any_engine.connect() as conn:
        for table in (schema.invoices, schema.payments, schema.orders, schema.consents,
                      schema.services):  # fmt: skip
            query = select(table.c.id, table.c.delete_after).where(
                table.c.delete_after.is_not(None)
            )
            scheduled |= {f"{table.name}:{i}": day for i, day in conn.execute(query)}
    assert {key.split(":")[0] for key in scheduled} == {
        "invoices", "payments", "orders", "consents", "services",
    }  # fmt: skip
    days = sorted(set(scheduled.values()))
    first, last = days[0], days[-1]

    early = await billing.delete_expired(first - timedelta(days=1), POLICY)
    assert not ids(early) & set(scheduled)
    on_first = ids(await billing.delete_expired(first, POLICY))
    assert {k for k, day in scheduled.items() if day == first} <= on_first
    assert not {k for k, day in scheduled.items() if day > first} & on_first
    later = ids(await billing.delete_expired(last + timedelta(days=400), POLICY))
    assert {k for k, day in scheduled.items() if day > first} <= later


async def test_a_payment_kept_longer_keeps_its_invoice(
    admin_engine: Engine, admin_seed: SeedSummary
) -> None:
    engine, billing = admin_engine, BillingConnector(admin_engine)
    located = await billing.locate(
        SubjectIdentifiers(email=admin_seed.rich_customer.email), Hints()
    )
    await billing.erase(located, await billing.plan_erasure(located, POLICY, ADMIN_TODAY))
    with engine.connect() as conn:
        invoice_id, due = conn.execute(
            select(schema.invoices.c.id, schema.invoices.c.delete_after)
            .where(schema.invoices.c.delete_after.is_not(None))
            .order_by(schema.invoices.c.delete_after)
        ).first()  # type: ignore[misc]
        payment_id = conn.scalar(
            select(schema.payments.c.id).where(schema.payments.c.invoice_id == invoice_id)
        )
    assert payment_id is not None
    later = due + timedelta(days=30)
    with engine.begin() as conn:
        conn.execute(
            update(schema.payments).where(schema.payments.c.id == payment_id)
            .values(delete_after=later)
        )  # fmt: skip

    await billing.delete_expired(due, POLICY)
    assert exists(engine, schema.invoices, invoice_id)  # its payment is still kept
    await billing.delete_expired(later, POLICY)
    assert not exists(engine, schema.invoices, invoice_id)
    assert not exists(engine, schema.payments, payment_id)
