"""EPP commands in, EPP responses out (RFC 5730-5733): the command side of the simulated registry.

Incoming XML is parsed with the stdlib: expat 2.4+ refuses entity-expansion bombs and
ElementTree never fetches external entities, and frames are size-capped before parsing.
The documents are rendered by `wire.py`.
"""

from __future__ import annotations

import hmac
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from simulators.epp.data import DISCLOSABLE, ContactChange, Refused, Registry
from simulators.epp.wire import (
    CONTACT_NS,
    DOMAIN_NS,
    EPP_NS,
    NS,
    add,
    contact_inf,
    domain_inf,
    element,
    msgq_of,
    pan_data,
    response,
    serialise,
    stamp,
    text,
)

_EPP_ROOT = f"{{{EPP_NS}}}epp"
# e164StringType of RFC 5733 §2.5 (without the optional extension attribute).
_E164 = re.compile(r"^\+[0-9]{1,3}\.[0-9]{1,14}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


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
        pending_updates: Callable[[], bool],
        on_pending: Callable[[str], None],
    ) -> None:
        self._registry = registry
        self._accounts = accounts
        self._pending_deletes = pending_deletes
        self._pending_updates = pending_updates
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
        epp = element("epp:epp")
        greeting = add(epp, "epp:greeting")
        add(greeting, "epp:svID", "dsr EPP registry simulator")
        add(greeting, "epp:svDate", stamp(datetime.now(UTC)))
        menu = add(greeting, "epp:svcMenu")
        add(menu, "epp:version", "1.0")
        add(menu, "epp:lang", "en")
        for uri in (CONTACT_NS, DOMAIN_NS):
            add(menu, "epp:objURI", uri)
        dcp = add(greeting, "epp:dcp")
        add(add(dcp, "epp:access"), "epp:all")
        statement = add(dcp, "epp:statement")
        for part, value in (("purpose", "admin"), ("recipient", "ours"), ("retention", "stated")):
            add(add(statement, f"epp:{part}"), f"epp:{value}")
        return serialise(epp)

    def handle(self, session: Session, payload: bytes, *, limited: bool = False) -> bytes:
        """The reply to one frame; `limited` answers 2502 and ends the session."""
        sv_trid = f"SIM-{next(self._sv_trids):08d}"
        try:
            root = ET.fromstring(payload)
        except ET.ParseError:
            return response(2001, None, sv_trid)
        if root.tag == _EPP_ROOT and root.find("epp:hello", NS) is not None:
            return self.greeting()
        command = root.find("epp:command", NS) if root.tag == _EPP_ROOT else None
        cl_trid = text(command, "epp:clTRID") if command is not None else None
        if limited:
            session.closing = True
            return response(2502, cl_trid, sv_trid)
        try:
            reply = self._dispatch(session, command, cl_trid, sv_trid)
        except Refused as refused:
            reply = _Reply(refused.code)
        return response(reply.code, cl_trid, sv_trid, reply.res_data, reply.msgq)

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
        if text(login, "epp:options/epp:version") != "1.0":
            raise Refused(2100)
        if text(login, "epp:options/epp:lang") != "en":
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
            return _Reply(1301, pan_data(message), msgq_of(count, message))
        if op == "ack":
            message_id = poll.get("msgID") or ""
            if not message_id:
                raise Refused(2003)
            remaining = self._registry.poll_ack(client, message_id)
            return _Reply(msgq=element("epp:msgQ", count=str(remaining), id=message_id))
        raise Refused(2005)

    def _contact_info(self, client: str, info: ET.Element, *_: str | None) -> _Reply:
        contact = self._registry.contact(client, _required(info, "contact:id"))
        return _Reply(res_data=contact_inf(contact, self._registry.contact_statuses(contact)))

    def _contact_update(
        self, client: str, update: ET.Element, cl_trid: str | None, sv_trid: str
    ) -> _Reply:
        contact_id = _required(update, "contact:id")
        pending = self._registry.update_contact(
            client, contact_id, _change(update), pending=self._pending_updates(),
            cl_trid=cl_trid, sv_trid=sv_trid,
        )  # fmt: skip
        if pending:
            self._on_pending(contact_id)
        return _Reply(1001 if pending else 1000)

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
            res_data=domain_inf(self._registry.domain(client, _required(info, "domain:name")))
        )

    def _domain_update(self, client: str, update: ET.Element, *_: str | None) -> _Reply:
        def contacts(part: str) -> list[tuple[str, str]]:
            found = update.iterfind(f"domain:{part}/domain:contact", NS)
            return [(e.get("type", ""), (e.text or "").strip()) for e in found]

        self._registry.update_domain(
            client,
            _required(update, "domain:name"),
            registrant=text(update, "domain:chg/domain:registrant"),
            add=contacts("add"),
            remove=contacts("rem"),
        )
        return _Reply()


def _change(update: ET.Element) -> ContactChange:
    """The fields, disclosure and statuses a `<contact:update>` changes; 2005/2306 if malformed."""
    fields: dict[str, str | list[str] | None] = {}
    postal_forms = update.findall("contact:chg/contact:postalInfo", NS)
    if [p.get("type") for p in postal_forms] not in ([], ["int"]):
        # Two forms may be sent (RFC 5733 §3.2.5); this registry's policy keeps only "int".
        loc = any(p.get("type") == "loc" for p in postal_forms)
        raise Refused(2306 if loc else 2005)
    for path in ("postalInfo/contact:name", "postalInfo/contact:org", "voice", "fax", "email"):
        if update.find(f"contact:chg/contact:{path}", NS) is not None:
            fields[path.rsplit(":", 1)[-1]] = text(update, f"contact:chg/contact:{path}")
    addr = update.find("contact:chg/contact:postalInfo/contact:addr", NS)
    if addr is not None:
        fields["street"] = [e.text or "" for e in addr.iterfind("contact:street", NS)]
        fields.update({name: text(addr, f"contact:{name}") for name in ("city", "sp", "pc", "cc")})
    _check_syntax(fields, addr is not None)
    disclose = update.find("contact:chg/contact:disclose", NS)
    listed = list(disclose) if disclose is not None else []
    named = {e.tag.rsplit("}", 1)[-1] for e in listed} & set(DISCLOSABLE)
    flag = disclose.get("flag") if disclose is not None else None
    if disclose is not None and flag not in ("0", "1"):
        raise Refused(2005)
    return ContactChange(
        fields=fields,
        withhold=named if flag == "0" else set(),
        reveal=named if flag == "1" else set(),
        add_statuses={e.get("s", "") for e in update.iterfind("contact:add/contact:status", NS)},
        remove_statuses={e.get("s", "") for e in update.iterfind("contact:rem/contact:status", NS)},
    )


def _check_syntax(fields: dict[str, str | list[str] | None], with_addr: bool) -> None:
    """What the contact schema and RFC 5733 §2 demand of changed values."""
    if with_addr and not (fields.get("city") and fields.get("cc")):
        raise Refused(2003)  # an address always has a city and a country code
    street = fields.get("street") or []
    if len(street) > 3 or not _COUNTRY.match(str(fields.get("cc") or "NL")):
        raise Refused(2005)
    for name in ("voice", "fax"):
        if fields.get(name) is not None and not _E164.match(str(fields[name])):
            raise Refused(2005)
    if fields.get("email") is not None and "@" not in str(fields["email"]):
        raise Refused(2005)
    # The "int" form holds only 7-bit ASCII (RFC 5733 §2.3).
    postal = [*street, *(str(fields.get(n) or "") for n in ("name", "org", "city", "sp", "pc"))]
    if not all(value.isascii() for value in postal):
        raise Refused(2005)


def _required(parent: ET.Element, path: str) -> str:
    value = text(parent, path)
    if not value:
        raise Refused(2003)
    return value
