"""The ARIN simulator's registry seeded from the administration database's ARIN assignments.

Each assignment gives the customer's POC, an Org and a Net; the company has its own POC, Org
and parent Net, and a customer's other technical contacts are POCs linked beside theirs.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import Engine, select

from connectors.billing.wire import contacts, customers, ip_assignments
from simulators.arin.data import COMPANY_NET, COMPANY_ORG, Linked, Poc, Registry


def seed_from_administration(engine: Engine, registry: Registry) -> None:
    """A POC, an Org and a Net for each ARIN assignment; the company's own objects too."""
    _seed_company(registry)
    assignments = (
        select(ip_assignments.c.prefix, ip_assignments.c.person_handle, customers)
        .join(customers, customers.c.id == ip_assignments.c.customer_id)
        .where(ip_assignments.c.rir == "arin", ip_assignments.c.person_handle.is_not(None))
        .order_by(ip_assignments.c.id)
    )
    with engine.connect() as conn:
        for row in conn.execute(assignments).mappings().all():
            others = select(contacts.c.id, contacts.c.name, contacts.c.email, contacts.c.phone)
            techs = conn.execute(
                others.where(
                    contacts.c.customer_id == row["id"],
                    contacts.c.role == "technical",
                    contacts.c.email != row["email"],
                )
            )
            _seed_customer(registry, dict(row), [dict(t) for t in techs.mappings()])


def _seed_company(registry: Registry) -> None:
    handle = registry.company_poc
    address = (["100 Example Way"], "Wilmington", "US", "19801")
    registry.pocs[handle] = Poc(
        handle, "", "Hostmaster", "Hosting Company", *address,
        ["hostmaster@hosting-company.example"], ["+1-302-555-0100"], "ROLE",
    )  # fmt: skip
    links = [("AD", handle), ("T", handle), ("AB", handle)]
    registry.orgs[COMPANY_ORG] = Linked("org", COMPANY_ORG, "Hosting Company", links, *address)
    registry.nets[COMPANY_NET] = Linked(
        "net", COMPANY_NET, "HOSTING-COMPANY", [("T", handle), ("AB", handle)],
        prefix="104.207.0.0/16", org_handle=COMPANY_ORG,
    )  # fmt: skip


def _seed_customer(registry: Registry, row: dict[str, Any], techs: list[dict[str, Any]]) -> None:
    """The customer's POC is Admin and Tech of their Org and Tech of their Net."""
    handle, number = row["person_handle"], row["customer_number"]
    registry.pocs.setdefault(handle, _person_poc(handle, row, row["company"]))
    org_handle = f"ORG-{number}"
    address = ([row["street"]], row["city"], row["country"], row["postcode"])
    org = registry.orgs.setdefault(
        org_handle,
        Linked("org", org_handle, row["company"] or row["name"], [("AD", handle)], *address),
    )
    if ("T", handle) not in org.links:
        org.links.append(("T", handle))
    net = Linked(
        "net", net_handle(row["prefix"]), f"HOSTING-{number}",
        [("T", handle), ("AB", registry.company_poc)],
        prefix=row["prefix"], org_handle=org_handle, parent_net=COMPANY_NET,
    )  # fmt: skip
    registry.nets[net.handle] = net
    for tech in techs:
        # Another person, second Tech of the Org and NOC of the Net: links that stay.
        tech_handle = _contact_handle(tech["name"], tech["id"])
        registry.pocs.setdefault(tech_handle, _person_poc(tech_handle, row | tech, None))
        if ("T", tech_handle) not in org.links:
            org.links.append(("T", tech_handle))
        net.links.append(("N", tech_handle))


def _person_poc(handle: str, row: dict[str, Any], company: str | None) -> Poc:
    first, _, last = row["name"].partition(" ")
    return Poc(
        handle, first, last, company, [row["street"]], row["city"], row["country"],
        row["postcode"], [row["email"]], [row["phone"]] if row["phone"] else [],
    )  # fmt: skip


def _contact_handle(name: str, contact_id: int) -> str:
    """Three letters, so it never collides with a customer's two-letter `JD5-ARIN`."""
    first, _, last = name.partition(" ")
    return f"T{first[:1]}{last.split()[-1][:1] if last else 'X'}{contact_id}-ARIN".upper()


def net_handle(prefix: str) -> str:
    """ARIN's style: NET-104-207-1-0-1 for 104.207.1.0/29."""
    network = ipaddress.ip_network(prefix, strict=False)
    return f"NET-{str(network.network_address).replace('.', '-').replace(':', '-')}-1"
