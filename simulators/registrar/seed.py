"""The registrar simulator's seed: the administration's customers as handles, their domains.

Seeded from the administration database so the demo's customers exist at the registrar with
the same handles, names and emails. Other people appear too: contact persons of a customer
hold handles that are admin-c or tech-c of that customer's domains, so deleting a handle is
refused for real until its domains point elsewhere.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from connectors.billing.wire import contacts, create_admin_engine, customers, domains
from simulators.registrar.data import ACTIVE, Domain, RegistrarState

_DOMAIN_IDS = 10_000_000
_CUSTOMER_IDS = 100_000
_CONTACT_HANDLE_NUMBERS = 900_000


def company_record(handle: str) -> dict[str, Any]:
    """The hosting company's own handle: the registrant its customers' domains move to."""
    return {
        "id": _CUSTOMER_IDS,
        "handle": handle,
        "company_name": "Hosting company (reseller)",
        "name": {"first_name": "Domain", "prefix": "", "last_name": "Desk",
                 "full_name": "Domain Desk"},
        "email": "domains@hosting.example",
        "phone": {"country_code": "+31", "area_code": "20", "subscriber_number": "5550100"},
        "address": {"street": "Keizersgracht", "number": "1", "suffix": "", "zipcode": "1015 AA",
                    "city": "Amsterdam", "state": "", "country": "NL"},
        "locale": "nl_NL",
    }  # fmt: skip


def seeded_state(admin_db_url: str, company_handle: str) -> RegistrarState:
    """A fresh state seeded from the administration database at `admin_db_url`."""
    engine = create_admin_engine(admin_db_url)
    try:
        return seed_from_administration(engine, company_handle)
    finally:
        engine.dispose()


def seed_from_administration(engine: Engine, company_handle: str) -> RegistrarState:
    """Handles and domains for every domain the administration keeps at "openprovider"."""
    state = RegistrarState()
    state.customers[company_handle] = company_record(company_handle)
    with engine.connect() as conn:
        people = {row.id: row for row in conn.execute(select(customers))}
        contact_rows = list(conn.execute(select(contacts).order_by(contacts.c.id)))
        domain_rows = list(
            conn.execute(
                select(domains).where(domains.c.registrar == "openprovider").order_by(domains.c.id)
            )
        )
    today = date.today()
    position: dict[int, int] = {}
    for row in domain_rows:
        holder = people[row.customer_id]
        owner = row.registrant_handle
        if owner not in state.customers:
            state.customers[owner] = _person_record(len(state.customers), owner, holder, holder)
        nth = position[row.customer_id] = position.get(row.customer_id, -1) + 1
        roles = _contact_handles(state, holder, contact_rows)
        admins, techs = roles.get("admin", [owner]), roles.get("technical", [company_handle])
        label, _, extension = row.name.rpartition(".")
        created = holder.created_at.date()
        state.domains[_DOMAIN_IDS + row.id] = Domain(
            id=_DOMAIN_IDS + row.id, name=label, extension=extension, owner_handle=owner,
            admin_handle=admins[nth % len(admins)], tech_handle=techs[nth % len(techs)],
            billing_handle=company_handle, status=ACTIVE if row.status == "active" else "DEL",
            creation_date=created.isoformat(), expiration_date=_next_anniversary(created, today),
        )  # fmt: skip
    return state


def _contact_handles(state: RegistrarState, holder: Any, rows: list[Any]) -> dict[str, list[str]]:
    """Handles of the holder's contact persons who are someone else, by role; one per email."""
    by_email = {c["email"].lower(): h for h, c in state.customers.items()}
    roles: dict[str, list[str]] = {}
    for row in rows:
        if row.customer_id != holder.id or row.email.lower() == (holder.email or "").lower():
            continue
        handle = by_email.get(row.email.lower())
        if handle is None:
            handle = f"{_initials(row.name)}{_CONTACT_HANDLE_NUMBERS + row.id:06d}-NL"
            state.customers[handle] = _person_record(len(state.customers), handle, row, holder)
            by_email[row.email.lower()] = handle
        roles.setdefault(row.role, []).append(handle)
    return roles


def _person_record(n: int, handle: str, person: Any, holder: Any) -> dict[str, Any]:
    """A customer record; contact persons use the organisation's address, as admin-c often do."""
    first, *middle, last = person.name.split()
    street, _, number = (holder.street or "").rpartition(" ")
    return {
        "id": _CUSTOMER_IDS + n,
        "handle": handle,
        "company_name": holder.company or "",
        "name": {"first_name": first, "prefix": " ".join(middle), "last_name": last,
                 "full_name": person.name},
        "email": person.email,
        "phone": _phone(person.phone or ""),
        "address": {"street": street, "number": number, "suffix": "",
                    "zipcode": holder.postcode or "", "city": holder.city or "", "state": "",
                    "country": holder.country or ""},
        "locale": "nl_NL" if (person.phone or "").startswith("+31") else "en_GB",
    }  # fmt: skip


def _phone(text: str) -> dict[str, str]:
    """'+31 6 12345678' as the vendor's three parts."""
    parts = text.split()
    if len(parts) < 3:
        return {"country_code": "", "area_code": "", "subscriber_number": text}
    return {
        "country_code": parts[0],
        "area_code": parts[1],
        "subscriber_number": "".join(parts[2:]),
    }


def _initials(name: str) -> str:
    words = name.split()
    return (words[0][0] + words[-1][0]).upper()


def _next_anniversary(created: date, today: date) -> str:
    year = today.year if (created.month, created.day) > (today.month, today.day) else today.year + 1
    # 29 February registrations expire on 28 February in common years.
    day = min(created.day, 28) if created.month == 2 else created.day
    return date(year, created.month, day).isoformat()
