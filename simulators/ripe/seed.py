"""The RIPE Database as the company's registrations stand, seeded from the administration.

Every `ip_assignments` row with rir "ripe" becomes an inetnum whose admin-c and tech-c are the
customer's person object (nic-hdl = the row's `person_handle`); a technical or admin contact who
is another person becomes a second contact with a person object of their own, found by email.
Customers with a company name get an organisation object, which references the person too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, func, select

from connectors.billing.wire import contacts, customers, ip_assignments
from simulators.ripe.data import Company, RipeDatabase, RpslObject, normalise_key, timestamp

COUNTRIES = {"NL": "Netherlands", "GB": "United Kingdom", "BE": "Belgium", "DE": "Germany"}


def seed_from_administration(
    engine: Engine, *, source: str = "RIPE", company: Company | None = None
) -> RipeDatabase:
    """The database as the company's RIPE registrations stand, read from the administration."""
    company = company or Company()
    db = RipeDatabase(source)
    for obj in _company_objects(company, source):
        db.put(obj)
    networks = (
        select(ip_assignments.c.prefix, ip_assignments.c.person_handle, customers)
        .join(customers, customers.c.id == ip_assignments.c.customer_id)
        .where(ip_assignments.c.rir == "ripe")
        .order_by(ip_assignments.c.id)
    )
    with engine.connect() as conn:
        for row in conn.execute(networks).mappings():
            _add_customer(conn, db, dict(row), company)
    return db


def _company_objects(company: Company, source: str) -> list[RpslObject]:
    since = "2015-03-02T09:00:00Z"
    role = RpslObject("role", [
        ("role", company.role_name), ("address", "Hostingweg 1"),
        ("address", "1012 AB Amsterdam"), ("address", "Netherlands"),
        ("phone", "+31 20 555 0100"), ("e-mail", company.email),
        ("nic-hdl", company.role), ("mnt-by", company.maintainer),
        ("created", since), ("last-modified", since), ("source", source),
    ])  # fmt: skip
    mntner = RpslObject("mntner", [
        ("mntner", company.maintainer), ("descr", "Hosting company maintainer"),
        ("admin-c", company.role), ("upd-to", company.email), ("auth", f"SSO {company.email}"),
        ("mnt-by", company.maintainer), ("created", since), ("last-modified", since),
        ("source", source),
    ])  # fmt: skip
    allocation = RpslObject("inetnum", [
        ("inetnum", normalise_key("inetnum", company.allocation)), ("netname", "NL-HOSTCO"),
        ("country", "NL"), ("admin-c", company.role), ("tech-c", company.role),
        ("status", "ALLOCATED PA"), ("mnt-by", company.maintainer), ("created", since),
        ("last-modified", since), ("source", source),
    ])  # fmt: skip
    return [role, mntner, allocation]


def _add_customer(
    conn: Connection, db: RipeDatabase, row: dict[str, Any], company: Company
) -> None:
    """The customer's person, organisation (if a company) and inetnum, plus other contacts."""
    created = timestamp(row["created_at"])
    handle = str(row["person_handle"] or "")
    admins, techs = [handle or company.role], [handle or company.role]
    if handle and row["name"]:
        address = [str(row["street"]), f"{row['postcode']} {row['city']}", _country(row)]
        db.put(_person(row, handle, address, created, company, db.source))
    for contact in _other_contacts(conn, row):
        # One person object per address: a freelancer serving two customers is one person.
        existing = next(iter(db.lookup(contact["email"], ["person"])), None)
        other = existing.key if existing else f"{_initials(contact['name'])}C{contact['id']}-RIPE"
        if existing is None:
            address = [f"{row['postcode']} {row['city']}", _country(row)]
            db.put(_person(contact, other, address, created, company, db.source))
        (admins if contact["role"] == "admin" else techs).append(other)
    org = f"ORG-{handle.removesuffix('-RIPE')}-RIPE" if handle and row["company"] else None
    if org:
        db.put(_organisation(row, org, handle, created, company, db.source))
    db.put(_inetnum(row, org, admins, techs, created, company, db.source))


def _other_contacts(conn: Connection, row: dict[str, Any]) -> list[dict[str, Any]]:
    """Technical and admin contacts who are not the account holder."""
    query = (
        select(contacts.c.id, contacts.c.role, contacts.c.name, contacts.c.email, contacts.c.phone)
        .where(contacts.c.customer_id == row["id"], contacts.c.role.in_(("technical", "admin")))
        .where(func.lower(contacts.c.email) != str(row["email"] or "").lower())
        .order_by(contacts.c.id)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def _person(
    who: dict[str, Any], handle: str, address: list[str], created: str, company: Company,
    source: str,
) -> RpslObject:  # fmt: skip
    return RpslObject("person", [
        ("person", str(who["name"])), *(("address", line) for line in address),
        ("phone", str(who["phone"] or "+31 20 555 0100")), ("e-mail", str(who["email"])),
        ("nic-hdl", handle), ("mnt-by", company.maintainer), ("created", created),
        ("last-modified", created), ("source", source),
    ])  # fmt: skip


def _organisation(
    row: dict[str, Any], org: str, handle: str, created: str, company: Company, source: str
) -> RpslObject:
    # The company as customer of the LIR: its mail goes to the LIR's NOC, its contact is the holder.
    return RpslObject("organisation", [
        ("organisation", org), ("org-name", str(row["company"])), ("org-type", "OTHER"),
        ("address", f"{row['postcode']} {row['city']}"), ("address", _country(row)),
        ("e-mail", company.email), ("admin-c", handle), ("abuse-c", company.role),
        ("mnt-ref", company.maintainer), ("mnt-by", company.maintainer),
        ("created", created), ("last-modified", created), ("source", source),
    ])  # fmt: skip


def _inetnum(
    row: dict[str, Any], org: str | None, admins: list[str], techs: list[str], created: str,
    company: Company, source: str,
) -> RpslObject:  # fmt: skip
    return RpslObject("inetnum", [
        ("inetnum", normalise_key("inetnum", str(row["prefix"]))),
        ("netname", f"HOSTCO-{row['customer_number']}"), ("country", str(row["country"] or "NL")),
        *((("org", org),) if org else ()), *(("admin-c", h) for h in dict.fromkeys(admins)),
        *(("tech-c", h) for h in dict.fromkeys(techs)), ("status", "ASSIGNED PA"),
        ("mnt-by", company.maintainer), ("created", created), ("last-modified", created),
        ("source", source),
    ])  # fmt: skip


def _initials(name: str) -> str:
    words = name.split()
    return (words[0][0] + words[-1][0]).upper() if words else "XX"


def _country(row: dict[str, Any]) -> str:
    code = str(row["country"] or "NL")
    return COUNTRIES.get(code, code)
