"""The synthetic administration: deterministic, eight years deep, safe to search by email."""

from __future__ import annotations

from datetime import date
from itertools import permutations
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from connectors.billing import wire as schema
from domain.deadlines import add_months
from simulators.billing import SeedSummary, create_and_seed
from tests.fixtures.administration import ADMIN_TODAY


def _dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = schema.create_admin_engine(url)
    try:
        return _dump_engine(engine)
    finally:
        engine.dispose()


def _dump_engine(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(select(table).order_by(table.c.id))]
            for table in schema.metadata.sorted_tables
        }


def test_same_seed_gives_the_same_data(tmp_path: Path) -> None:
    urls = [f"sqlite:///{tmp_path / name}" for name in ("a.sqlite3", "b.sqlite3", "c.sqlite3")]
    first = create_and_seed(urls[0], customers=20, today=ADMIN_TODAY, rng_seed=7)
    second = create_and_seed(urls[1], customers=20, today=ADMIN_TODAY, rng_seed=7)
    other = create_and_seed(urls[2], customers=20, today=ADMIN_TODAY, rng_seed=8)

    assert first == second
    assert _dump(urls[0]) == _dump(urls[1])
    assert _dump(urls[0]) != _dump(urls[2])
    assert first != other


def test_seed_covers_eight_years_both_registrars_and_both_rirs(admin_db_url: str) -> None:
    data = _dump(admin_db_url)
    columns = {t.name: [c.name for c in t.columns] for t in schema.metadata.sorted_tables}

    def values(table: str, column: str) -> list[Any]:
        index = columns[table].index(column)
        return [row[index] for row in data[table]]

    issued = values("invoices", "issued_on")
    assert min(issued) < add_months(ADMIN_TODAY, -8 * 12)
    assert any(day <= add_months(ADMIN_TODAY, -7 * 12) for day in issued)
    assert any(day > add_months(ADMIN_TODAY, -12) for day in issued)
    assert set(values("domains", "registrar")) == {"openprovider", "epp-registry"}
    assert set(values("ip_assignments", "rir")) == {"ripe", "arin"}
    assert set(values("certificates", "validation")) == {"DV", "OV"}
    assert len(data["customers"]) == 60


def test_payments_hold_no_card_numbers(admin_db_url: str) -> None:
    engine = schema.create_admin_engine(admin_db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(schema.payments)).mappings().all()
    engine.dispose()
    assert rows
    for row in rows:
        assert row["card_last4"] is None or len(row["card_last4"]) == 4
        assert (row["method"] == "card") == (row["card_holder"] is not None)


def test_emails_are_unique_per_person_and_never_substrings(admin_seed: SeedSummary) -> None:
    people = {c.email: c.name for c in admin_seed.customers}
    people.update({c.email: c.name for c in admin_seed.contacts})
    assert len({c.email for c in admin_seed.customers}) == len(admin_seed.customers)
    for one, other in permutations(people, 2):
        assert one not in other


def test_customer_emails_never_appear_on_other_accounts(admin_db_url: str) -> None:
    engine = schema.create_admin_engine(admin_db_url)
    with engine.connect() as conn:
        holders = dict(conn.execute(select(schema.customers.c.email, schema.customers.c.id)).all())
        contact_rows = conn.execute(
            select(schema.contacts.c.email, schema.contacts.c.customer_id)
        ).all()
    engine.dispose()
    for email, customer_id in contact_rows:
        assert holders.get(email, customer_id) == customer_id


def test_rich_customer_has_everything(admin_db_url: str, admin_seed: SeedSummary) -> None:
    rich = admin_seed.rich_customer
    assert (rich.customer_id, rich.customer_number, rich.newsletter) == (1, "C100001", True)
    engine = schema.create_admin_engine(admin_db_url)
    with engine.connect() as conn:

        def of_rich(table: Any, column: str) -> list[Any]:
            query = select(table.c[column]).where(table.c.customer_id == 1)
            return list(conn.scalars(query))

        issued = of_rich(schema.invoices, "issued_on")
        registrars = set(of_rich(schema.domains, "registrar"))
        rirs = set(of_rich(schema.ip_assignments, "rir"))
        validations = set(of_rich(schema.certificates, "validation"))
        purposes = set(of_rich(schema.consents, "purpose"))
        recordings = of_rich(schema.call_recordings, "id")
    engine.dispose()
    assert min(issued) < add_months(ADMIN_TODAY, -8 * 12) and max(issued) > date(2026, 1, 1)
    assert registrars == {"openprovider", "epp-registry"}
    assert rirs == {"ripe", "arin"}
    assert validations == {"DV", "OV"}
    assert purposes == {"newsletter", "webinars"}
    assert recordings
    assert any(contact.customer_id == 1 for contact in admin_seed.contacts)
