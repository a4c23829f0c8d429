"""The RIPE Database simulator's objects: an in-memory RPSL store seeded from the administration.

Every `ip_assignments` row with rir "ripe" becomes an inetnum whose admin-c and tech-c are the
customer's person object (nic-hdl = the row's `person_handle`); a technical or admin contact who
is another person becomes a second contact with a person object of their own, found by email.
Customers with a company name get an organisation object, which references the person too.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from connectors.billing.wire import contacts, customers, ip_assignments

PRIMARY_KEYS = {
    "person": "nic-hdl",
    "role": "nic-hdl",
    "mntner": "mntner",
    "organisation": "organisation",
    "inetnum": "inetnum",
    "inet6num": "inet6num",
    "aut-num": "aut-num",
    "domain": "domain",
}
# Which object types a reference attribute may point to.
REFERENCES = {
    "admin-c": ("person", "role"),
    "tech-c": ("person", "role"),
    "zone-c": ("person", "role"),
    "abuse-c": ("role",),
    "org": ("organisation",),
    "mnt-by": ("mntner",),
    "mnt-ref": ("mntner",),
}
PERSONAL_TYPES = ("person", "role")
# Resources must keep a contact of each kind: whois refuses an update without them.
MANDATORY = {t: ("admin-c", "tech-c") for t in ("inetnum", "inet6num", "aut-num")}
# Attributes whois hides from queries unless the query asks for unfiltered output.
FILTERED = frozenset({"e-mail", "notify", "upd-to", "mnt-nfy", "ref-nfy", "irt-nfy", "auth"})
# Attributes the database sets itself; whatever an update submits for them is ignored.
GENERATED = ("created", "last-modified")
COUNTRIES = {"NL": "Netherlands", "GB": "United Kingdom", "BE": "Belgium", "DE": "Germany"}


@dataclass
class RpslObject:
    type: str
    attributes: list[tuple[str, str]]

    @property
    def key(self) -> str:
        return self.value(PRIMARY_KEYS[self.type])

    def value(self, name: str) -> str:
        return next(iter(self.values(name)), "")

    def values(self, name: str) -> list[str]:
        return [v for n, v in self.attributes if n == name]


def normalise_key(object_type: str, key: str) -> str:
    """The form a key is stored under: ranges as `a - b` (prefixes converted), handles upper."""
    key = " ".join(key.split())
    if object_type in ("inetnum", "inet6num"):
        if "/" in key:
            network = ipaddress.ip_network(key, strict=False)
            return f"{network[0]} - {network[-1]}"
        return key.replace(" - ", "-").replace("-", " - ")
    return key.upper()


def timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class RipeDatabase:
    """All objects of one source, keyed by type and normalised primary key."""

    source: str
    objects: dict[tuple[str, str], RpslObject] = field(default_factory=dict)
    # RIPE NCC keeps what was deleted: (when, reason, object).
    deleted: list[tuple[str, str, RpslObject]] = field(default_factory=list)

    def put(self, obj: RpslObject) -> None:
        self.objects[(obj.type, normalise_key(obj.type, obj.key))] = obj

    def get(self, object_type: str, key: str) -> RpslObject | None:
        try:
            return self.objects.get((object_type, normalise_key(object_type, key)))
        except ValueError:  # a malformed prefix names no object
            return None

    def remove(self, obj: RpslObject, when: str, reason: str) -> None:
        del self.objects[(obj.type, normalise_key(obj.type, obj.key))]
        self.deleted.append((when, reason, obj))

    def referenced_type(self, name: str, value: str) -> str | None:
        """The type of the object a reference attribute points to; None if it points nowhere."""
        return next((t for t in REFERENCES.get(name, ()) if self.get(t, value)), None)

    def referencing(self, target: RpslObject) -> list[RpslObject]:
        """Other objects holding a reference to `target`: these block its deletion."""
        names = [n for n, types in REFERENCES.items() if target.type in types]
        key = target.key.upper()
        return [
            obj
            for obj in self.objects.values()
            if obj is not target and any(v.upper() == key for n in names for v in obj.values(n))
        ]

    def lookup(self, query: str, types: Iterable[str]) -> list[RpslObject]:
        """Objects whose primary key, person/role name or e-mail equals the query."""
        wanted = set(types) or set(PRIMARY_KEYS)
        text = " ".join(query.split()).lower()
        found = [o for t in wanted if (o := self.get(t, query)) is not None]
        for obj in self._of_types(wanted):
            names = obj.values("person") + obj.values("role") + obj.values("e-mail")
            if obj not in found and any(n.lower() == text for n in names):
                found.append(obj)
        return found

    def inverse(
        self, query: str, attributes: Iterable[str], types: Iterable[str]
    ) -> list[RpslObject]:
        """Objects with one of `attributes` equal to the query (whois `-i`)."""
        names, key = set(attributes), query.strip().upper()
        return [
            obj
            for obj in self._of_types(set(types) or set(PRIMARY_KEYS))
            if any(n in names and v.upper() == key for n, v in obj.attributes)
        ]

    def _of_types(self, types: set[str]) -> Iterator[RpslObject]:
        return (obj for obj in self.objects.values() if obj.type in types)


# whois message templates; answers carry them with `args`, never pre-formatted.
NO_ENTRIES = "ERROR:101: no entries found\n\nNo entries found in source %s."
ACCESS_DENIED = (
    "ERROR:201: access denied for %s\n\n"
    "Queries from your IP address have passed the daily limit of controlled objects.\n"
    "Access from your host has been temporarily denied.\n"
    "For more information, see\n"
    "https://docs.db.ripe.net/FAQ/#why-did-i-receive-an-error-201-access-denied"
)
IN_USE = "Object [%s] %s is referenced from other objects"
AUTH_FAILED = 'Authorisation for [%s] %s failed\nusing "%s:"\nnot authenticated by: %s'
UNKNOWN_REFERENCE = "Unknown object referenced %s"
MISSING_MANDATORY = 'Mandatory attribute "%s" is missing'
NAME_CHANGED = (
    "Person/Role name cannot be changed automatically. Please create another Person/Role "
    "object and modify any references to the old object, then delete the old object"
)
URI_MISMATCH = (
    "Object type and key specified in URI (%s: %s) do not match the WhoisResources contents"
)
SINGLE_OBJECT = "Single object expected in WhoisResources (found %d)"
INVALID_SOURCE = "Invalid source '%s'"
INVALID_TYPE = "Invalid object type: %s"
INVALID_FLAG = "Invalid search flag '%s' (in parameter '%s')"
EMPTY_QUERY = "Query param 'query-string' cannot be empty"
DRY_RUN = "Dry-run performed, no changes to the database have been made"
IDENTICAL = "Submitted object identical to database object"
# Search flags the simulator knows, long name to whois's one-letter flag.
FLAGS = {"no-referenced": "r", "no-filtering": "B", "exact": "x"}


def message(
    severity: str, text: str, *args: str, attribute: tuple[str, str] | None = None
) -> dict[str, Any]:
    """One whois errormessage: the template and its arguments."""
    entry: dict[str, Any] = {"severity": severity}
    if attribute:
        entry["attribute"] = {"name": attribute[0], "value": attribute[1]}
    entry["text"] = text
    if args:
        entry["args"] = [{"value": a} for a in args]
    return entry


class WhoisError(Exception):
    """An answer other than 200, with its errormessages."""

    def __init__(
        self, status: int, *messages: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status)
        self.status, self.messages, self.headers = status, list(messages), headers or {}


@dataclass(frozen=True)
class Search:
    """A parsed `/search` request."""

    query: str
    flags: frozenset[str]
    types: tuple[str, ...]
    inverse: tuple[str, ...]


def parse_search(query: str, flags: list[str], types: list[str], inverse: list[str]) -> Search:
    """Validate the search parameters as whois does, with its error texts."""
    if not query.strip():
        raise WhoisError(400, message("Error", EMPTY_QUERY))
    letters: set[str] = set()
    for flag in flags:
        if flag in FLAGS:
            letters.add(FLAGS[flag])
            continue
        for letter in flag:
            if letter not in FLAGS.values():
                raise WhoisError(400, message("Error", INVALID_FLAG, letter, flag))
            letters.add(letter)
    for object_type in types:
        if object_type not in PRIMARY_KEYS:
            raise WhoisError(400, message("Error", INVALID_TYPE, object_type))
    return Search(query.strip(), frozenset(letters), tuple(types), tuple(inverse))


def run_search(db: RipeDatabase, search: Search) -> list[RpslObject]:
    """The objects found; without `no-referenced`, also the contacts they reference."""
    if search.inverse:
        found = db.inverse(search.query, search.inverse, search.types)
    else:
        found = db.lookup(search.query, search.types)
    if "r" not in search.flags:
        for obj in [o for o in found if o.type not in PERSONAL_TYPES]:
            for name in ("admin-c", "tech-c", "zone-c"):
                contacts_of = (db.get(t, v) for v in obj.values(name) for t in PERSONAL_TYPES)
                found += [c for c in contacts_of if c is not None and c not in found]
    return found


def submitted_object(body: Any, object_type: str, key: str) -> RpslObject:
    """The one object of a PUT body; its type and key must be those of the URI."""
    try:
        objects = body["objects"]["object"]
        raw = objects[0] if isinstance(objects, list) and len(objects) == 1 else None
        if raw is None:
            found = len(objects) if isinstance(objects, list) else 0
            raise WhoisError(400, message("Error", SINGLE_OBJECT, str(found)))
        attributes = [(str(a["name"]), str(a["value"])) for a in raw["attributes"]["attribute"]]
        submitted = RpslObject(str(raw["type"]), attributes)
    except (KeyError, TypeError, IndexError):
        raise WhoisError(400, message("Error", SINGLE_OBJECT, "0")) from None
    if submitted.type != object_type or normalise_key(object_type, submitted.key) != (
        normalise_key(object_type, key)
    ):
        raise WhoisError(400, message("Error", URI_MISMATCH, object_type, key))
    return submitted


@dataclass(frozen=True)
class Company:
    """The hosting company as a RIPE member: its maintainer, role object and allocation."""

    role: str = "HST1-RIPE"
    maintainer: str = "HOSTCO-MNT"
    role_name: str = "Hosting Company Network Operations"
    email: str = "noc@hosting.example"
    allocation: str = "185.231.0.0/16"


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
