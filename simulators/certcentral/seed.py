"""The CertCentral account the simulator serves, seeded from the administration database.

The demo's customers hold the same order and organisation ids at the CA. Some organisations
carry a second order placed by the customer's technical contact, and the hosting company keeps
an organisation of its own: other people's records, so that "still in use" is a real case. DV
orders have no organisation and so no organisation contact.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, RowMapping, select

from connectors.billing.wire import certificates, contacts, customers
from simulators.certcentral.data import (
    API_USER,
    STAFF,
    VALIDITY_DAYS,
    CertCentralState,
    Order,
    Organization,
    Person,
)

SECOND_ORDER_OFFSET = 5  # seeded order ids step by 10, so +5 never meets another order


def seed_from_administration(
    engine: Engine, *, today: date, auto_approve_after: float | None = None
) -> CertCentralState:
    """An order per administration certificate at CertCentral, an organisation per OV one."""
    with engine.connect() as conn:
        rows = list(conn.execute(_certificates_query()).mappings())
        technical = _technical_contacts(conn)
    organizations = {700000: _company_organization()}
    orders = [_company_order(today)]
    for row in rows:
        customer_id, order_id = row["customer_id"], int(row["order_ref"])
        holder = _person(10_000 + customer_id, row["name"], row["email"], row["phone"], "Owner")
        tech = technical.get(customer_id, holder)
        org_id = int(row["organisation_ref"]) if row["organisation_ref"] else None
        status = "issued" if row["status"] == "issued" else "expired"
        validity = _validity(order_id, status, today)
        kind = row["validation"].lower()
        # A DV certificate names no organisation, so its order has no organisation contact.
        organization_contact = holder if kind != "dv" else None
        order = Order(
            order_id,
            row["common_name"],
            kind,
            status,
            *validity,
            holder,
            organization_contact,
            tech,
        )
        order.organization_id = org_id
        orders.append(order)
        if org_id is not None:
            organizations[org_id] = _organization(org_id, row, holder, tech)
            if customer_id == 1 or customer_id % 2 == 0:
                orders.append(_second_order(order, tech, today))
    return CertCentralState(
        orders,
        list(organizations.values()),
        api_user=API_USER,
        today=today,
        auto_approve_after=auto_approve_after,
    )


def _certificates_query() -> Any:
    certificate = ("customer_id", "order_ref", "common_name", "validation", "organisation_ref")
    customer = ("name", "email", "phone", "street", "postcode", "city", "country", "company")
    return (
        select(*(certificates.c[n] for n in certificate), certificates.c.status)
        .add_columns(*(customers.c[n] for n in customer))
        .join(customers, certificates.c.customer_id == customers.c.id)
        .where(certificates.c.ca == "certcentral")
        .order_by(certificates.c.id)
    )


def _technical_contacts(conn: Any) -> dict[int, Person]:
    """The first technical contact of each customer: often a person other than the holder."""
    columns = (contacts.c[n] for n in ("id", "customer_id", "name", "email", "phone"))
    query = select(*columns).where(contacts.c.role == "technical").order_by(contacts.c.id)
    found: dict[int, Person] = {}
    for row in conn.execute(query).mappings():
        person = _person(20_000 + row["id"], row["name"], row["email"], row["phone"], "Developer")
        found.setdefault(row["customer_id"], person)
    return found


def _person(
    person_id: int, name: str, email: str | None, phone: str | None, job_title: str
) -> Person:
    first, _, last = name.partition(" ")
    return Person(person_id, first, last, email or "", phone or "", job_title)


def _validity(order_id: int, status: str, today: date) -> tuple[date, date]:
    """From and till; spread by id, so the seed is the same every run yet not all alike."""
    if status == "issued":
        start = today - timedelta(days=30 + order_id % 300)
    else:
        start = today - timedelta(days=VALIDITY_DAYS + 1 + order_id % 200)
    return start, start + timedelta(days=VALIDITY_DAYS)


def _second_order(first: Order, requester: Person, today: date) -> Order:
    """A mail-server certificate of the same organisation, ordered by its technical contact."""
    order_id = first.id + SECOND_ORDER_OFFSET
    valid_from, valid_till = _validity(order_id, first.status, today)
    return replace(
        first,
        id=order_id,
        common_name="mail." + first.common_name.removeprefix("www."),
        valid_from=valid_from,
        valid_till=valid_till,
        requester=requester,
        technical_contact=requester,
        request_ids=[],
    )


def _organization(
    organization_id: int, row: RowMapping, holder: Person, technical: Person
) -> Organization:
    return Organization(
        id=organization_id,
        name=row["company"] or row["name"],
        address=row["street"] or "",
        zip=row["postcode"] or "",
        city=row["city"] or "",
        country=(row["country"] or "").lower(),
        telephone=row["phone"] or "",
        contact=holder,
        technical=technical,
    )


def _company_organization() -> Organization:
    """The hosting company's own organisation: the account's first, never a subject's."""
    return Organization(
        700000, "Example Hosting B.V.", "Keizersgracht 1", "1015 AA", "Amsterdam", "nl",
        "+31.201234567", STAFF, STAFF,
    )  # fmt: skip


def _company_order(today: date) -> Order:
    validity = _validity(40000000, "issued", today)
    return Order(
        40000000, "www.example-hosting.nl", "ov", "issued", *validity, STAFF, STAFF, STAFF,
        organization_id=700000,
    )  # fmt: skip
