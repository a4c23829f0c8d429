"""The registry behind the ARIN simulator: POCs, Orgs, Nets, their POC links and tickets.

Rules kept here, as Reg-RWS enforces them: a POC linked to any Org or Net cannot be deleted
(E_NOT_REMOVEABLE); an Org keeps exactly one Admin POC, which can only be replaced, and at
least one Tech POC. Seeded from the administration database's ARIN IP assignments.
"""

from __future__ import annotations

import ipaddress
import math
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from connectors.billing.wire import contacts, customers, ip_assignments

NS = "http://www.arin.net/regrws/core/v1"
# Payloads then read `<poc xmlns="...">`, as ARIN writes them, instead of `<ns0:poc ...>`.
ET.register_namespace("", NS)
FUNCTIONS = {"AD": "Admin", "T": "Tech", "AB": "Abuse", "N": "NOC"}
# ARIN puts no Admin POC on a Net: it inherits the Org's.
NET_FUNCTIONS = ("T", "AB", "N")
COMPANY_ORG = "HOSTI"
COMPANY_NET = "NET-104-207-0-0-1"


class RegRwsError(Exception):
    """A refusal Reg-RWS answers with an `<error>` payload; `components` name the fields."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        retry_after: int | None = None,
        components: tuple[tuple[str, str], ...] = (),
    ):
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after
        self.components = components


def not_found(kind: str, handle: str) -> RegRwsError:
    return RegRwsError(404, "E_OBJECT_NOT_FOUND", f"The {kind} {handle} does not exist.")


@dataclass
class Poc:
    handle: str
    first_name: str
    last_name: str
    company_name: str | None
    street: list[str]
    city: str
    country: str
    postal_code: str
    emails: list[str]
    phones: list[str]
    contact_type: str = "PERSON"


@dataclass
class Linked:
    """An Org or a Net: something POCs are linked to, as (function, POC handle) pairs."""

    kind: str  # "org" | "net"
    handle: str
    name: str
    links: list[tuple[str, str]] = field(default_factory=list)
    # Org: its postal address; Net: its prefix, owning Org and parent Net.
    street: list[str] = field(default_factory=list)
    city: str = ""
    country: str = ""
    postal_code: str = ""
    prefix: str = ""
    org_handle: str = ""
    parent_net: str = ""


@dataclass
class Ticket:
    number: str
    poc_handle: str
    created: datetime
    due: float  # time.monotonic() at which ARIN will have processed it
    resolved: datetime | None = None
    report: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, handle, function)


@dataclass
class RateLimit:
    """A fixed window: `limit` requests per `window` seconds, then 429 until the window ends."""

    limit: int | None = None
    window: float = 60.0
    started: float = 0.0
    count: int = 0

    def check(self) -> None:
        now = time.monotonic()
        if now >= self.started + self.window:
            self.started, self.count = now, 0
        self.count += 1
        if self.limit is not None and self.count > self.limit:
            wait = max(1, math.ceil(self.started + self.window - now))
            raise RegRwsError(
                429, "E_UNSPECIFIED", f"Too many requests; retry after {wait} seconds.", wait
            )


@dataclass
class Registry:
    """All objects of the simulated ARIN account, kept in memory."""

    company_poc: str
    ticket_delay: float = 5.0
    rate_limit: RateLimit = field(default_factory=RateLimit)
    pocs: dict[str, Poc] = field(default_factory=dict)
    orgs: dict[str, Linked] = field(default_factory=dict)
    nets: dict[str, Linked] = field(default_factory=dict)
    tickets: dict[str, Ticket] = field(default_factory=dict)

    def configure(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Change the delay or the limit while running (`rate_limit: None` lifts it)."""
        if changes.get("ticket_delay") is not None:
            self.ticket_delay = changes["ticket_delay"]
        limit = changes.get("rate_limit", self.rate_limit.limit)
        window = changes.get("rate_window") or self.rate_limit.window
        # A fresh window too, so a test's first request is the first one counted.
        self.rate_limit = RateLimit(limit=limit, window=window)
        return {"ticket_delay": self.ticket_delay, "rate_limit": limit, "rate_window": window}

    def poc(self, handle: str) -> Poc:
        if (found := self.pocs.get(handle)) is None:
            raise not_found("POC", handle)
        return found

    def linked(self, kind: str, handle: str) -> Linked:
        found = (self.orgs if kind == "org" else self.nets).get(handle)
        if found is None:
            raise not_found("Org" if kind == "org" else "Net", handle)
        return found

    def links_of(self, poc_handle: str) -> list[tuple[str, str, str]]:
        """Every (kind, handle, function) the POC is linked to."""
        return [
            (item.kind, item.handle, function)
            for item in (*self.orgs.values(), *self.nets.values())
            for function, linked in item.links
            if linked == poc_handle
        ]

    def delete_poc(self, handle: str) -> Poc:
        self.poc(handle)
        if self.links_of(handle):
            raise RegRwsError(
                409,
                "E_NOT_REMOVEABLE",
                f"POC {handle} cannot be removed while it is linked to an Org or a Net.",
            )
        return self.pocs.pop(handle)

    def add_link(self, kind: str, handle: str, poc_handle: str, function: str) -> Linked:
        """Link a POC; a new Admin POC replaces the old one, a repeated link changes nothing."""
        item = self.linked(kind, handle)
        _check_function(kind, function)
        self.poc(poc_handle)
        if function == "AD":
            item.links = [link for link in item.links if link[0] != "AD"]
        if (function, poc_handle) not in item.links:
            item.links.append((function, poc_handle))
        return item

    def remove_link(self, kind: str, handle: str, poc_handle: str, function: str) -> Linked:
        item = self.linked(kind, handle)
        _check_function(kind, function)
        if (function, poc_handle) not in item.links:
            raise RegRwsError(
                404,
                "E_OBJECT_NOT_FOUND",
                f"POC {poc_handle} is not linked to {handle} as {FUNCTIONS[function]}.",
            )
        if kind == "org" and function == "AD":
            raise RegRwsError(
                409,
                "E_NOT_REMOVEABLE",
                f"The Admin POC of Org {handle} cannot be removed, only replaced.",
            )
        if kind == "org" and function == "T" and sum(f == "T" for f, _ in item.links) == 1:
            raise RegRwsError(
                409,
                "E_NOT_REMOVEABLE",
                f"Org {handle} must keep at least one Tech POC; link another one first.",
            )
        item.links.remove((function, poc_handle))
        return item

    def open_ticket(self, poc_handle: str) -> Ticket:
        """Request an associations report: ARIN answers it later, through the ticket."""
        self.poc(poc_handle)
        now = datetime.now(UTC)
        number = f"{now:%Y%m%d}-X{len(self.tickets) + 1}"
        ticket = Ticket(number, poc_handle, now, time.monotonic() + self.ticket_delay)
        self.tickets[number] = ticket
        return ticket

    def ticket(self, number: str, *, resolve: bool = False) -> Ticket:
        """The ticket, processed once it is due (or `resolve` forces it)."""
        if (ticket := self.tickets.get(number)) is None:
            raise not_found("ticket", number)
        if ticket.resolved is None and (resolve or time.monotonic() >= ticket.due):
            # The report is taken when ARIN processes the request, not when it was asked for.
            ticket.report = self.links_of(ticket.poc_handle)
            ticket.resolved = datetime.now(UTC)
        return ticket


def _check_function(kind: str, function: str) -> None:
    allowed = NET_FUNCTIONS if kind == "net" else tuple(FUNCTIONS)
    if function not in allowed:
        raise RegRwsError(
            400,
            "E_ENTITY_VALIDATION",
            f"pocFunction must be one of {', '.join(allowed)} for a {kind}.",
        )


def apply_poc_update(poc: Poc, payload: ET.Element) -> None:
    """Change what the payload carries; `<emails>` and `<phones>` replace all of them.

    As ARIN has it, a POC's name and contact type cannot be updated (a new POC replaces the
    old one), a POC keeps at least one email, and phone numbers hold only digits, spaces and
    `+ - ( )`. Every problem is reported at once and nothing changes.
    """
    if problems := _poc_problems(poc, payload):
        raise RegRwsError(
            400, "E_ENTITY_VALIDATION", "Payload has one or more errors; see the components.",
            components=tuple(problems),
        )  # fmt: skip
    text = {tag: payload.findtext(f"{{{NS}}}{tag}") for tag in _POC_FIELDS}
    for tag, attribute in _POC_FIELDS.items():
        if text[tag] is not None:
            setattr(poc, attribute, text[tag])
    country = payload.findtext(f"{{{NS}}}iso3166-1/{{{NS}}}code2")
    if country:
        poc.country = country
    if (lines := payload.find(f"{{{NS}}}streetAddress")) is not None:
        poc.street = [line.text or "" for line in lines]
    if (emails := payload.find(f"{{{NS}}}emails")) is not None:
        poc.emails = [email.text or "" for email in emails]
    if (phones := payload.find(f"{{{NS}}}phones")) is not None:
        poc.phones = [p.findtext(f"{{{NS}}}number") or "" for p in phones]


def _poc_problems(poc: Poc, payload: ET.Element) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    current = {"firstName": poc.first_name, "middleName": "", "lastName": poc.last_name,
               "contactType": poc.contact_type}  # fmt: skip
    for tag, value in current.items():
        given = payload.findtext(f"{{{NS}}}{tag}")
        if given is not None and given.strip() != (value or ""):
            what = "contact type" if tag == "contactType" else "name"
            found.append((tag, f"The {what} of a POC cannot be updated; create a new POC."))
    if (emails := payload.find(f"{{{NS}}}emails")) is not None:
        addresses = [e.text or "" for e in emails]
        if not addresses:
            found.append(("emails", "A POC must have at least one email address."))
        if any(not _EMAIL.match(a) for a in addresses):
            found.append(("email", "An email address is not valid."))
    phones = payload.iterfind(f"{{{NS}}}phones/{{{NS}}}phone")
    numbers = [phone.findtext(f"{{{NS}}}number") or "" for phone in phones]
    if any(not _PHONE.match(n) for n in numbers):
        found.append(("number", "Phone numbers may hold only digits, spaces and + - ( )."))
    country = payload.findtext(f"{{{NS}}}iso3166-1/{{{NS}}}code2")
    if country is not None and not _COUNTRY.match(country):
        found.append(("code2", "The country code is not an ISO 3166-1 two-letter code."))
    return found


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9() -]{4,}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_POC_FIELDS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "companyName": "company_name",
    "city": "city",
    "postalCode": "postal_code",
}


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
