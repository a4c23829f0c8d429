"""The EPP commands the registry connector sends and the responses it reads (RFC 5730-5733).

Responses are parsed with the stdlib ElementTree (defusedxml is not installed): it never
fetches external entities, expat 2.4+ refuses entity-expansion bombs, and the client caps the
frame size before parsing. The registry is a party we hold a contract and a certificate with.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from typing import Any

EPP_NS = "urn:ietf:params:xml:ns:epp-1.0"
CONTACT_NS = "urn:ietf:params:xml:ns:contact-1.0"
DOMAIN_NS = "urn:ietf:params:xml:ns:domain-1.0"
NS = {"epp": EPP_NS, "contact": CONTACT_NS, "domain": DOMAIN_NS}
# EPP is the default namespace of every document, as in the RFC examples.
ET.register_namespace("", EPP_NS)
ET.register_namespace("contact", CONTACT_NS)
ET.register_namespace("domain", DOMAIN_NS)


class MalformedResponse(ValueError):
    """The registry sent something that is not an EPP response."""


@dataclass(frozen=True)
class MessageQueue:
    """`<msgQ>`: how many messages wait, and the one this response carries."""

    count: int
    id: str | None
    queued: datetime | None = None
    text: str = ""


@dataclass(frozen=True)
class Response:
    code: int
    message: str
    cl_trid: str | None
    sv_trid: str | None
    res_data: ET.Element | None = None
    queue: MessageQueue | None = None


@dataclass(frozen=True)
class DomainInfo:
    """What `<domain:info>` tells about one domain."""

    name: str
    roid: str
    statuses: tuple[str, ...]
    registrant: str | None
    contacts: tuple[tuple[str, str], ...]  # (type, contact id)
    sponsor: str
    created: datetime | None
    expires: datetime | None

    def roles_of(self, contact_ids: set[str]) -> list[str]:
        """The roles (registrant, admin, tech, billing) that any of `contact_ids` holds."""
        roles = ["registrant"] if self.registrant in contact_ids else []
        return roles + [kind for kind, cid in self.contacts if cid in contact_ids]


@dataclass(frozen=True)
class Address:
    """`<contact:addr>`: sent whole, as the registry replaces the address whole."""

    street: tuple[str, ...]
    city: str
    state: str | None
    postcode: str | None
    country: str


@dataclass(frozen=True)
class PostalChange:
    """One form ("int" or "loc") of `<contact:postalInfo>` in a `<contact:chg>`."""

    type: str
    name: str | None = None
    org: str | None = None
    addr: Address | None = None


@dataclass(frozen=True)
class PanData:
    """`<contact:panData>`: the outcome of an action the registry answered 1001 to."""

    contact_id: str
    approved: bool
    date: datetime | None
    cl_trid: str | None
    sv_trid: str | None


def login(client_id: str, password: str) -> ET.Element:
    verb = _element("epp:login")
    _with(verb, "epp:clID", client_id)
    _with(verb, "epp:pw", password)
    options = _with(verb, "epp:options")
    _with(options, "epp:version", "1.0")
    _with(options, "epp:lang", "en")
    services = _with(verb, "epp:svcs")
    for uri in (CONTACT_NS, DOMAIN_NS):
        _with(services, "epp:objURI", uri)
    return verb


def logout() -> ET.Element:
    return _element("epp:logout")


def contact_info(contact_id: str) -> ET.Element:
    return _object_command("info", "contact", "id", contact_id)


def contact_delete(contact_id: str) -> ET.Element:
    return _object_command("delete", "contact", "id", contact_id)


def contact_update(
    contact_id: str,
    *,
    postal: tuple[PostalChange, ...] = (),
    voice: str | None = None,
    email: str | None = None,
    withhold: tuple[str, ...] = (),
) -> ET.Element:
    """`<contact:update>` with a `<contact:chg>` of what is given (RFC 5733 §3.2.5).

    `withhold` names the postalInfo forms whose name, org and address, with voice, fax and
    email, get `<contact:disclose flag="0">`: kept by the registry, no longer published.
    """
    verb = _object_command("update", "contact", "id", contact_id)
    chg = _with(verb[0], "contact:chg")
    for form in postal:
        info = _with(chg, "contact:postalInfo", type=form.type)
        if form.name is not None:
            _with(info, "contact:name", form.name)
        if form.org is not None:
            _with(info, "contact:org", form.org)
        if (addr := form.addr) is not None:
            element = _with(info, "contact:addr")
            for line in addr.street:
                _with(element, "contact:street", line)
            _with(element, "contact:city", addr.city)
            for tag, value in (("sp", addr.state), ("pc", addr.postcode)):
                if value is not None:
                    _with(element, f"contact:{tag}", value)
            _with(element, "contact:cc", addr.country)
    for tag, value in (("voice", voice), ("email", email)):
        if value is not None:
            _with(chg, f"contact:{tag}", value)
    if withhold:
        disclose = _with(chg, "contact:disclose", flag="0")
        for tag in ("name", "org", "addr"):
            for form_type in withhold:
                _with(disclose, f"contact:{tag}", type=form_type)
        for tag in ("voice", "fax", "email"):
            _with(disclose, f"contact:{tag}")
    return verb


def domain_info(name: str) -> ET.Element:
    return _object_command("info", "domain", "name", name)


def domain_update(
    name: str,
    *,
    registrant: str | None,
    add: list[tuple[str, str]],
    remove: list[tuple[str, str]],
) -> ET.Element:
    """Add and remove (type, contact id) pairs and change the registrant, in one command."""
    verb = _object_command("update", "domain", "name", name)
    update = verb[0]
    for part, pairs in (("add", add), ("rem", remove)):
        if pairs:
            holder = _with(update, f"domain:{part}")
            for kind, contact_id in pairs:
                _with(holder, "domain:contact", contact_id, type=kind)
    if registrant:
        _with(_with(update, "domain:chg"), "domain:registrant", registrant)
    return verb


def poll_request() -> ET.Element:
    return _element("epp:poll", op="req")


def poll_ack(message_id: str) -> ET.Element:
    return _element("epp:poll", op="ack", msgID=message_id)


def command(verb: ET.Element, cl_trid: str) -> bytes:
    """The frame payload for one command, with our transaction id."""
    root = _element("epp:epp")
    body = _with(root, "epp:command")
    body.append(verb)
    _with(body, "epp:clTRID", cl_trid)
    return _serialise(root)


def is_greeting(payload: bytes) -> bool:
    return _parse(payload).find("epp:greeting", NS) is not None


def parse_response(payload: bytes) -> Response:
    response = _parse(payload).find("epp:response", NS)
    result = response.find("epp:result", NS) if response is not None else None
    if response is None or result is None or not (result.get("code") or "").isdigit():
        raise MalformedResponse("no <response> with a result code")
    queue = response.find("epp:msgQ", NS)
    res_data = response.find("epp:resData", NS)
    return Response(
        code=int(result.get("code", "0")),
        message=_text(result, "epp:msg") or "",
        cl_trid=_text(response, "epp:trID/epp:clTRID"),
        sv_trid=_text(response, "epp:trID/epp:svTRID"),
        res_data=res_data[0] if res_data is not None and len(res_data) else None,
        queue=_queue(queue) if queue is not None else None,
    )


def contact_statuses(inf: ET.Element) -> set[str]:
    return {e.get("s", "") for e in inf.iterfind("contact:status", NS)}


def contact_record(inf: ET.Element) -> dict[str, Any]:
    """A `<contact:infData>` as one export record, in the registry's own terms."""
    return {
        "id": _text(inf, "contact:id"),
        "roid": _text(inf, "contact:roid"),
        "statuses": sorted(contact_statuses(inf)),
        "postal_info": [_postal_info(p) for p in inf.iterfind("contact:postalInfo", NS)],
        "voice": _text(inf, "contact:voice"),
        "fax": _text(inf, "contact:fax"),
        "email": _text(inf, "contact:email"),
        "sponsoring_registrar": _text(inf, "contact:clID"),
        "created": _text(inf, "contact:crDate"),
        "updated": _text(inf, "contact:upDate"),
        "not_published": _withheld(inf),
    }


def domain_of(inf: ET.Element) -> DomainInfo:
    return DomainInfo(
        name=_text(inf, "domain:name") or "",
        roid=_text(inf, "domain:roid") or "",
        statuses=tuple(e.get("s", "") for e in inf.iterfind("domain:status", NS)),
        registrant=_text(inf, "domain:registrant"),
        contacts=tuple(
            (e.get("type", ""), (e.text or "").strip()) for e in inf.iterfind("domain:contact", NS)
        ),
        sponsor=_text(inf, "domain:clID") or "",
        created=_date(_text(inf, "domain:crDate")),
        expires=_date(_text(inf, "domain:exDate")),
    )


def pan_data(res_data: ET.Element | None) -> PanData | None:
    """The panData of a poll message; None for other kinds of message."""
    if res_data is None or res_data.tag != f"{{{CONTACT_NS}}}panData":
        return None
    pa_id = res_data.find("contact:id", NS)
    if pa_id is None or not pa_id.text:
        raise MalformedResponse("panData without a contact id")
    return PanData(
        contact_id=pa_id.text.strip(),
        approved=pa_id.get("paResult") in ("1", "true"),
        date=_date(_text(res_data, "contact:paDate")),
        cl_trid=_text(res_data, "contact:paTRID/epp:clTRID"),
        sv_trid=_text(res_data, "contact:paTRID/epp:svTRID"),
    )


def _postal_info(postal: ET.Element) -> dict[str, Any]:
    return {
        "type": postal.get("type"),
        "name": _text(postal, "contact:name"),
        "org": _text(postal, "contact:org"),
        "street": [e.text or "" for e in postal.iterfind("contact:addr/contact:street", NS)],
        "city": _text(postal, "contact:addr/contact:city"),
        "state": _text(postal, "contact:addr/contact:sp"),
        "postcode": _text(postal, "contact:addr/contact:pc"),
        "country": _text(postal, "contact:addr/contact:cc"),
    }


def _withheld(inf: ET.Element) -> list[str]:
    """The elements `<contact:disclose flag="0">` keeps out of the public WHOIS."""
    disclose = inf.find("contact:disclose", NS)
    if disclose is None or disclose.get("flag") not in ("0", "false"):
        return []
    return [e.tag.rsplit("}", 1)[-1] for e in disclose]


def _queue(msgq: ET.Element) -> MessageQueue:
    return MessageQueue(
        count=int(msgq.get("count", "0")),
        id=msgq.get("id"),
        queued=_date(_text(msgq, "epp:qDate")),
        text=_text(msgq, "epp:msg") or "",
    )


def _object_command(verb: str, prefix: str, key: str, value: str) -> ET.Element:
    outer = _element(f"epp:{verb}")
    _with(_with(outer, f"{prefix}:{verb}"), f"{prefix}:{key}", value)
    return outer


def _parse(payload: bytes) -> ET.Element:
    try:
        root = ET.fromstring(payload)
    except ET.ParseError:
        raise MalformedResponse("not well-formed XML") from None
    if root.tag != f"{{{EPP_NS}}}epp":
        raise MalformedResponse("not an <epp> document")
    return root


def _date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _text(parent: ET.Element, path: str) -> str | None:
    found = parent.find(path, NS)
    return found.text.strip() if found is not None and found.text else None


def _element(tag: str, **attrs: str) -> ET.Element:
    prefix, _, name = tag.partition(":")
    return ET.Element(f"{{{NS[prefix]}}}{name}", attrs)


def _with(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """Append a child `prefix:name` element and return it."""
    child = _element(tag, **attrs)
    child.text = text
    parent.append(child)
    return child


def _serialise(root: ET.Element) -> bytes:
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml
