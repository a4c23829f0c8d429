"""ARIN Reg-RWS payloads: the XML of POCs, Orgs, Nets, tickets and errors, as the connector
reads them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from connectors.errors import ConnectorError

NS = "http://www.arin.net/regrws/core/v1"
# Payloads we send read `<poc xmlns="...">`, as ARIN writes them.
ET.register_namespace("", NS)


@dataclass(frozen=True)
class Association:
    """One link of a POC in an associations report."""

    kind: str  # "org" | "net"
    handle: str
    function: str  # AD | T | AB | N
    description: str


@dataclass(frozen=True)
class TicketState:
    """An associations-report ticket; the report is there once ARIN has processed it."""

    number: str
    status: str
    resolution: str
    poc_handle: str
    associations: tuple[Association, ...] = ()

    @property
    def pending(self) -> bool:
        return self.status not in ("RESOLVED", "CLOSED")

    @property
    def processed(self) -> bool:
        return self.resolution == "PROCESSED" and bool(self.poc_handle)


def _q(*tags: str) -> str:
    """An ElementPath in the Reg-RWS namespace: _q("emails", "email")."""
    return "/".join(f"{{{NS}}}{tag}" for tag in tags)


def _texts(element: ET.Element, *tags: str) -> list[str]:
    return [e.text or "" for e in element.findall(_q(*tags))]


def poc_record(poc: ET.Element) -> dict[str, Any]:
    """The subject's POC as a record for the export: every field ARIN shows."""
    text = {tag: poc.findtext(_q(tag)) for tag in _POC_TEXT}
    return {
        "handle": text["handle"],
        "contact_type": text["contactType"],
        "first_name": text["firstName"],
        "middle_name": text["middleName"],
        "last_name": text["lastName"],
        "company_name": text["companyName"],
        "street_address": _texts(poc, "streetAddress", "line"),
        "city": text["city"],
        "state_province": text["iso3166-2"],
        "postal_code": text["postalCode"],
        "country": poc.findtext(_q("iso3166-1", "code2")),
        "emails": _texts(poc, "emails", "email"),
        "phones": [
            {"type": p.findtext(_q("type", "description")), "number": p.findtext(_q("number"))}
            for p in poc.findall(_q("phones", "phone"))
        ],
        "registration_date": text["registrationDate"],
    }


_POC_TEXT = (
    "handle", "contactType", "firstName", "middleName", "lastName", "companyName", "city",
    "iso3166-2", "postalCode", "registrationDate",
)  # fmt: skip


def poc_links(payload: ET.Element) -> list[tuple[str, str]]:
    """(function, POC handle) of every `<pocLinkRef>` of an Org or Net payload."""
    return [
        (ref.get("function", ""), ref.get("handle", ""))
        for ref in payload.findall(_q("pocLinks", "pocLinkRef"))
    ]


def ticket_state(payload: ET.Element) -> TicketState:
    """A `<ticket>`, or the ticket inside a `<ticketedRequest>`."""
    ticket = payload if payload.tag == _q("ticket") else payload.find(_q("ticket"))
    if ticket is None:
        raise ConnectorError("ARIN answered the report request without a ticket.")
    report = ticket.find(_q("associationsReport"))
    associations = tuple(
        Association(
            a.get("resourceType", ""),
            a.get("resourceHandle", ""),
            a.get("function", ""),
            a.get("description", ""),
        )
        for a in (report if report is not None else ())
    )
    return TicketState(
        number=ticket.findtext(_q("ticketNo")) or "",
        status=ticket.findtext(_q("webTicketStatus")) or "",
        resolution=ticket.findtext(_q("webTicketResolution")) or "",
        poc_handle=report.get("pocHandle", "") if report is not None else "",
        associations=associations,
    )


def error_code(body: bytes) -> str:
    """The `<code>` of an `<error>` payload; empty when there is none."""
    try:
        return ET.fromstring(body).findtext(_q("code")) or ""
    except ET.ParseError:
        return ""
