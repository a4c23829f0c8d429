"""The billing connector against a seeded administration database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from connectors.base import Connector
from connectors.billing import BillingConnector, create
from connectors.billing import wire as schema
from connectors.billing.connector import split_by_retention
from connectors.errors import SystemUnavailable
from domain.deadlines import add_months
from domain.records import OutcomeStatus, PlanAction, PlanItem
from domain.retention import RetentionPolicy
from domain.subject import Hints, SubjectIdentifiers
from runtime.settings import Settings
from simulators.billing import SeedSummary
from tests.connectors.memory_sink import MemorySink
from tests.fixtures.administration import ADMIN_TODAY

POLICY = RetentionPolicy()
ALL_DATASETS = {
    "customer", "contacts", "services", "domains", "certificates", "ip_assignments",
    "invoices", "payments", "orders", "consents", "support_tickets", "call_recordings",
}  # fmt: skip


@pytest.fixture
def engine(admin_db_url: str) -> Iterator[Engine]:
    engine = schema.create_admin_engine(admin_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def billing(engine: Engine) -> BillingConnector:
    return BillingConnector(engine)


def _by_email(email: str) -> SubjectIdentifiers:
    return SubjectIdentifiers(email=email)


def _rows(engine: Engine, table: Any, *where: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        query = select(table).where(*where).order_by(table.c.id)
        return [dict(row) for row in conn.execute(query).mappings()]


def _expected_invoice_split(engine: Engine, customer_id: int) -> tuple[int, int, date]:
    """(old, young, until) computed straight from the rows: 7 years after issue."""
    issued = [
        r["issued_on"]
        for r in _rows(engine, schema.invoices, schema.invoices.c.customer_id == customer_id)
    ]
    young = [add_months(day, 84) for day in issued if add_months(day, 84) > ADMIN_TODAY]
    return len(issued) - len(young), len(young), max(young)


def test_is_a_primary_connector(billing: BillingConnector) -> None:
    assert isinstance(billing, Connector)
    assert (billing.name, billing.phase.value) == ("billing", "primary")
    assert billing.recipient.name == "Administration and billing (in house)"


async def test_factory_uses_the_configured_database(
    admin_db_url: str, admin_seed: SeedSummary
) -> None:
    connector = create(Settings(admin_database_url=admin_db_url))
    located = await connector.locate(_by_email(admin_seed.rich_customer.email), Hints())
    await connector.aclose()
    assert located.found


async def test_locate_by_email_ignores_case(
    billing: BillingConnector, admin_seed: SeedSummary
) -> None:
    rich = admin_seed.rich_customer
    located = await billing.locate(_by_email(rich.email.upper()), Hints())

    assert located.found and located.refs == ("customer:1",)
    assert set(located.record_counts) == ALL_DATASETS
    assert located.record_counts["customer"] == 1 and located.record_counts["invoices"] > 28
    assert located.hints.customer_ids == ("1",)
    assert located.hints.emails == (rich.email,)
    assert len(located.hints.domains) == 3
    handles = located.hints.handles
    assert set(handles) == {"registrar-openprovider", "registry-epp", "ripe", "arin", "certcentral"}
    assert handles["ripe"][0].endswith("-RIPE") and handles["arin"][0].endswith("-ARIN")
    assert any(ref.startswith("organization:") for ref in handles["certcentral"])


async def test_locate_by_customer_number(
    billing: BillingConnector, admin_seed: SeedSummary
) -> None:
    customer = admin_seed.customers[4]
    located = await billing.locate(
        SubjectIdentifiers(customer_number=customer.customer_number), Hints()
    )
    assert located.refs == (f"customer:{customer.customer_id}",)
    assert located.hints.emails == (customer.email,)


async def test_locate_contact_person_finds_only_their_contact_rows(
    billing: BillingConnector, admin_seed: SeedSummary
) -> None:
    contact = next(c for c in admin_seed.contacts if c.customer_id == 1)
    located = await billing.locate(_by_email(contact.email), Hints())
    assert located.refs == (f"contact:{contact.contact_id}",)
    assert located.record_counts == {"contacts": 1}
    assert located.hints.customer_ids == () and located.hints.emails == (contact.email,)


async def test_locate_a_contact_of_two_accounts(
    billing: BillingConnector, admin_seed: SeedSummary
) -> None:
    shared = [c for c in admin_seed.contacts if c.customer_id in (2, 3) and c.role == "technical"]
    freelancer = next(c for c in shared if sum(o.email == c.email for o in shared) == 2)
    located = await billing.locate(_by_email(freelancer.email), Hints())
    assert len(located.refs) == 2 and all(ref.startswith("contact:") for ref in located.refs)


async def test_locate_unknown_subject(billing: BillingConnector) -> None:
    located = await billing.locate(_by_email("nobody9999@example.org"), Hints())
    assert not located.found and located.refs == () and located.record_counts == {}


async def test_located_holds_no_personal_data_outside_hint_emails(
    billing: BillingConnector, admin_seed: SeedSummary
) -> None:
    rich = admin_seed.rich_customer
    located = await billing.locate(_by_email(rich.email), Hints())
    hints = located.hints
    without_emails = repr(
        (located.refs, located.record_counts, hints.customer_ids, hints.domains, hints.handles)
    )
    for secret in (rich.email, rich.name, rich.name.split()[-1]):
        assert secret.lower() not in without_emails.lower()


async def test_export_writes_only_the_subjects_rows(
    billing: BillingConnector, admin_seed: SeedSummary
) -> None:
    rich = admin_seed.rich_customer
    located = await billing.locate(_by_email(rich.email), Hints())
    sink = MemorySink()
    summary = await billing.export(located, sink)

    assert set(sink.datasets) == ALL_DATASETS
    assert {d.dataset: d.records for d in summary.datasets} == located.record_counts
    assert [row["id"] for row in sink.datasets["customer"]] == [1]
    for dataset, rows in sink.datasets.items():
        if dataset not in ("customer", "payments"):
            assert {row["customer_id"] for row in rows} == {1}, dataset
    invoice_ids = {row["id"] for row in sink.datasets["invoices"]}
    assert {row["invoice_id"] for row in sink.datasets["payments"]} <= invoice_ids
    text = json.dumps(sink.datasets)
    assert rich.email in text
    for other in admin_seed.customers[1:]:
        assert other.email not in text


async def test_export_of_a_contact_person_is_their_contact_row(
    billing: BillingConnector, admin_seed: SeedSummary
) -> None:
    contact = next(c for c in admin_seed.contacts if c.customer_id == 1)
    sink = MemorySink()
    await billing.export(await billing.locate(_by_email(contact.email), Hints()), sink)
    assert list(sink.datasets) == ["contacts"]
    assert [row["id"] for row in sink.datasets["contacts"]] == [contact.contact_id]


def test_split_by_retention_acts_on_old_records_and_keeps_young_ones() -> None:
    today = date(2026, 11, 22)
    dates = [date(2019, 11, 21), date(2019, 11, 22), date(2019, 11, 23), date(2024, 2, 29)]
    act, keep = split_by_retention("invoices", dates, POLICY, today)
    assert (act.action, act.records) == (PlanAction.ACT, 2)
    assert (keep.action, keep.records, keep.until) == (PlanAction.RETAIN, 2, date(2031, 2, 28))
    assert "tax law" in keep.basis
    assert split_by_retention("support_tickets", dates, POLICY, today) == [
        PlanItem("support_tickets", PlanAction.ACT, 4)
    ]


async def test_plan_splits_invoices_at_the_seven_year_line(
    billing: BillingConnector, engine: Engine, admin_seed: SeedSummary
) -> None:
    located = await billing.locate(_by_email(admin_seed.rich_customer.email), Hints())
    plan = await billing.plan_erasure(located, POLICY, ADMIN_TODAY)
    items = {(i.category, i.action): i for i in plan.items}
    old, young, until = _expected_invoice_split(engine, 1)

    assert items["invoices", PlanAction.ACT].records == old > 0
    retained = items["invoices", PlanAction.RETAIN]
    assert (retained.records, retained.until) == (young, until)
    assert items["payments", PlanAction.RETAIN].until == until
    # Both consents still run: their proof is kept 5 years from the erasure (Art. 7(1)).
    assert ("consent_records", PlanAction.ACT) not in items
    assert items["consent_records", PlanAction.RETAIN].records == 2
    assert items["consent_records", PlanAction.RETAIN].until == add_months(ADMIN_TODAY, 60)
    # Contracts are ended by the erasure and kept 7 years from then.
    assert items["contracts", PlanAction.RETAIN].until == add_months(ADMIN_TODAY, 84)
    for category in ("customer", "contacts", "domains", "support_tickets"):
        assert items[category, PlanAction.ACT].records > 0
    assert any(
        s.startswith("hosting plan '") and s.endswith("(active)") for s in plan.active_services
    )
    assert sum(s.startswith("domain ") for s in plan.active_services) == 3


def _snapshot(engine: Engine) -> dict[str, dict[int, dict[str, Any]]]:
    return {t.name: {r["id"]: r for r in _rows(engine, t)} for t in schema.metadata.sorted_tables}


def _rows_of_customer(
    snapshot: dict[str, dict[int, dict[str, Any]]], customer_id: int
) -> dict[str, set[int]]:
    """Ids per table that belong to one customer's account."""
    owned = {
        table: {i for i, row in rows.items() if row.get("customer_id") == customer_id}
        for table, rows in snapshot.items()
    }
    owned["customers"] = {customer_id}
    owned["payments"] = {
        i for i, row in snapshot["payments"].items() if row["invoice_id"] in owned["invoices"]
    }
    return owned


async def test_erase_keeps_young_invoices_restricted_and_anonymises_the_rest(
    admin_db_url_each_backend: str, admin_seed: SeedSummary
) -> None:
    engine = schema.create_admin_engine(admin_db_url_each_backend)
    billing = BillingConnector(engine)
    try:
        rich = admin_seed.rich_customer
        located = await billing.locate(_by_email(rich.email), Hints())
        plan = await billing.plan_erasure(located, POLICY, ADMIN_TODAY)
        before = _snapshot(engine)
        owned = _rows_of_customer(before, 1)
        old, young, until = _expected_invoice_split(engine, 1)

        outcome = await billing.erase(located, plan)
        after = _snapshot(engine)
    finally:
        await billing.aclose()

    assert outcome.status is OutcomeStatus.DONE
    assert outcome.retained == tuple(i for i in plan.items if i.action is PlanAction.RETAIN)
    assert rich.email not in outcome.detail and rich.name not in outcome.detail

    invoices = [row for row in after["invoices"].values() if row["customer_id"] == 1]
    assert len(invoices) == young
    for row in invoices:
        # Each invoice is kept 7 years from its own date; the newest one sets the plan's date.
        assert row["restricted"] and row["delete_after"] == add_months(row["issued_on"], 84)
        assert row["billing_name"] == before["invoices"][row["id"]]["billing_name"]
    assert max(row["delete_after"] for row in invoices) == until
    kept_payments = [after["payments"][i] for i in owned["payments"] if i in after["payments"]]
    assert len(kept_payments) == young and all(p["restricted"] for p in kept_payments)
    assert len(owned["invoices"]) - len(invoices) == old

    customer = after["customers"][1]
    assert customer["name"] == "Erased customer #1"
    assert customer["email"] is customer["phone"] is customer["street"] is None
    assert customer["anonymised_at"] is not None and customer["processing_restricted"]
    assert not customer["marketing_opt_in"]
    for table in ("contacts", "support_tickets", "call_recordings"):
        assert not owned[table] & set(after[table]), table
    assert all(after["services"][i]["status"] == "ended" for i in owned["services"])
    for table in ("domains", "certificates", "ip_assignments"):
        assert all(after[table][i]["customer_id"] is None for i in owned[table]), table
    assert all(after["domains"][i]["registrant_handle"] is None for i in owned["domains"])
    consents = [row for row in after["consents"].values() if row["customer_id"] == 1]
    assert len(consents) == 2
    assert all(c["restricted"] and c["withdrawn_at"] and c["delete_after"] for c in consents)

    for table, rows in before.items():
        others = {i: row for i, row in rows.items() if i not in owned[table]}
        assert {i: after[table].get(i) for i in others} == others, table


async def test_erase_twice_is_idempotent(
    billing: BillingConnector, engine: Engine, admin_seed: SeedSummary
) -> None:
    located = await billing.locate(_by_email(admin_seed.rich_customer.email), Hints())
    plan = await billing.plan_erasure(located, POLICY, ADMIN_TODAY)
    first = await billing.erase(located, plan)
    state = _snapshot(engine)

    second = await billing.erase(located, plan)

    assert second.status is OutcomeStatus.DONE
    assert second.retained == first.retained and second.at == first.at
    assert _snapshot(engine) == state
    assert not (await billing.locate(_by_email(admin_seed.rich_customer.email), Hints())).found


async def test_erase_of_a_contact_person_leaves_the_account(
    billing: BillingConnector, engine: Engine, admin_seed: SeedSummary
) -> None:
    contact = next(c for c in admin_seed.contacts if c.customer_id == 1)
    located = await billing.locate(_by_email(contact.email), Hints())
    plan = await billing.plan_erasure(located, POLICY, ADMIN_TODAY)
    assert plan.items == (PlanItem("contacts", PlanAction.ACT, 1),) and plan.active_services == ()

    outcome = await billing.erase(located, plan)

    assert outcome.status is OutcomeStatus.DONE
    assert _rows(engine, schema.contacts, schema.contacts.c.id == contact.contact_id) == []
    assert _rows(engine, schema.customers, schema.customers.c.id == 1)[0]["anonymised_at"] is None
    assert (await billing.erase(located, plan)).status is OutcomeStatus.DONE


async def test_erase_refuses_a_plan_the_records_outgrew(
    billing: BillingConnector, engine: Engine, admin_seed: SeedSummary
) -> None:
    located = await billing.locate(_by_email(admin_seed.rich_customer.email), Hints())
    plan = await billing.plan_erasure(located, POLICY, ADMIN_TODAY)
    with engine.begin() as conn:
        new_order = insert(schema.orders).values(
            customer_id=1, ordered_on=ADMIN_TODAY, product="hosting Pro", amount_cents=2997
        )
        conn.execute(new_order)
    before = _snapshot(engine)

    outcome = await billing.erase(located, plan)

    assert outcome.status is OutcomeStatus.REFUSED
    assert _snapshot(engine) == before


async def test_erase_of_nobody_is_not_found(billing: BillingConnector) -> None:
    located = await billing.locate(_by_email("nobody9999@example.org"), Hints())
    plan = await billing.plan_erasure(located, POLICY, ADMIN_TODAY)
    assert plan.items == ()
    assert (await billing.erase(located, plan)).status is OutcomeStatus.NOT_FOUND


async def test_unreachable_database_is_system_unavailable(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir" / "administration.sqlite3"
    billing = BillingConnector(schema.create_admin_engine(f"sqlite:///{missing}"))
    with pytest.raises(SystemUnavailable) as raised:
        await billing.locate(_by_email("someone1@example.nl"), Hints())
    assert "someone1" not in str(raised.value) and raised.value.__cause__ is None
    await billing.aclose()
