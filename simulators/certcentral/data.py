"""The CertCentral account the simulator serves: orders, organisations, contacts, revoke requests.

In memory, behind one lock (tests read and decide from their own thread). The vendor's refusals
live here: deleting an organisation that active orders use, a second revocation while one is
pending, and the contact updates' rules (see `update_organization_contacts` and
`update_order_contacts`).
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock
from typing import Any, TypeVar

T = TypeVar("T")
VALIDITY_DAYS = 397  # the longest TLS validity the CA/Browser Forum allowed
IN_USE = ("issued", "pending")  # order statuses that keep an organisation from deletion
CERTIFICATE_ID_OFFSET = 50_000_000
CONTACT_TYPES = ("organization_contact", "technical_contact")
_NAMED_BY = ("first_name", "last_name", "email")  # a contact whose three match is the same one
_OPTIONAL = ("telephone", "job_title")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PRODUCTS = {
    "dv": {"name_id": "ssl_dv_geotrust", "name": "GeoTrust Standard DV", "type": "ssl_certificate"},
    "ov": {"name_id": "ssl_basic", "name": "Basic OV", "type": "ssl_certificate"},
}


class SimError(Exception):
    """A refusal the API answers with the vendor's error envelope."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Person:
    id: int
    first_name: str
    last_name: str
    email: str
    telephone: str = ""
    job_title: str = ""

    def view(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Organization:
    id: int
    name: str
    address: str
    zip: str
    city: str
    country: str
    telephone: str
    contact: Person
    technical: Person | None


@dataclass
class Order:
    id: int
    common_name: str
    validation: str  # dv | ov
    status: str  # issued | expired | revoked
    valid_from: date
    valid_till: date
    requester: Person
    organization_contact: Person | None  # None on DV orders: they have no organisation
    technical_contact: Person
    organization_id: int | None = None
    request_ids: list[int] = field(default_factory=list)

    @property
    def certificate_id(self) -> int:
        return self.id + CERTIFICATE_ID_OFFSET

    @property
    def dns_names(self) -> list[str]:
        return list(dict.fromkeys((self.common_name, self.common_name.removeprefix("www."))))


@dataclass
class RevokeRequest:
    id: int
    order_id: int
    date: datetime
    comments: str
    submitted_at: float = field(default_factory=time.monotonic)
    status: str = "pending"  # pending | approved | rejected
    date_processed: datetime | None = None
    processor_comment: str = ""


class CertCentralState:
    """In-memory account; every method holds the lock, as tests read it from another thread."""

    def __init__(
        self,
        orders: list[Order],
        organizations: list[Organization],
        *,
        api_user: Person,
        today: date,
        auto_approve_after: float | None = None,
    ) -> None:
        self.orders = {o.id: o for o in orders}
        self.organizations = {o.id: o for o in organizations}
        self.requests: dict[int, RevokeRequest] = {}
        self.api_user = api_user
        self.today = today
        self.auto_approve_after = auto_approve_after
        self.lock = threading.RLock()
        self._person_ids = itertools.count(90_001)

    def order(self, order_id: int) -> Order:
        return _find(self.orders, order_id, "order")

    def organization(self, organization_id: int) -> Organization:
        return _find(self.organizations, organization_id, "organization")

    def request(self, request_id: int) -> RevokeRequest:
        return _find(self.requests, request_id, "request")

    def list_orders(self, filters: Mapping[str, str]) -> list[Order]:
        with self.lock:
            return [o for o in self.orders.values() if _matches(o, filters)]

    def revoke(
        self, certificate_id: int, comments: str, skip_approval: bool
    ) -> RevokeRequest | None:
        """Revoke at once with `skip_approval`, else file a request an administrator decides."""
        with self.lock:
            order = _find(self.orders, certificate_id - CERTIFICATE_ID_OFFSET, "certificate")
            if order.status != "issued":
                raise SimError(400, "invalid_status", f"The certificate is {order.status}.")
            if any(self.requests[r].status == "pending" for r in order.request_ids):
                raise SimError(
                    400, "duplicate_request", "A revocation request is already pending for it."
                )
            if skip_approval:
                # An account setting makes revoking an order's only certificate revoke the order.
                order.status = "revoked"
                return None
            request = RevokeRequest(len(self.requests) + 1, order.id, _now(), comments)
            self.requests[request.id] = request
            order.request_ids.append(request.id)
            return request

    def decide(self, request_id: int, approve: bool, comment: str = "") -> RevokeRequest:
        """What an administrator does in the CertCentral console."""
        with self.lock:
            request = self.request(request_id)
            if request.status != "pending":
                raise SimError(400, "invalid_status", f"The request is already {request.status}.")
            request.status = "approved" if approve else "rejected"
            request.date_processed = _now()
            request.processor_comment = comment
            if approve:
                self.orders[request.order_id].status = "revoked"
            return request

    def delete_organization(self, organization_id: int) -> None:
        with self.lock:
            self.organization(organization_id)
            if any(
                o.organization_id == organization_id and o.status in IN_USE
                for o in self.orders.values()
            ):
                raise SimError(
                    400,
                    "organization_in_use",
                    "The organization is used by an active order and cannot be deleted.",
                )
            del self.organizations[organization_id]

    def update_organization_contacts(self, organization_id: int, contacts: Any) -> None:
        """Update or replace the organisation's contacts; a bare technical contact removes it.

        As documented: omitted optional fields are deleted, a contact whose first name, last
        name and email all match is updated in place, any other becomes a new contact that
        replaces it, and the organisation contact cannot be removed. Orders keep theirs.
        """
        with self.lock:
            organization = self.organization(organization_id)
            current = {
                "organization_contact": organization.contact,
                "technical_contact": organization.technical,
            }
            new: dict[str, Person | None] = {}
            for kind, fields in _by_type(contacts).items():
                if set(fields) == {"contact_type"}:
                    if kind == "organization_contact":
                        raise SimError(
                            400, "invalid_contact", "The organization contact cannot be removed."
                        )
                    new[kind] = None
                    continue
                new[kind] = self._contact(current[kind], fields, keep_optional=False)
            for kind, person in new.items():
                if kind == "technical_contact":
                    organization.technical = person
                elif person is not None:
                    organization.contact = person

    def update_order_contacts(self, order_id: int, contacts: Any) -> None:
        """Update or replace an order's own contacts; its certificate does not change.

        As documented: a DV order cannot have an organisation contact, contacts cannot be
        removed, and omitted optional fields keep their values.
        """
        with self.lock:
            order = self.order(order_id)
            given = _by_type(contacts)
            if "organization_contact" in given and order.validation == "dv":
                raise SimError(
                    400,
                    "invalid_contact_type",
                    "DV orders cannot have an organization contact.",
                )
            new = {
                kind: self._contact(getattr(order, kind), fields, keep_optional=True)
                for kind, fields in given.items()
            }
            for kind, person in new.items():
                setattr(order, kind, person)

    def _contact(
        self, current: Person | None, fields: dict[str, Any], keep_optional: bool
    ) -> Person:
        """The contact the request describes: the current one changed, or a new one."""
        for name in _NAMED_BY:
            value = fields.get(name)
            if not isinstance(value, str) or not value.strip() or len(value) > 128:
                raise SimError(
                    400, "invalid_contact", f"The contact's {name} is missing or invalid."
                )
        if not _EMAIL.match(fields["email"]):
            raise SimError(400, "invalid_contact", "The contact's email is invalid.")
        kept = current if keep_optional and current is not None else None
        optional = {k: str(fields.get(k, getattr(kept, k, "") if kept else "")) for k in _OPTIONAL}
        same = current is not None and all(
            str(fields[k]).strip().lower() == str(getattr(current, k)).lower() for k in _NAMED_BY
        )
        person_id = current.id if same and current is not None else next(self._person_ids)
        named = {k: str(fields[k]).strip() for k in _NAMED_BY}
        return Person(person_id, **named, **optional)

    def settle(self) -> None:
        """Approve requests older than the auto-approve delay, as a busy administrator would."""
        if self.auto_approve_after is None:
            return
        due = time.monotonic() - self.auto_approve_after
        with self.lock:
            for request in list(self.requests.values()):
                if request.status == "pending" and request.submitted_at <= due:
                    self.decide(request.id, approve=True)


def _find(table: dict[int, T], key: int, what: str) -> T:
    if key not in table:
        raise SimError(404, f"not_found|{what}", f"The specified {what} was not found.")
    return table[key]


def _by_type(contacts: Any) -> dict[str, dict[str, Any]]:
    """The request's contacts by type: a non-empty list with at most one of each type."""
    if not isinstance(contacts, list) or not contacts:
        raise SimError(400, "invalid_contact", "The contacts list is missing or empty.")
    found: dict[str, dict[str, Any]] = {}
    for contact in contacts:
        kind = contact.get("contact_type") if isinstance(contact, dict) else None
        if kind not in CONTACT_TYPES:
            raise SimError(400, "invalid_contact_type", "Unknown or missing contact_type.")
        if kind in found:
            raise SimError(
                400,
                "contact_type_duplicate",
                "A duplicate contact type was submitted. Make sure your request includes no "
                "more than one of each contact type and try again.",
            )
        found[kind] = contact
    return found


def _matches(order: Order, filters: Mapping[str, str]) -> bool:
    people = (order.requester, order.organization_contact, order.technical_contact)
    emails = {p.email.lower() for p in people if p is not None}
    checks: dict[str, Callable[[str], bool]] = {
        "id": lambda v: str(order.id) == v,
        "certificate_id": lambda v: str(order.certificate_id) == v,
        "organization_id": lambda v: str(order.organization_id) == v,
        "common_name": lambda v: order.common_name == v,
        "email": lambda v: v.lower() in emails,
        # As documented: `issued` also matches orders whose certificate has since expired.
        "status": lambda v: order.status == v or (v == "issued" and order.status == "expired"),
    }
    return all(checks[name](value) for name, value in filters.items() if name in checks)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


API_USER = Person(1, "DSR", "Service", "dsr-service@example-hosting.nl", job_title="API user")
# The company staff member who orders its own certificates and decides revoke requests.
STAFF = Person(2, "Mark", "Hendriks", "certificates@example-hosting.nl", "+31.201234567")


def as_timestamp(day: date) -> str:
    """ISO 8601 in UTC, as the API writes `date_created`."""
    return datetime.combine(day, clock(9, 0), UTC).isoformat()
