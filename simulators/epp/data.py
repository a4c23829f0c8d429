"""The EPP registry's objects and rules: contacts, domains, pending actions and poll queues.

Pure state, no I/O: the protocol layer (views.py) parses commands, calls these methods, and
renders what they return or the `Refused` result code they raise. Every method takes the lock,
because tests call the control methods from another thread than the server's.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

# What `disclose flag="0"` can withhold from the public WHOIS/RDAP (RFC 5733 §2.9).
DISCLOSABLE = ("name", "org", "addr", "voice", "fax", "email")
# Statuses a registrar may set itself; the server* and pending* ones are the registry's.
CLIENT_STATUSES = frozenset(
    {"clientDeleteProhibited", "clientTransferProhibited", "clientUpdateProhibited"}
)
# The pending* statuses exclude each other (RFC 5733 §2.2): an object under review is left be.
_PENDING = frozenset({"pendingDelete", "pendingUpdate"})
_BLOCKS_DELETE = frozenset({"clientDeleteProhibited", "serverDeleteProhibited"}) | _PENDING
_BLOCKS_UPDATE = frozenset({"clientUpdateProhibited", "serverUpdateProhibited"}) | _PENDING
CONTACT_TYPES = ("admin", "tech", "billing")


class Refused(Exception):
    """A command the registry refuses, with its EPP result code (RFC 5730 §3)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Contact:
    id: str
    roid: str
    sponsor: str
    name: str
    email: str
    cc: str
    city: str
    street: list[str] = field(default_factory=list)
    pc: str | None = None
    sp: str | None = None
    org: str | None = None
    voice: str | None = None
    fax: str | None = None
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated: datetime | None = None
    statuses: set[str] = field(default_factory=set)
    withheld: set[str] = field(default_factory=set)  # elements disclosed with flag="0"


@dataclass
class Domain:
    name: str
    roid: str
    sponsor: str
    registrant: str
    contacts: list[tuple[str, str]]  # (type, contact id), type admin | tech | billing
    created: datetime
    expires: datetime
    updated: datetime | None = None
    statuses: set[str] = field(default_factory=set)

    def uses(self, contact_id: str) -> bool:
        return self.registrant == contact_id or any(c == contact_id for _, c in self.contacts)


@dataclass(frozen=True)
class PollMessage:
    """A pending action's outcome, as `<contact:panData>` carries it (RFC 5733 §3.3)."""

    id: str
    queued: datetime
    contact_id: str
    approved: bool
    cl_trid: str | None
    sv_trid: str
    date: datetime

    @property
    def text(self) -> str:
        return (
            "Pending action completed successfully."
            if self.approved
            else "Pending action rejected."
        )


@dataclass(frozen=True)
class ContactChange:
    """What a `<contact:update>` asks for; None leaves a field as it is."""

    fields: dict[str, str | list[str] | None] = field(default_factory=dict)
    withhold: set[str] = field(default_factory=set)  # disclose flag="0"
    reveal: set[str] = field(default_factory=set)  # disclose flag="1"
    add_statuses: set[str] = field(default_factory=set)
    remove_statuses: set[str] = field(default_factory=set)

    @property
    def reviewed(self) -> bool:
        """Whether a registry that reviews changes holds this one back (data, not statuses)."""
        return bool(self.fields or self.withhold or self.reveal)


@dataclass(frozen=True)
class _Pending:
    """A transform answered 1001: a deletion (`change` None) or an update awaiting review."""

    sponsor: str
    cl_trid: str | None
    sv_trid: str
    change: ContactChange | None = None


class Registry:
    """All objects of the registry, and the poll queue of each registrar."""

    def __init__(self, contacts: list[Contact], domains: list[Domain]) -> None:
        self.lock = threading.RLock()
        self.contacts = {c.id: c for c in contacts}
        self.domains = {d.name: d for d in domains}
        self.queues: dict[str, list[PollMessage]] = {}
        self._pending: dict[str, _Pending] = {}
        self._message_ids = itertools.count(1)

    def contact(self, client: str, contact_id: str) -> Contact:
        with self.lock:
            contact = self.contacts.get(contact_id)
            if contact is None:
                raise Refused(2303)
            if contact.sponsor != client:
                raise Refused(2201)
            return contact

    def contact_statuses(self, contact: Contact) -> list[str]:
        """Stored statuses plus the computed `linked` and `ok` (RFC 5733 §2.2)."""
        with self.lock:
            statuses = set(contact.statuses) or {"ok"}
            if self._is_linked(contact.id):
                statuses.add("linked")
            return sorted(statuses)

    def domain(self, client: str, name: str) -> Domain:
        with self.lock:
            domain = self.domains.get(name.lower())
            if domain is None:
                raise Refused(2303)
            if domain.sponsor != client:
                raise Refused(2201)
            return domain

    def update_domain(
        self,
        client: str,
        name: str,
        *,
        registrant: str | None,
        add: list[tuple[str, str]],
        remove: list[tuple[str, str]],
    ) -> None:
        """Remove, then add contacts, then change the registrant; all or nothing."""
        with self.lock:
            domain = self.domain(client, name)
            if domain.statuses & _BLOCKS_UPDATE:
                raise Refused(2304)
            for contact_id in [c for _, c in add] + ([registrant] if registrant else []):
                self._usable_contact(client, contact_id)
            contacts = list(domain.contacts)
            for pair in remove:
                if pair not in contacts:
                    raise Refused(2306)
                contacts.remove(pair)
            for pair in add:
                if pair[0] not in CONTACT_TYPES or pair in contacts:
                    raise Refused(2306)
                contacts.append(pair)
            # This registry's policy, like most ccTLDs: every domain keeps an admin and a tech.
            if not all(any(t == kind for t, _ in contacts) for kind in ("admin", "tech")):
                raise Refused(2306)
            domain.contacts = contacts
            domain.registrant = registrant or domain.registrant
            domain.updated = datetime.now(UTC)

    def update_contact(
        self,
        client: str,
        contact_id: str,
        change: ContactChange,
        *,
        pending: bool = False,
        cl_trid: str | None = None,
        sv_trid: str = "",
    ) -> bool:
        """Change now, or hold a data change as pendingUpdate while reviewed; True if pending."""
        with self.lock:
            contact = self.contact(client, contact_id)
            if not (change.add_statuses | change.remove_statuses) <= CLIENT_STATUSES:
                raise Refused(2306)
            # A registrar lifts its own clientUpdateProhibited in the same command (RFC 5733).
            if (contact.statuses & _BLOCKS_UPDATE) - change.remove_statuses:
                raise Refused(2304)
            if change.fields.get("name", "") is None or change.fields.get("email", "") is None:
                raise Refused(2003)  # a contact always keeps a name and an email
            if pending and change.reviewed:
                contact.statuses.add("pendingUpdate")
                self._pending[contact_id] = _Pending(client, cl_trid, sv_trid, change)
                return True
            _apply(contact, change)
            return False

    def delete_contact(
        self, client: str, contact_id: str, *, pending: bool, cl_trid: str | None, sv_trid: str
    ) -> bool:
        """Delete now, or mark it pendingDelete when deletions are reviewed; True if pending."""
        with self.lock:
            contact = self.contact(client, contact_id)
            if contact.statuses & _BLOCKS_DELETE:
                raise Refused(2304)
            if self._is_linked(contact_id):
                raise Refused(2305)
            if not pending:
                del self.contacts[contact_id]
                return False
            contact.statuses.add("pendingDelete")
            self._pending[contact_id] = _Pending(client, cl_trid, sv_trid)
            return True

    def resolve_pending(self, contact_id: str | None = None, *, approve: bool = True) -> list[str]:
        """Decide pending actions (one, or all) and queue the outcome for their registrar."""
        with self.lock:
            ids = [contact_id] if contact_id in self._pending else []
            if contact_id is None:
                ids = list(self._pending)
            for pending_id in ids:
                self._decide(pending_id, approve)
            return ids

    def poll_request(self, client: str) -> tuple[PollMessage, int] | None:
        """The oldest message of the registrar's queue, and how many are queued."""
        with self.lock:
            queue = self.queues.get(client, [])
            return (queue[0], len(queue)) if queue else None

    def poll_ack(self, client: str, message_id: str) -> int:
        """Remove one message; returns how many remain."""
        with self.lock:
            queue = self.queues.get(client, [])
            found = [m for m in queue if m.id == message_id]
            if not found:
                raise Refused(2303)
            queue.remove(found[0])
            return len(queue)

    def _decide(self, contact_id: str, approve: bool) -> None:
        pending = self._pending.pop(contact_id)
        contact = self.contacts[contact_id]
        contact.statuses -= _PENDING
        if approve and pending.change is None:
            del self.contacts[contact_id]
        elif approve and pending.change is not None:
            _apply(contact, pending.change)
        now = datetime.now(UTC)
        message = PollMessage(
            id=str(next(self._message_ids)), queued=now, contact_id=contact_id,
            approved=approve, cl_trid=pending.cl_trid, sv_trid=pending.sv_trid, date=now,
        )  # fmt: skip
        self.queues.setdefault(pending.sponsor, []).append(message)

    def _usable_contact(self, client: str, contact_id: str) -> None:
        """A domain may only point at an existing contact of its own registrar."""
        contact = self.contact(client, contact_id)
        if "pendingDelete" in contact.statuses:
            raise Refused(2304)

    def _is_linked(self, contact_id: str) -> bool:
        return any(domain.uses(contact_id) for domain in self.domains.values())


def _apply(contact: Contact, change: ContactChange) -> None:
    for name, value in change.fields.items():
        setattr(contact, name, value)
    contact.withheld = (contact.withheld | change.withhold) - change.reveal
    contact.statuses = (contact.statuses | change.add_statuses) - change.remove_statuses
    contact.updated = datetime.now(UTC)
