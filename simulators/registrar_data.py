"""The registrar simulator's state: customer handles, domains and asynchronous jobs, in memory.

Seeded from the administration database so the demo's customers exist at the registrar with
the same handles, names and emails. Other people appear too: contact persons of a customer
hold handles that are admin-c or tech-c of that customer's domains, so deleting a handle is
refused for real until its domains point elsewhere.

Error codes follow the vendor's documented ranges (1xx customers and authentication, 3xx
domains); 196 is the documented authentication failure, the other numbers are ours.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select

from connectors.administration_schema import contacts, create_admin_engine, customers, domains

AUTH_FAILED = 196
CUSTOMER_NOT_FOUND = 101
CUSTOMER_IN_USE = 113
DOMAIN_NOT_FOUND = 320
DOMAIN_NOT_ACTIVE = 321
OWNER_CHANGE_PENDING = 322
RATE_LIMITED = 429
ROLES = ("owner_handle", "admin_handle", "tech_handle", "billing_handle")
ACTIVE = "ACT"
PENDING = "pending"
_DOMAIN_IDS = 10_000_000
_CUSTOMER_IDS = 100_000
_CONTACT_HANDLE_NUMBERS = 900_000


class RegistrarError(Exception):
    """A refusal the API answers with the vendor's envelope: non-zero code, text, HTTP status."""

    def __init__(self, http_status: int, code: int, desc: str) -> None:
        super().__init__(desc)
        self.http_status, self.code, self.desc = http_status, code, desc


@dataclass
class Domain:
    id: int
    name: str
    extension: str
    owner_handle: str
    admin_handle: str
    tech_handle: str
    billing_handle: str
    status: str
    creation_date: str
    expiration_date: str

    def handles(self) -> dict[str, str]:
        return {role: getattr(self, role) for role in ROLES}

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "domain": {"name": self.name, "extension": self.extension},
            **self.handles(),
            "status": self.status,
            "creation_date": self.creation_date,
            "expiration_date": self.expiration_date,
        }


@dataclass
class Job:
    """An accepted change the registrar finishes later, then reports by webhook."""

    id: str
    event: str  # domain.updated | customer.deleted
    target: str  # domain id or customer handle
    change: dict[str, str] = field(default_factory=dict)
    status: str = PENDING  # pending | completed | failed
    occurred_at: str | None = None

    def record(self) -> dict[str, Any]:
        return {
            "job_id": self.id,
            "event": self.event,
            "target": self.target,
            "change": self.change,
            "status": self.status,
            "occurred_at": self.occurred_at,
        }


class RegistrarState:
    """Customers (the vendor's JSON records by handle), domains by id, jobs by id."""

    def __init__(self) -> None:
        self.customers: dict[str, dict[str, Any]] = {}
        self.domains: dict[int, Domain] = {}
        self.jobs: dict[str, Job] = {}

    def search_customers(self, email_pattern: str | None) -> list[dict[str, Any]]:
        """Customers whose email matches the pattern (`*` is a wildcard), case-insensitive."""
        found = list(self.customers.values())
        if email_pattern:
            found = [c for c in found if _matches(email_pattern, c["email"])]
        return found

    def customer(self, handle: str) -> dict[str, Any]:
        if handle not in self.customers:
            raise RegistrarError(404, CUSTOMER_NOT_FOUND, f"Customer {handle} not found.")
        return self.customers[handle]

    def list_domains(
        self, owner_handle: str | None, contact_handle: str | None
    ) -> list[dict[str, Any]]:
        """Domains by owner, or by a handle in any role (`contact_handle`)."""
        found = list(self.domains.values())
        if owner_handle:
            found = [d for d in found if d.owner_handle == owner_handle]
        if contact_handle:
            found = [d for d in found if contact_handle in d.handles().values()]
        return [d.record() for d in found]

    def domain(self, domain_id: int) -> Domain:
        if domain_id not in self.domains:
            raise RegistrarError(404, DOMAIN_NOT_FOUND, f"Domain {domain_id} not found.")
        return self.domains[domain_id]

    def update_domain(
        self, domain_id: int, changes: dict[str, str], asynchronous: bool
    ) -> tuple[dict[str, Any], Job | None]:
        """Apply contact changes; an owner change becomes a job in asynchronous mode."""
        domain = self.domain(domain_id)
        if domain.status != ACTIVE:
            raise RegistrarError(
                400, DOMAIN_NOT_ACTIVE, f"Domain {domain_id} is not active and cannot be changed."
            )
        for handle in changes.values():
            self.customer(handle)
        owner = changes.pop("owner_handle", domain.owner_handle)
        job = None
        if asynchronous and owner != domain.owner_handle:
            job = self._owner_change_job(domain_id, owner)
        for role, handle in changes.items():
            setattr(domain, role, handle)
        if job is not None:
            return {"status": PENDING, "job_id": job.id}, job
        domain.owner_handle = owner
        return {"id": domain.id, "status": domain.status}, None

    def delete_customer(self, handle: str, asynchronous: bool) -> tuple[dict[str, Any], Job | None]:
        """Delete an unused handle; in asynchronous mode the deletion becomes a job."""
        self.customer(handle)
        self._refuse_if_in_use(handle)
        if not asynchronous:
            del self.customers[handle]
            return {"success": True}, None
        job = self._pending_job("customer.deleted", handle) or self._new_job(
            "customer.deleted", handle, {}
        )
        return {"status": PENDING, "job_id": job.id}, job

    def complete(self, job_id: str, succeed: bool) -> Job:
        """Finish a pending job (again a no-op); it fails if its change is no longer possible."""
        job = self.jobs.get(job_id)
        if job is None:
            raise RegistrarError(404, 1, f"Job {job_id} not found.")
        if job.status != PENDING:
            return job
        try:
            if succeed:
                self._apply(job)
            job.status = "completed" if succeed else "failed"
        except RegistrarError:
            job.status = "failed"
        job.occurred_at = datetime.now(UTC).isoformat()
        return job

    def snapshot(self) -> dict[str, Any]:
        """Everything, for tests: handles, domain records and jobs."""
        return {
            "customers": sorted(self.customers),
            "domains": [d.record() for d in self.domains.values()],
            "jobs": [j.record() for j in self.jobs.values()],
        }

    def _apply(self, job: Job) -> None:
        if job.event == "domain.updated":
            domain = self.domain(int(job.target))
            if domain.status != ACTIVE:
                raise RegistrarError(400, DOMAIN_NOT_ACTIVE, "The domain is no longer active.")
            domain.owner_handle = self.customer(job.change["owner_handle"])["handle"]
        else:
            self.customer(job.target)
            self._refuse_if_in_use(job.target)
            del self.customers[job.target]

    def _refuse_if_in_use(self, handle: str) -> None:
        using = [
            d
            for d in self.domains.values()
            if d.status == ACTIVE and handle in d.handles().values()
        ]
        if using:
            raise RegistrarError(
                400,
                CUSTOMER_IN_USE,
                f"Customer handle {handle} is in use by {len(using)} active domain(s); "
                "change their owner, admin, tech and billing handles first.",
            )

    def _pending_job(self, event: str, target: str) -> Job | None:
        for job in self.jobs.values():
            if job.event == event and job.target == target and job.status == PENDING:
                return job
        return None

    def _owner_change_job(self, domain_id: int, owner: str) -> Job:
        """The pending owner change of the domain (a repeat gets the same job), or a new one."""
        job = self._pending_job("domain.updated", str(domain_id))
        if job is None:
            return self._new_job("domain.updated", str(domain_id), {"owner_handle": owner})
        if job.change["owner_handle"] != owner:
            raise RegistrarError(
                409, OWNER_CHANGE_PENDING, f"Another owner change of domain {domain_id} is pending."
            )
        return job

    def _new_job(self, event: str, target: str, change: dict[str, str]) -> Job:
        job = Job(id=uuid.uuid4().hex, event=event, target=target, change=change)
        self.jobs[job.id] = job
        return job


def _matches(pattern: str, value: str) -> bool:
    """The vendor's `*` wildcard, anchored at both ends, case-insensitive."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, value, flags=re.IGNORECASE) is not None


def company_record(handle: str) -> dict[str, Any]:
    """The hosting company's own handle: the registrant its customers' domains move to."""
    return {
        "id": _CUSTOMER_IDS,
        "handle": handle,
        "company_name": "Hosting company (reseller)",
        "name": {"first_name": "Domain", "prefix": "", "last_name": "Desk",
                 "full_name": "Domain Desk"},
        "email": "domains@hosting.example",
        "phone": {"country_code": "+31", "area_code": "20", "subscriber_number": "5550100"},
        "address": {"street": "Keizersgracht", "number": "1", "suffix": "", "zipcode": "1015 AA",
                    "city": "Amsterdam", "state": "", "country": "NL"},
        "locale": "nl_NL",
    }  # fmt: skip


def seeded_state(admin_db_url: str, company_handle: str) -> RegistrarState:
    """A fresh state seeded from the administration database at `admin_db_url`."""
    engine = create_admin_engine(admin_db_url)
    try:
        return seed_from_administration(engine, company_handle)
    finally:
        engine.dispose()


def seed_from_administration(engine: Engine, company_handle: str) -> RegistrarState:
    """Handles and domains for every domain the administration keeps at "openprovider"."""
    state = RegistrarState()
    state.customers[company_handle] = company_record(company_handle)
    with engine.connect() as conn:
        people = {row.id: row for row in conn.execute(select(customers))}
        contact_rows = list(conn.execute(select(contacts).order_by(contacts.c.id)))
        domain_rows = list(
            conn.execute(
                select(domains).where(domains.c.registrar == "openprovider").order_by(domains.c.id)
            )
        )
    today = date.today()
    position: dict[int, int] = {}
    for row in domain_rows:
        holder = people[row.customer_id]
        owner = row.registrant_handle
        if owner not in state.customers:
            state.customers[owner] = _person_record(len(state.customers), owner, holder, holder)
        nth = position[row.customer_id] = position.get(row.customer_id, -1) + 1
        roles = _contact_handles(state, holder, contact_rows)
        admins, techs = roles.get("admin", [owner]), roles.get("technical", [company_handle])
        label, _, extension = row.name.rpartition(".")
        created = holder.created_at.date()
        state.domains[_DOMAIN_IDS + row.id] = Domain(
            id=_DOMAIN_IDS + row.id, name=label, extension=extension, owner_handle=owner,
            admin_handle=admins[nth % len(admins)], tech_handle=techs[nth % len(techs)],
            billing_handle=company_handle, status=ACTIVE if row.status == "active" else "DEL",
            creation_date=created.isoformat(), expiration_date=_next_anniversary(created, today),
        )  # fmt: skip
    return state


def _contact_handles(state: RegistrarState, holder: Any, rows: list[Any]) -> dict[str, list[str]]:
    """Handles of the holder's contact persons who are someone else, by role; one per email."""
    by_email = {c["email"].lower(): h for h, c in state.customers.items()}
    roles: dict[str, list[str]] = {}
    for row in rows:
        if row.customer_id != holder.id or row.email.lower() == (holder.email or "").lower():
            continue
        handle = by_email.get(row.email.lower())
        if handle is None:
            handle = f"{_initials(row.name)}{_CONTACT_HANDLE_NUMBERS + row.id:06d}-NL"
            state.customers[handle] = _person_record(len(state.customers), handle, row, holder)
            by_email[row.email.lower()] = handle
        roles.setdefault(row.role, []).append(handle)
    return roles


def _person_record(n: int, handle: str, person: Any, holder: Any) -> dict[str, Any]:
    """A customer record; contact persons use the organisation's address, as admin-c often do."""
    first, *middle, last = person.name.split()
    street, _, number = (holder.street or "").rpartition(" ")
    return {
        "id": _CUSTOMER_IDS + n,
        "handle": handle,
        "company_name": holder.company or "",
        "name": {"first_name": first, "prefix": " ".join(middle), "last_name": last,
                 "full_name": person.name},
        "email": person.email,
        "phone": _phone(person.phone or ""),
        "address": {"street": street, "number": number, "suffix": "",
                    "zipcode": holder.postcode or "", "city": holder.city or "", "state": "",
                    "country": holder.country or ""},
        "locale": "nl_NL" if (person.phone or "").startswith("+31") else "en_GB",
    }  # fmt: skip


def _phone(text: str) -> dict[str, str]:
    """'+31 6 12345678' as the vendor's three parts."""
    parts = text.split()
    if len(parts) < 3:
        return {"country_code": "", "area_code": "", "subscriber_number": text}
    return {
        "country_code": parts[0],
        "area_code": parts[1],
        "subscriber_number": "".join(parts[2:]),
    }


def _initials(name: str) -> str:
    words = name.split()
    return (words[0][0] + words[-1][0]).upper()


def _next_anniversary(created: date, today: date) -> str:
    year = today.year if (created.month, created.day) > (today.month, today.day) else today.year + 1
    # 29 February registrations expire on 28 February in common years.
    day = min(created.day, 28) if created.month == 2 else created.day
    return date(year, created.month, day).isoformat()
