"""Rectification, restriction, objection and scheduled deletion in the administration database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select

from connectors.base import Connector
from connectors.billing import BillingConnector
from connectors.billing import wire as schema
from domain.datasets import portable_names
from domain.records import Located, OutcomeStatus
from domain.retention import RetentionPolicy
from domain.rights import Purpose, parse_changes
from domain.subject import Hints, SubjectIdentifiers
from simulators.billing import SeedSummary
from tests.connectors.memory_sink import MemorySink
from tests.fixtures.administration import ADMIN_TODAY

CORRECTIONS = (
    "name=Anna de Wit", "email=anna.dewit900@example.nl", "phone=+31.612345678",
    "street=Nieuwe Gracht 12", "postcode=3512 LT", "city=Leeuwarden", "country=BE",
    "company=De Wit Webdesign B.V.",
)  # fmt: skip
RESTRICTABLE = ("invoices", "payments", "orders", "consents", "services")


@pytest.fixture
def engine(admin_engine: Engine) -> Engine:
    return admin_engine


@pytest.fixture
def any_engine(admin_engine_each_backend: Engine) -> Engine:
    return admin_engine_each_backend


@pytest.fixture
def billing(engine: Engine) -> BillingConnector:
    return BillingConnector(engine)


@pytest.fixture
async def rich(billing: BillingConnector, admin_seed: SeedSummary) -> Located:
    """The rich customer's account, located by their email."""
    return await _locate(billing, email=admin_seed.rich_customer.email)


def _rows(engine: Engine, table: Any, *where: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        query = select(table).where(*where).order_by(table.c.id)
        return [dict(row) for row in conn.execute(query).mappings()]


def _snapshot(engine: Engine) -> dict[str, dict[int, dict[str, Any]]]:
    return {t.name: {r["id"]: r for r in _rows(engine, t)} for t in schema.metadata.sorted_tables}


def _customer(engine: Engine, customer_id: int) -> dict[str, Any]:
    return _rows(engine, schema.customers, schema.customers.c.id == customer_id)[0]


def _consents_of(engine: Engine, customer_id: int) -> dict[str, dict[str, Any]]:
    rows = _rows(engine, schema.consents, schema.consents.c.customer_id == customer_id)
    return {row["purpose"]: row for row in rows}


def _changed_tables(
    before: dict[str, dict[int, dict[str, Any]]], after: dict[str, dict[int, dict[str, Any]]]
) -> dict[str, set[int]]:
    """Per table, the ids of rows that differ (or appeared or went)."""
    changed = {
        table: {i for i in rows.keys() | after[table].keys() if rows.get(i) != after[table].get(i)}
        for table, rows in before.items()
    }
    return {table: ids for table, ids in changed.items() if ids}


async def _locate(billing: BillingConnector, **identifiers: str) -> Located:
    return await billing.locate(SubjectIdentifiers(**identifiers), Hints())


async def _erase(billing: BillingConnector, located: Located) -> None:
    plan = await billing.plan_erasure(located, RetentionPolicy(), ADMIN_TODAY)
    assert (await billing.erase(located, plan)).status is OutcomeStatus.DONE


async def test_portable_names_exported_datasets_the_subject_provided_or_the_contract_made(
    billing: BillingConnector, admin_seed: SeedSummary
) -> None:
    assert isinstance(billing, Connector)
    assert portable_names(billing.datasets) == {
        "customer", "contacts", "services", "orders", "domains", "support_tickets",
    }  # fmt: skip
    sink = MemorySink()
    await billing.export(await _locate(billing, email=admin_seed.rich_customer.email), sink)
    assert portable_names(billing.datasets) <= set(sink.datasets)
    for own_record in ("invoices", "payments", "consents", "call_recordings"):
        assert own_record not in portable_names(billing.datasets)
    assert sink.datasets["customer"][0]["profiling_opt_in"] is True


async def test_rectify_corrects_the_account_and_the_holders_contact_rows_only(
    any_engine: Engine, admin_seed: SeedSummary
) -> None:
    billing = BillingConnector(any_engine)
    rich = admin_seed.rich_customer
    located = await _locate(billing, email=rich.email)
    other_person = next(c for c in admin_seed.contacts if c.customer_id == 1)
    before = _snapshot(any_engine)

    outcome = await billing.rectify(located, parse_changes(CORRECTIONS))
    after = _snapshot(any_engine)

    assert outcome.status is OutcomeStatus.DONE
    customer = after["customers"][1]
    assert (customer["name"], customer["email"], customer["phone"]) == (
        "Anna de Wit", "anna.dewit900@example.nl", "+31.612345678",
    )  # fmt: skip
    assert (customer["street"], customer["postcode"], customer["city"]) == (
        "Nieuwe Gracht 12", "3512 LT", "Leeuwarden",
    )  # fmt: skip
    assert (customer["country"], customer["company"]) == ("BE", "De Wit Webdesign B.V.")
    billing_contact = next(
        row
        for row in after["contacts"].values()
        if row["customer_id"] == 1 and row["role"] == "billing"
    )
    assert (billing_contact["name"], billing_contact["email"]) == (
        "Anna de Wit", "anna.dewit900@example.nl",
    )  # fmt: skip
    assert after["contacts"][other_person.contact_id]["email"] == other_person.email
    # Invoices stay as issued; nothing but the customer row and the holder's contact changed.
    assert _changed_tables(before, after) == {
        "customers": {1},
        "contacts": {billing_contact["id"]},
    }
    issued = sum(row["customer_id"] == 1 for row in after["invoices"].values())
    assert outcome.detail == (
        "Corrected name, email, phone, street, postcode, city, country and company in "
        "1 customer account, and name, email and phone in 1 contact record. The issued "
        f"invoices ({issued}) and their payments were not changed: tax law requires invoices "
        "to stay as issued."
    )
    for value in ("Anna", "Wit", "anna.dewit900", "612345678", "Gracht", "3512", "Leeuwarden"):
        assert value.lower() not in outcome.detail.lower()
    assert (await _locate(billing, email="anna.dewit900@example.nl")).refs == ("customer:1",)

    again = await billing.rectify(located, parse_changes(CORRECTIONS))
    assert (again.status, again.detail) == (OutcomeStatus.DONE, outcome.detail)
    assert _snapshot(any_engine) == after


async def test_rectify_of_contact_fields_does_not_mention_invoices(
    billing: BillingConnector, engine: Engine, rich: Located
) -> None:
    outcome = await billing.rectify(rich, parse_changes(["phone=+31.687654321"]))
    assert outcome.status is OutcomeStatus.DONE
    assert outcome.detail == "Corrected phone in 1 customer account and 1 contact record."
    assert _customer(engine, 1)["phone"] == "+31.687654321"


async def test_rectify_of_a_contact_person_changes_their_rows_and_ignores_an_address(
    billing: BillingConnector, engine: Engine, admin_seed: SeedSummary
) -> None:
    shared = [c for c in admin_seed.contacts if c.customer_id in (2, 3) and c.role == "technical"]
    freelancer = next(c for c in shared if sum(o.email == c.email for o in shared) == 2)
    located = await _locate(billing, email=freelancer.email)
    before = _snapshot(engine)

    outcome = await billing.rectify(located, parse_changes(["name=Kees Bos", "city=Delft"]))
    after = _snapshot(engine)

    assert outcome.status is OutcomeStatus.DONE
    assert outcome.detail == "Corrected name in 2 contact records."
    changed = _changed_tables(before, after)
    assert list(changed) == ["contacts"] and len(changed["contacts"]) == 2
    assert all(after["contacts"][i]["name"] == "Kees Bos" for i in changed["contacts"])

    nothing = await billing.rectify(located, parse_changes(["street=Markt 1"]))
    assert nothing.status is OutcomeStatus.DONE and "nothing was changed" in nothing.detail
    assert _snapshot(engine) == after


async def test_rectify_of_an_erased_account_writes_nothing_back(
    billing: BillingConnector, engine: Engine, admin_seed: SeedSummary
) -> None:
    rich = admin_seed.rich_customer
    await _erase(billing, await _locate(billing, email=rich.email))
    assert not (await _locate(billing, email=rich.email)).found
    by_number = await _locate(billing, customer_number=rich.customer_number)
    assert by_number.refs == ("customer:1",)
    before = _snapshot(engine)

    outcome = await billing.rectify(by_number, parse_changes(CORRECTIONS))

    assert outcome.status is OutcomeStatus.NOT_FOUND and "erased" in outcome.detail
    assert _snapshot(engine) == before
    assert _customer(engine, 1)["email"] is None


async def test_restrict_marks_the_account_and_every_kept_record(
    any_engine: Engine, admin_seed: SeedSummary
) -> None:
    billing = BillingConnector(any_engine)
    located = await _locate(billing, email=admin_seed.rich_customer.email)
    before = _snapshot(any_engine)

    outcome = await billing.restrict(located)
    after = _snapshot(any_engine)

    assert outcome.status is OutcomeStatus.DONE
    assert "stays stored but is not processed otherwise" in outcome.detail
    assert after["customers"][1]["processing_restricted"] is True
    invoice_ids = {i for i, row in after["invoices"].items() if row["customer_id"] == 1}
    mine = {
        "invoices": invoice_ids,
        "payments": {i for i, r in after["payments"].items() if r["invoice_id"] in invoice_ids},
        "orders": {i for i, r in after["orders"].items() if r["customer_id"] == 1},
        "consents": {i for i, r in after["consents"].items() if r["customer_id"] == 1},
        "services": {i for i, r in after["services"].items() if r["customer_id"] == 1},
    }
    for table in RESTRICTABLE:
        assert mine[table], table
        assert all(after[table][i]["restricted"] for i in mine[table]), table
        assert all(after[table][i]["delete_after"] is None for i in mine[table]), table
    contacts = {i: row for i, row in after["contacts"].items() if row["customer_id"] == 1}
    holder = {i for i, row in contacts.items() if row["email"] == admin_seed.rich_customer.email}
    assert {i for i, row in contacts.items() if row["processing_restricted"]} == holder
    changed = _changed_tables(before, after)
    assert changed == {"customers": {1}, "contacts": holder, **mine}
    records = sum(len(ids) for ids in mine.values()) + len(holder)
    assert f"1 customer account and {records} records as restricted" in outcome.detail

    again = await billing.restrict(located)
    assert (again.status, again.detail) == (OutcomeStatus.DONE, outcome.detail)
    assert _snapshot(any_engine) == after


async def test_restrict_of_a_contact_person_marks_only_their_row(
    billing: BillingConnector, engine: Engine, admin_seed: SeedSummary
) -> None:
    contact = next(c for c in admin_seed.contacts if c.customer_id == 1)
    before = _snapshot(engine)
    outcome = await billing.restrict(await _locate(billing, email=contact.email))
    after = _snapshot(engine)
    assert (
        outcome.status is OutcomeStatus.DONE
        and "0 customer accounts and 1 record" in outcome.detail
    )
    assert _changed_tables(before, after) == {"contacts": {contact.contact_id}}
    assert after["contacts"][contact.contact_id]["processing_restricted"] is True


async def test_restrict_of_an_erased_account_is_done_and_changes_nothing(
    billing: BillingConnector, engine: Engine, admin_seed: SeedSummary
) -> None:
    rich = admin_seed.rich_customer
    await _erase(billing, await _locate(billing, email=rich.email))
    before = _snapshot(engine)
    outcome = await billing.restrict(await _locate(billing, customer_number=rich.customer_number))
    assert outcome.status is OutcomeStatus.DONE
    assert _snapshot(engine) == before


async def test_object_to_direct_marketing_withdraws_marketing_consents_once(
    billing: BillingConnector, engine: Engine, rich: Located
) -> None:
    assert _customer(engine, 1)["marketing_opt_in"] is True
    before = _snapshot(engine)

    outcome = await billing.object_to(rich, (Purpose.DIRECT_MARKETING,))
    after = _snapshot(engine)

    assert outcome.status is OutcomeStatus.DONE and "Stopped direct marketing" in outcome.detail
    customer = after["customers"][1]
    assert customer["marketing_opt_in"] is False
    assert customer["profiling_opt_in"] is True and customer["processing_restricted"] is False
    consents = _consents_of(engine, 1)
    assert consents["newsletter"]["withdrawn_at"] and consents["webinars"]["withdrawn_at"]
    assert set(_changed_tables(before, after)) == {"customers", "consents"}

    again = await billing.object_to(rich, (Purpose.DIRECT_MARKETING,))
    assert (again.status, again.detail) == (OutcomeStatus.DONE, outcome.detail)
    assert _snapshot(engine) == after  # the first withdrawal time stays


async def test_object_to_profiling_turns_it_off_and_withdraws_its_consent_only(
    billing: BillingConnector, engine: Engine, admin_seed: SeedSummary
) -> None:
    profiled = next(c for c in admin_seed.customers[1:] if c.profiling)
    located = await _locate(billing, email=profiled.email)
    assert _consents_of(engine, profiled.customer_id)["profiling"]["withdrawn_at"] is None

    outcome = await billing.object_to(located, (Purpose.PROFILING,))

    assert outcome.status is OutcomeStatus.DONE and "Stopped profiling" in outcome.detail
    customer = _customer(engine, profiled.customer_id)
    assert customer["profiling_opt_in"] is False and customer["marketing_opt_in"] is True
    consents = _consents_of(engine, profiled.customer_id)
    assert consents["profiling"]["withdrawn_at"] is not None
    assert consents["newsletter"]["withdrawn_at"] is None
    assert _customer(engine, 1)["profiling_opt_in"] is True


async def test_object_to_an_upheld_objection_restricts_the_account(
    billing: BillingConnector, engine: Engine, rich: Located
) -> None:
    purposes = (Purpose.DIRECT_MARKETING, Purpose.PROFILING, Purpose.OTHER)

    outcome = await billing.object_to(rich, purposes)

    assert outcome.status is OutcomeStatus.DONE
    assert "beyond what the contract and the law require has stopped" in outcome.detail
    customer = _customer(engine, 1)
    assert customer["processing_restricted"] is True
    assert customer["marketing_opt_in"] is customer["profiling_opt_in"] is False
    assert (await billing.object_to(rich, purposes)).detail == outcome.detail


async def test_object_to_by_a_contact_person_of_marketing_is_not_processed_here(
    billing: BillingConnector, engine: Engine, admin_seed: SeedSummary
) -> None:
    contact = next(c for c in admin_seed.contacts if c.customer_id == 1)
    located = await _locate(billing, email=contact.email)
    before = _snapshot(engine)
    outcome = await billing.object_to(located, (Purpose.DIRECT_MARKETING, Purpose.PROFILING))
    assert outcome.status is OutcomeStatus.NOT_PROCESSED
    assert outcome.detail == "This system does not process data for: direct marketing, profiling."
    assert _snapshot(engine) == before


async def test_rights_of_nobody_are_not_found(billing: BillingConnector) -> None:
    located = await _locate(billing, email="nobody9999@example.org")
    outcomes = [
        await billing.rectify(located, parse_changes(["city=Delft"])),
        await billing.restrict(located),
        await billing.object_to(located, (Purpose.DIRECT_MARKETING,)),
    ]
    assert {o.status for o in outcomes} == {OutcomeStatus.NOT_FOUND}
