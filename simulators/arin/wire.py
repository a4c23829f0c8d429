"""Reg-RWS payloads as the ARIN simulator writes and reads them: POCs, Orgs, Nets, tickets,
errors, and the POC a PUT carries."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from simulators.arin.data import FUNCTIONS, Linked, Poc, RegRwsError, Ticket

NS = "http://www.arin.net/regrws/core/v1"
# Payloads then read `<poc xmlns="...">`, as ARIN writes them, instead of `<ns0:poc ...>`.
ET.register_namespace("", NS)


# Payloads, element order as Reg-RWS writes them.
_COUNTRIES = {"NL": ("NETHERLANDS", "NLD", "31"), "GB": ("UNITED KINGDOM", "GBR", "44"),
              "US": ("UNITED STATES", "USA", "1")}  # fmt: skip


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, f"{{{NS}}}{tag}", attrs)
    child.text = text
    return child


def _root(tag: str) -> ET.Element:
    return ET.Element(f"{{{NS}}}{tag}")


def _address(parent: ET.Element, street: list[str], city: str, country: str, code: str) -> None:
    name, code3, e164 = _COUNTRIES.get(country, (country, country, ""))
    iso = _sub(parent, "iso3166-1")
    for tag, text in (("name", name), ("code2", country), ("code3", code3), ("e164", e164)):
        _sub(iso, tag, text)
    lines = _sub(parent, "streetAddress")
    for number, line in enumerate(street, 1):
        _sub(lines, "line", line, number=str(number))
    _sub(parent, "city", city)
    _sub(parent, "postalCode", code)


def render_poc(poc: Poc) -> ET.Element:
    root = _root("poc")
    _address(root, poc.street, poc.city, poc.country, poc.postal_code)
    emails = _sub(root, "emails")
    for email in poc.emails:
        _sub(emails, "email", email)
    _sub(root, "handle", poc.handle)
    _sub(root, "contactType", poc.contact_type)
    if poc.company_name:
        _sub(root, "companyName", poc.company_name)
    if poc.first_name:
        _sub(root, "firstName", poc.first_name)
    _sub(root, "lastName", poc.last_name)
    phones = _sub(root, "phones")
    for number in poc.phones:
        phone = _sub(phones, "phone")
        kind = _sub(phone, "type")
        _sub(kind, "description", "Office")
        _sub(kind, "code", "O")
        _sub(phone, "number", number)
    return root


def _poc_links(parent: ET.Element, item: Linked) -> None:
    links = _sub(parent, "pocLinks")
    for function, handle in item.links:
        _sub(links, "pocLinkRef", description=FUNCTIONS[function], function=function, handle=handle)


def render_org(org: Linked) -> ET.Element:
    root = _root("org")
    _address(root, org.street, org.city, org.country, org.postal_code)
    _sub(root, "handle", org.handle)
    _sub(root, "orgName", org.name)
    _poc_links(root, org)
    return root


def render_net(net: Linked) -> ET.Element:
    root = _root("net")
    start, _, length = net.prefix.partition("/")
    _sub(root, "version", "6" if ":" in start else "4")
    _sub(root, "handle", net.handle)
    block = _sub(_sub(root, "netBlocks"), "netBlock")
    _sub(block, "type", "S" if net.parent_net else "DA")
    _sub(block, "startAddress", start)
    _sub(block, "cidrLength", length)
    _sub(root, "orgHandle", net.org_handle)
    if net.parent_net:
        _sub(root, "parentNetHandle", net.parent_net)
    _sub(root, "netName", net.name)
    _poc_links(root, net)
    return root


def render_ticket(ticket: Ticket) -> ET.Element:
    root = _root("ticket")
    _sub(root, "ticketNo", ticket.number)
    _sub(root, "createdDate", ticket.created.isoformat())
    _sub(root, "updatedDate", (ticket.resolved or ticket.created).isoformat())
    _sub(root, "webTicketType", "ASSOCIATIONS_REPORT")
    if ticket.resolved is None:
        _sub(root, "webTicketStatus", "PENDING_REVIEW")
        return root
    _sub(root, "resolvedDate", ticket.resolved.isoformat())
    _sub(root, "webTicketStatus", "RESOLVED")
    _sub(root, "webTicketResolution", "PROCESSED")
    # Stands in for the report ARIN attaches to the ticket; one row per link.
    report = _sub(root, "associationsReport", pocHandle=ticket.poc_handle)
    for kind, handle, function in ticket.report:
        _sub(
            report, "association", resourceType=kind, resourceHandle=handle,
            function=function, description=FUNCTIONS[function],
        )  # fmt: skip
    return root


def render_ticketed_request(ticket: Ticket) -> ET.Element:
    root = _root("ticketedRequest")
    root.append(render_ticket(ticket))
    return root


def render_error(
    code: str, message: str, components: tuple[tuple[str, str], ...] = ()
) -> ET.Element:
    root = _root("error")
    _sub(root, "code", code)
    holder = _sub(root, "components")
    for name, text in components:
        component = _sub(holder, "component")
        _sub(component, "name", name)
        _sub(component, "message", text)
    _sub(root, "additionalInfo")
    _sub(root, "message", message)
    return root


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
