"""The CertCentral account the simulator serves: orders, organisations and revoke requests.

Seeded from the administration database, so the demo's customers hold the same order and
organisation ids at the CA. Some organisations carry a second order placed by the customer's
technical contact, and the hosting company keeps an organisation of its own: other people's
records, so that "still in use" is a real case. Views render the Services API v2 shapes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any, TypeVar

from sqlalchemy import Engine, RowMapping, select

from connectors.administration_schema import certificates, contacts, customers

T = TypeVar("T")
VALIDITY_DAYS = 397  # the longest TLS validity the CA/Browser Forum allowed
IN_USE = ("issued", "pending")  # order statuses that keep an organisation from deletion
CERTIFICATE_ID_OFFSET = 50_000_000
SECOND_ORDER_OFFSET = 5  # seeded order ids step by 10, so +5 never meets another order
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
    technical: Person


@dataclass
class Order:
    id: int
    common_name: str
    validation: str  # dv | ov
    status: str  # issued | expired | revoked
    valid_from: date
    valid_till: date
    requester: Person
    organization_contact: Person
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


def _matches(order: Order, filters: Mapping[str, str]) -> bool:
    emails = {p.email.lower() for p in (order.requester, order.organization_contact)}
    emails.add(order.technical_contact.email.lower())
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


def seed_from_administration(
    engine: Engine, *, today: date, auto_approve_after: float | None = None
) -> CertCentralState:
    """An order per administration certificate at CertCentral, an organisation per OV one."""
    with engine.connect() as conn:
        rows = list(conn.execute(_certificates_query()).mappings())
        technical = _technical_contacts(conn)
    organizations = {700000: _company_organization()}
    orders = [_company_order(today)]
    for row in rows:
        customer_id, order_id = row["customer_id"], int(row["order_ref"])
        holder = _person(10_000 + customer_id, row["name"], row["email"], row["phone"], "Owner")
        tech = technical.get(customer_id, holder)
        org_id = int(row["organisation_ref"]) if row["organisation_ref"] else None
        status = "issued" if row["status"] == "issued" else "expired"
        validity = _validity(order_id, status, today)
        kind = row["validation"].lower()
        order = Order(order_id, row["common_name"], kind, status, *validity, holder, holder, tech)
        order.organization_id = org_id
        orders.append(order)
        if org_id is not None:
            organizations[org_id] = _organization(org_id, row, holder, tech)
            if customer_id == 1 or customer_id % 2 == 0:
                orders.append(_second_order(order, tech, today))
    return CertCentralState(
        orders,
        list(organizations.values()),
        api_user=API_USER,
        today=today,
        auto_approve_after=auto_approve_after,
    )


def _certificates_query() -> Any:
    certificate = ("customer_id", "order_ref", "common_name", "validation", "organisation_ref")
    customer = ("name", "email", "phone", "street", "postcode", "city", "country", "company")
    return (
        select(*(certificates.c[n] for n in certificate), certificates.c.status)
        .add_columns(*(customers.c[n] for n in customer))
        .join(customers, certificates.c.customer_id == customers.c.id)
        .where(certificates.c.ca == "certcentral")
        .order_by(certificates.c.id)
    )


def _technical_contacts(conn: Any) -> dict[int, Person]:
    """The first technical contact of each customer: often a person other than the holder."""
    columns = (contacts.c[n] for n in ("id", "customer_id", "name", "email", "phone"))
    query = select(*columns).where(contacts.c.role == "technical").order_by(contacts.c.id)
    found: dict[int, Person] = {}
    for row in conn.execute(query).mappings():
        person = _person(20_000 + row["id"], row["name"], row["email"], row["phone"], "Developer")
        found.setdefault(row["customer_id"], person)
    return found


def _person(
    person_id: int, name: str, email: str | None, phone: str | None, job_title: str
) -> Person:
    first, _, last = name.partition(" ")
    return Person(person_id, first, last, email or "", phone or "", job_title)


def _validity(order_id: int, status: str, today: date) -> tuple[date, date]:
    """From and till; spread by id, so the seed is the same every run yet not all alike."""
    if status == "issued":
        start = today - timedelta(days=30 + order_id % 300)
    else:
        start = today - timedelta(days=VALIDITY_DAYS + 1 + order_id % 200)
    return start, start + timedelta(days=VALIDITY_DAYS)


def _second_order(first: Order, requester: Person, today: date) -> Order:
    """A mail-server certificate of the same organisation, ordered by its technical contact."""
    order_id = first.id + SECOND_ORDER_OFFSET
    valid_from, valid_till = _validity(order_id, first.status, today)
    return replace(
        first,
        id=order_id,
        common_name="mail." + first.common_name.removeprefix("www."),
        valid_from=valid_from,
        valid_till=valid_till,
        requester=requester,
        technical_contact=requester,
        request_ids=[],
    )


def _organization(
    organization_id: int, row: RowMapping, holder: Person, technical: Person
) -> Organization:
    return Organization(
        id=organization_id,
        name=row["company"] or row["name"],
        address=row["street"] or "",
        zip=row["postcode"] or "",
        city=row["city"] or "",
        country=(row["country"] or "").lower(),
        telephone=row["phone"] or "",
        contact=holder,
        technical=technical,
    )


def _company_organization() -> Organization:
    """The hosting company's own organisation: the account's first, never a subject's."""
    return Organization(
        700000, "Example Hosting B.V.", "Keizersgracht 1", "1015 AA", "Amsterdam", "nl",
        "+31.201234567", STAFF, STAFF,
    )  # fmt: skip


def _company_order(today: date) -> Order:
    validity = _validity(40000000, "issued", today)
    return Order(
        40000000, "www.example-hosting.nl", "ov", "issued", *validity, STAFF, STAFF, STAFF,
        organization_id=700000,
    )  # fmt: skip


def as_timestamp(day: date) -> str:
    """ISO 8601 in UTC, as the API writes `date_created`."""
    return datetime.combine(day, clock(9, 0), UTC).isoformat()
