"""EPP commands in, EPP responses out (RFC 5730-5733): the XML side of the simulated registry.

Incoming XML is parsed with the stdlib: expat 2.4+ refuses entity-expansion bombs and
ElementTree never fetches external entities, and frames are size-capped before parsing.
"""

from __future__ import annotations

import hmac
import itertools
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from simulators.epp_store import (
    DISCLOSABLE,
    Contact,
    ContactChange,
    Domain,
    PollMessage,
    Refused,
    Registry,
)

EPP_NS = "urn:ietf:params:xml:ns:epp-1.0"
CONTACT_NS = "urn:ietf:params:xml:ns:contact-1.0"
DOMAIN_NS = "urn:ietf:params:xml:ns:domain-1.0"
NS = {"epp": EPP_NS, "contact": CONTACT_NS, "domain": DOMAIN_NS}
_EPP_ROOT = f"{{{EPP_NS}}}epp"
_POSTAL = ("name", "org", "addr")
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


@dataclass
class Session:
    """One TLS connection: who logged in, and whether the server ends it after this reply."""

    client: str | None = None
    closing: bool = False


@dataclass(frozen=True)
class _Reply:
    code: int = 1000
    res_data: ET.Element | None = None
    msgq: ET.Element | None = None


Handler = Callable[[str, ET.Element, str | None, str], _Reply]


class CommandHandler:
    """Answers each frame of a session against the registry."""

    def __init__(
        self,
        registry: Registry,
        accounts: dict[str, str],
        *,
        pending_deletes: Callable[[], bool],
        on_pending: Callable[[str], None],
    ) -> None:
        self._registry = registry
        self._accounts = accounts
        self._pending_deletes = pending_deletes
        self._on_pending = on_pending
        self._sv_trids = itertools.count(1)
        self._object_commands: dict[tuple[str, str], Handler] = {
            ("info", f"{{{CONTACT_NS}}}info"): self._contact_info,
            ("update", f"{{{CONTACT_NS}}}update"): self._contact_update,
            ("delete", f"{{{CONTACT_NS}}}delete"): self._contact_delete,
            ("info", f"{{{DOMAIN_NS}}}info"): self._domain_info,
            ("update", f"{{{DOMAIN_NS}}}update"): self._domain_update,
        }

    def greeting(self) -> bytes:
        epp = _element("epp:epp")
        greeting = _add(epp, "epp:greeting")
        _add(greeting, "epp:svID", "dsr EPP registry simulator")
        _add(greeting, "epp:svDate", _stamp(datetime.now(UTC)))
        menu = _add(greeting, "epp:svcMenu")
        _add(menu, "epp:version", "1.0")
        _add(menu, "epp:lang", "en")
        for uri in (CONTACT_NS, DOMAIN_NS):
            _add(menu, "epp:objURI", uri)
        dcp = _add(greeting, "epp:dcp")
        _add(_add(dcp, "epp:access"), "epp:all")
        statement = _add(dcp, "epp:statement")
        for part, value in (("purpose", "admin"), ("recipient", "ours"), ("retention", "stated")):
            _add(_add(statement, f"epp:{part}"), f"epp:{value}")
        return _serialise(epp)

    def handle(self, session: Session, payload: bytes, *, limited: bool = False) -> bytes:
        """The reply to one frame; `limited` answers 2502 and ends the session."""
        sv_trid = f"SIM-{next(self._sv_trids):08d}"
        try:
            root = ET.fromstring(payload)
        except ET.ParseError:
            return _response(_Reply(2001), None, sv_trid)
        if root.tag == _EPP_ROOT and root.find("epp:hello", NS) is not None:
            return self.greeting()
        command = root.find("epp:command", NS) if root.tag == _EPP_ROOT else None
        cl_trid = _text(command, "epp:clTRID") if command is not None else None
        if limited:
            session.closing = True
            return _response(_Reply(2502), cl_trid, sv_trid)
        try:
            reply = self._dispatch(session, command, cl_trid, sv_trid)
        except Refused as refused:
            reply = _Reply(refused.code)
        return _response(reply, cl_trid, sv_trid)

    def _dispatch(
        self, session: Session, command: ET.Element | None, cl_trid: str | None, sv_trid: str
    ) -> _Reply:
        ignored = (f"{{{EPP_NS}}}clTRID", f"{{{EPP_NS}}}extension")
        if command is None:
            raise Refused(2001)
        verbs = [child for child in command if child.tag not in ignored]
        if len(verbs) != 1:
            raise Refused(2001)
        verb = verbs[0]
        verb_name = verb.tag.removeprefix(f"{{{EPP_NS}}}")
        if verb_name == "login":
            return self._login(session, verb)
        if session.client is None:
            raise Refused(2002)
        if verb_name == "logout":
            session.closing = True
            return _Reply(1500)
        if verb_name == "poll":
            return self._poll(session.client, verb)
        target = verb[0].tag if len(verb) else ""
        handler = self._object_commands.get((verb_name, target))
        if handler is None:
            raise Refused(2101)
        return handler(session.client, verb[0], cl_trid, sv_trid)

    def _login(self, session: Session, login: ET.Element) -> _Reply:
        if session.client is not None:
            raise Refused(2002)
        client_id, password = _required(login, "epp:clID"), _required(login, "epp:pw")
        if _text(login, "epp:options/epp:version") != "1.0":
            raise Refused(2100)
        if _text(login, "epp:options/epp:lang") != "en":
            raise Refused(2102)
        services = {e.text for e in login.iterfind("epp:svcs/epp:objURI", NS)}
        if not services <= {CONTACT_NS, DOMAIN_NS}:
            raise Refused(2307)
        expected = self._accounts.get(client_id)
        if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
            raise Refused(2200)
        session.client = client_id
        return _Reply()

    def _poll(self, client: str, poll: ET.Element) -> _Reply:
        op = poll.get("op")
        if op == "req":
            found = self._registry.poll_request(client)
            if found is None:
                return _Reply(1300)
            message, count = found
            return _Reply(1301, _pan_data(message), _msgq(count, message))
        if op == "ack":
            message_id = poll.get("msgID") or ""
            if not message_id:
                raise Refused(2003)
            remaining = self._registry.poll_ack(client, message_id)
            return _Reply(msgq=_element("epp:msgQ", count=str(remaining), id=message_id))
        raise Refused(2005)

    def _contact_info(self, client: str, info: ET.Element, *_: str | None) -> _Reply:
        contact = self._registry.contact(client, _required(info, "contact:id"))
        return _Reply(res_data=_contact_inf(contact, self._registry.contact_statuses(contact)))

    def _contact_update(self, client: str, update: ET.Element, *_: str | None) -> _Reply:
        self._registry.update_contact(client, _required(update, "contact:id"), _change(update))
        return _Reply()

    def _contact_delete(
        self, client: str, delete: ET.Element, cl_trid: str | None, sv_trid: str
    ) -> _Reply:
        contact_id = _required(delete, "contact:id")
        pending = self._registry.delete_contact(
            client, contact_id, pending=self._pending_deletes(), cl_trid=cl_trid, sv_trid=sv_trid
        )
        if pending:
            self._on_pending(contact_id)
        return _Reply(1001 if pending else 1000)

    def _domain_info(self, client: str, info: ET.Element, *_: str | None) -> _Reply:
        return _Reply(
            res_data=_domain_inf(self._registry.domain(client, _required(info, "domain:name")))
        )

    def _domain_update(self, client: str, update: ET.Element, *_: str | None) -> _Reply:
        def contacts(part: str) -> list[tuple[str, str]]:
            found = update.iterfind(f"domain:{part}/domain:contact", NS)
            return [(e.get("type", ""), (e.text or "").strip()) for e in found]

        self._registry.update_domain(
            client,
            _required(update, "domain:name"),
            registrant=_text(update, "domain:chg/domain:registrant"),
            add=contacts("add"),
            remove=contacts("rem"),
        )
        return _Reply()


def _change(update: ET.Element) -> ContactChange:
    """The fields, disclosure and statuses a `<contact:update>` changes."""
    fields: dict[str, str | list[str] | None] = {}
    for path in ("postalInfo/contact:name", "postalInfo/contact:org", "voice", "fax", "email"):
        if update.find(f"contact:chg/contact:{path}", NS) is not None:
            fields[path.rsplit(":", 1)[-1]] = _text(update, f"contact:chg/contact:{path}")
    addr = update.find("contact:chg/contact:postalInfo/contact:addr", NS)
    if addr is not None:
        fields["street"] = [e.text or "" for e in addr.iterfind("contact:street", NS)]
        fields.update({name: _text(addr, f"contact:{name}") for name in ("city", "sp", "pc", "cc")})
    disclose = update.find("contact:chg/contact:disclose", NS)
    listed = list(disclose) if disclose is not None else []
    named = {e.tag.rsplit("}", 1)[-1] for e in listed} & set(DISCLOSABLE)
    flag = disclose.get("flag") if disclose is not None else None
    return ContactChange(
        fields=fields,
        withhold=named if flag == "0" else set(),
        reveal=named if flag == "1" else set(),
        add_statuses={e.get("s", "") for e in update.iterfind("contact:add/contact:status", NS)},
        remove_statuses={e.get("s", "") for e in update.iterfind("contact:rem/contact:status", NS)},
    )


def _contact_inf(contact: Contact, statuses: list[str]) -> ET.Element:
    inf = _element("contact:infData")
    _add(inf, "contact:id", contact.id)
    _add(inf, "contact:roid", contact.roid)
    for status in statuses:
        _add(inf, "contact:status", s=status)
    postal = _add(inf, "contact:postalInfo", type="int")
    _add(postal, "contact:name", contact.name)
    _optional(postal, "contact:org", contact.org)
    addr = _add(postal, "contact:addr")
    for line in contact.street:
        _add(addr, "contact:street", line)
    for name in ("city", "sp", "pc", "cc"):
        _optional(addr, f"contact:{name}", getattr(contact, name))
    for name in ("voice", "fax", "email"):
        _optional(inf, f"contact:{name}", getattr(contact, name))
    _add(inf, "contact:clID", contact.sponsor)
    _add(inf, "contact:crID", contact.sponsor)
    _add(inf, "contact:crDate", _stamp(contact.created))
    if contact.updated:
        _add(inf, "contact:upID", contact.sponsor)
        _add(inf, "contact:upDate", _stamp(contact.updated))
    if contact.withheld:
        disclose = _add(inf, "contact:disclose", flag="0")
        for name in (n for n in DISCLOSABLE if n in contact.withheld):
            _add(disclose, f"contact:{name}", **({"type": "int"} if name in _POSTAL else {}))
    return inf


def _domain_inf(domain: Domain) -> ET.Element:
    inf = _element("domain:infData")
    _add(inf, "domain:name", domain.name)
    _add(inf, "domain:roid", domain.roid)
    for status in sorted(domain.statuses) or ["ok"]:
        _add(inf, "domain:status", s=status)
    _add(inf, "domain:registrant", domain.registrant)
    for kind, contact_id in domain.contacts:
        _add(inf, "domain:contact", contact_id, type=kind)
    _add(inf, "domain:clID", domain.sponsor)
    _add(inf, "domain:crID", domain.sponsor)
    _add(inf, "domain:crDate", _stamp(domain.created))
    if domain.updated:
        _add(inf, "domain:upDate", _stamp(domain.updated))
    _add(inf, "domain:exDate", _stamp(domain.expires))
    return inf


def _pan_data(message: PollMessage) -> ET.Element:
    pan = _element("contact:panData")
    _add(pan, "contact:id", message.contact_id, paResult="1" if message.approved else "0")
    pa_trid = _add(pan, "contact:paTRID")
    _optional(pa_trid, "epp:clTRID", message.cl_trid)
    _add(pa_trid, "epp:svTRID", message.sv_trid)
    _add(pan, "contact:paDate", _stamp(message.date))
    return pan


def _msgq(count: int, message: PollMessage) -> ET.Element:
    msgq = _element("epp:msgQ", count=str(count), id=message.id)
    _add(msgq, "epp:qDate", _stamp(message.queued))
    _add(msgq, "epp:msg", message.text)
    return msgq


def _response(reply: _Reply, cl_trid: str | None, sv_trid: str) -> bytes:
    epp = _element("epp:epp")
    response = _add(epp, "epp:response")
    _add(_add(response, "epp:result", code=str(reply.code)), "epp:msg", RESULTS[reply.code])
    if reply.msgq is not None:
        response.append(reply.msgq)
    if reply.res_data is not None:
        _add(response, "epp:resData").append(reply.res_data)
    tr_id = _add(response, "epp:trID")
    _optional(tr_id, "epp:clTRID", cl_trid)
    _add(tr_id, "epp:svTRID", sv_trid)
    return _serialise(epp)


def _serialise(root: ET.Element) -> bytes:
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml


def _required(parent: ET.Element, path: str) -> str:
    value = _text(parent, path)
    if not value:
        raise Refused(2003)
    return value


def _text(parent: ET.Element, path: str) -> str | None:
    found = parent.find(path, NS)
    return found.text.strip() if found is not None and found.text else None


def _element(tag: str, **attrs: str) -> ET.Element:
    """An element named `prefix:name` with a prefix of `NS`."""
    prefix, _, name = tag.partition(":")
    return ET.Element(f"{{{NS[prefix]}}}{name}", attrs)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = _element(tag, **attrs)
    element.text = text
    parent.append(element)
    return element


def _optional(parent: ET.Element, tag: str, text: str | None) -> None:
    """Optional elements are left out, not sent empty."""
    if text is not None:
        _add(parent, tag, text)


def _stamp(moment: datetime) -> str:
    """EPP's dateTime in UTC with a tenth of a second, as the RFC examples write it."""
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 100_000}Z"
