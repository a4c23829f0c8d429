"""The simulated registry's EPP documents (RFC 5730-5733): responses, infData and poll messages.

Rendering only; `views.py` reads the commands and decides the answers.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from simulators.epp.data import DISCLOSABLE, Contact, Domain, PollMessage

EPP_NS = "urn:ietf:params:xml:ns:epp-1.0"
CONTACT_NS = "urn:ietf:params:xml:ns:contact-1.0"
DOMAIN_NS = "urn:ietf:params:xml:ns:domain-1.0"
NS = {"epp": EPP_NS, "contact": CONTACT_NS, "domain": DOMAIN_NS}
# The forms of postal information (RFC 5733 §2.3); this registry keeps the "int" one only.
POSTAL = ("name", "org", "addr")
# EPP is the default namespace of every document, as in the RFC examples.
ET.register_namespace("", EPP_NS)
ET.register_namespace("contact", CONTACT_NS)
ET.register_namespace("domain", DOMAIN_NS)

RESULTS = {
    1000: "Command completed successfully",
    1001: "Command completed successfully; action pending",
    1300: "Command completed successfully; no messages",
    1301: "Command completed successfully; ack to dequeue",
    1500: "Command completed successfully; ending session",
    2001: "Command syntax error",
    2002: "Command use error",
    2003: "Required parameter missing",
    2005: "Parameter value syntax error",
    2100: "Unimplemented protocol version",
    2101: "Unimplemented command",
    2102: "Unimplemented option",
    2200: "Authentication error",
    2201: "Authorization error",
    2303: "Object does not exist",
    2304: "Object status prohibits operation",
    2305: "Object association prohibits operation",
    2306: "Parameter value policy error",
    2307: "Unimplemented object service",
    2502: "Session limit exceeded; server closing connection",
}


def contact_inf(contact: Contact, statuses: list[str]) -> ET.Element:
    inf = element("contact:infData")
    add(inf, "contact:id", contact.id)
    add(inf, "contact:roid", contact.roid)
    for status in statuses:
        add(inf, "contact:status", s=status)
    postal = add(inf, "contact:postalInfo", type="int")
    add(postal, "contact:name", contact.name)
    optional(postal, "contact:org", contact.org)
    addr = add(postal, "contact:addr")
    for line in contact.street:
        add(addr, "contact:street", line)
    for name in ("city", "sp", "pc", "cc"):
        optional(addr, f"contact:{name}", getattr(contact, name))
    for name in ("voice", "fax", "email"):
        optional(inf, f"contact:{name}", getattr(contact, name))
    add(inf, "contact:clID", contact.sponsor)
    add(inf, "contact:crID", contact.sponsor)
    add(inf, "contact:crDate", stamp(contact.created))
    if contact.updated:
        add(inf, "contact:upID", contact.sponsor)
        add(inf, "contact:upDate", stamp(contact.updated))
    if contact.withheld:
        disclose = add(inf, "contact:disclose", flag="0")
        for name in (n for n in DISCLOSABLE if n in contact.withheld):
            add(disclose, f"contact:{name}", **({"type": "int"} if name in POSTAL else {}))
    return inf


def domain_inf(domain: Domain) -> ET.Element:
    inf = element("domain:infData")
    add(inf, "domain:name", domain.name)
    add(inf, "domain:roid", domain.roid)
    for status in sorted(domain.statuses) or ["ok"]:
        add(inf, "domain:status", s=status)
    add(inf, "domain:registrant", domain.registrant)
    for kind, contact_id in domain.contacts:
        add(inf, "domain:contact", contact_id, type=kind)
    add(inf, "domain:clID", domain.sponsor)
    add(inf, "domain:crID", domain.sponsor)
    add(inf, "domain:crDate", stamp(domain.created))
    if domain.updated:
        add(inf, "domain:upDate", stamp(domain.updated))
    add(inf, "domain:exDate", stamp(domain.expires))
    return inf


def pan_data(message: PollMessage) -> ET.Element:
    pan = element("contact:panData")
    add(pan, "contact:id", message.contact_id, paResult="1" if message.approved else "0")
    pa_trid = add(pan, "contact:paTRID")
    optional(pa_trid, "epp:clTRID", message.cl_trid)
    add(pa_trid, "epp:svTRID", message.sv_trid)
    add(pan, "contact:paDate", stamp(message.date))
    return pan


def msgq_of(count: int, message: PollMessage) -> ET.Element:
    msgq = element("epp:msgQ", count=str(count), id=message.id)
    add(msgq, "epp:qDate", stamp(message.queued))
    add(msgq, "epp:msg", message.text)
    return msgq


def response(
    code: int,
    cl_trid: str | None,
    sv_trid: str,
    res_data: ET.Element | None = None,
    msgq: ET.Element | None = None,
) -> bytes:
    """One `<response>` with its result, message queue, resData and transaction ids."""
    epp = element("epp:epp")
    body = add(epp, "epp:response")
    add(add(body, "epp:result", code=str(code)), "epp:msg", RESULTS[code])
    if msgq is not None:
        body.append(msgq)
    if res_data is not None:
        add(body, "epp:resData").append(res_data)
    tr_id = add(body, "epp:trID")
    optional(tr_id, "epp:clTRID", cl_trid)
    add(tr_id, "epp:svTRID", sv_trid)
    return serialise(epp)


def serialise(root: ET.Element) -> bytes:
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml


def text(parent: ET.Element, path: str) -> str | None:
    found = parent.find(path, NS)
    return found.text.strip() if found is not None and found.text else None


def element(tag: str, **attrs: str) -> ET.Element:
    """An element named `prefix:name` with a prefix of `NS`."""
    prefix, _, name = tag.partition(":")
    return ET.Element(f"{{{NS[prefix]}}}{name}", attrs)


def add(parent: ET.Element, tag: str, content: str | None = None, **attrs: str) -> ET.Element:
    """Append a child `prefix:name` element and return it."""
    child = element(tag, **attrs)
    child.text = content
    parent.append(child)
    return child


def optional(parent: ET.Element, tag: str, content: str | None) -> None:
    """Optional elements are left out, not sent empty."""
    if content is not None:
        add(parent, tag, content)


def stamp(moment: datetime) -> str:
    """EPP's dateTime in UTC with a tenth of a second, as the RFC examples write it."""
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 100_000}Z"
