"""Seeds the simulated EPP registry from the administration database.

The demo's customers exist at the registry with the same handles, names and emails; a few
objects of another registrar and shared tech contacts make "not yours" and "still used" real.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from connectors.billing.wire import customers, domains
from simulators.epp.data import Contact, Domain, Registry

OTHER_REGISTRAR = "other-registrar"
_SHARED_TECH_EVERY = 4  # every 4th domain has another customer's contact as tech-c


def seed_from_administration(engine: Engine, *, client_id: str, company_contact: str) -> Registry:
    """Our customers' contacts and domains at this registry, the company's contact, and others.

    One contact per registrant handle of an `epp-registry` domain, with the customer's data;
    active domains point at it as registrant, admin-c and tech-c. Closed accounts keep only
    the contact (their domains were cancelled). Some domains borrow another customer's
    contact as tech-c, and another registrar sponsors a few objects of its own.
    """
    roids = (f"{n}-SIM" for n in itertools.count(1))
    contacts: dict[str, Contact] = {}
    active: list[Domain] = []
    for row in _registry_rows(engine):
        handle = row["registrant_handle"]
        if handle not in contacts:
            contacts[handle] = _customer_contact(row, client_id, "C" + next(roids))
        if row["status"] == "active":
            active.append(
                _domain(row["domain"], handle, client_id, "D" + next(roids), row["created_at"])
            )
    _share_tech_contacts(active)
    contacts[company_contact] = _company_contact(company_contact, client_id, "C" + next(roids))
    others = list(_other_registrar_objects(roids))
    return Registry(
        [*contacts.values(), *(c for c, _ in others)], [*active, *(d for _, d in others)]
    )


def _registry_rows(engine: Engine) -> list[dict[str, Any]]:
    query = (
        select(
            domains.c.name.label("domain"), domains.c.registrant_handle, domains.c.status, customers
        )
        .join(customers, domains.c.customer_id == customers.c.id)
        .where(domains.c.registrar == "epp-registry", domains.c.registrant_handle.is_not(None))
        .order_by(domains.c.id)
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def _customer_contact(row: dict[str, Any], client_id: str, roid: str) -> Contact:
    # Natural persons have their name and address withheld from WHOIS; companies only reach.
    withheld = {"voice", "email"} if row["company"] else {"name", "addr", "voice", "email"}
    return Contact(
        id=row["registrant_handle"], roid=roid, sponsor=client_id, name=row["name"],
        email=row["email"] or "", cc=row["country"] or "NL", city=row["city"] or "",
        street=[row["street"]] if row["street"] else [], pc=row["postcode"], org=row["company"],
        voice=_epp_phone(row["phone"]), created=_utc(row["created_at"]), withheld=withheld,
    )  # fmt: skip


def _domain(name: str, handle: str, sponsor: str, roid: str, created: datetime) -> Domain:
    created = _utc(created)
    return Domain(
        name=name, roid=roid, sponsor=sponsor, registrant=handle,
        contacts=[("admin", handle), ("tech", handle)], created=created,
        expires=_next_anniversary(created, datetime.now(UTC)),
    )  # fmt: skip


def _share_tech_contacts(active: list[Domain]) -> None:
    """Make the previous customer's contact the tech-c of every 4th domain (never the first's)."""
    for index in range(_SHARED_TECH_EVERY - 1, len(active), _SHARED_TECH_EVERY):
        borrowed = active[index - 1].registrant
        if borrowed != active[index].registrant:
            active[index].contacts = [("admin", active[index].registrant), ("tech", borrowed)]


def _company_contact(contact_id: str, client_id: str, roid: str) -> Contact:
    return Contact(
        id=contact_id, roid=roid, sponsor=client_id, name="Hostmaster",
        org="Example Hosting B.V.", street=["Hoofdstraat 1"], city="Amsterdam", pc="1011 AA",
        cc="NL", voice="+31.201234567", email="hostmaster@hosting.example",
    )  # fmt: skip


def _other_registrar_objects(roids: Iterator[str]) -> Iterator[tuple[Contact, Domain]]:
    """People who registered elsewhere: their objects answer us with 2201."""
    for n in range(1, 4):
        handle = f"OTH{n:06d}"
        contact = Contact(
            id=handle, roid="C" + next(roids), sponsor=OTHER_REGISTRAR, name=f"Holder {n}",
            email=f"holder{n}@other-registrar.example", cc="NL", city="Utrecht",
            street=[f"Oudegracht {n}"], pc="3511 AA",
        )  # fmt: skip
        created = datetime(2020, n, 1, tzinfo=UTC)
        domain = _domain(f"elsewhere-{n}.nl", handle, OTHER_REGISTRAR, "D" + next(roids), created)
        yield contact, domain


def _epp_phone(phone: str | None) -> str | None:
    """`+31 6 12345678` as EPP writes it: `+31.612345678` (RFC 5733 §2.5)."""
    if not phone:
        return None
    country, _, rest = phone.strip().partition(" ")
    return f"{country}.{rest.replace(' ', '').replace('-', '')}"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _next_anniversary(created: datetime, now: datetime) -> datetime:
    """Registrations renew yearly: the first anniversary of `created` after `now`."""
    years = max(1, now.year - created.year)
    while True:
        try:
            expires = created.replace(year=created.year + years)
        except ValueError:  # 29 February
            expires = created.replace(year=created.year + years, day=28)
        if expires > now:
            return expires
        years += 1
