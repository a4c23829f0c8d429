"""The registrar simulator's state: customer handles, domains and asynchronous jobs, in memory.

The vendor's refusals live here: deleting a handle that active domains use; changing the name
or company name of an existing handle (the vendor's documentation: those fields "have to stay
the same", a new handle is the way to another name); WHOIS privacy protection on an extension
that does not offer it. Modifying a handle is synchronous: the registrar passes the new data to
the registries itself.

Error codes follow the vendor's documented ranges (1xx customers and authentication, 3xx
domains); 196 is the documented authentication failure, the other numbers are ours.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

AUTH_FAILED = 196
CUSTOMER_NOT_FOUND = 101
CUSTOMER_IN_USE = 113
CUSTOMER_INVALID_DATA = 114
CUSTOMER_NAME_FIXED = 115
DOMAIN_NOT_FOUND = 320
DOMAIN_NOT_ACTIVE = 321
OWNER_CHANGE_PENDING = 322
PRIVACY_NOT_OFFERED = 323
RATE_LIMITED = 429
ROLES = ("owner_handle", "admin_handle", "tech_handle", "billing_handle")
ACTIVE = "ACT"
PENDING = "pending"
# Extensions whose WHOIS privacy protection the simulator offers: the generic ones (check). The
# .eu registry does not allow a proxy in the registrant's place; it hides private holders itself.
PRIVACY_EXTENSIONS = frozenset({"com", "net", "org", "info", "biz"})
# What a modify call may carry; the name fields and company name must stay as they are.
MODIFIABLE = ("vat", "address", "phone", "fax", "email", "additional_data",
              "extension_additional_data", "tags", "locale")  # fmt: skip
ADDRESS_KEYS = ("street", "number", "suffix", "zipcode", "city", "state", "country")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_PARTS = {
    "country_code": re.compile(r"^\+[1-9][0-9]{0,3}$"),
    "area_code": re.compile(r"^[0-9]{0,6}$"),
    "subscriber_number": re.compile(r"^[0-9]{1,14}$"),
}


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
    is_private_whois_enabled: bool = False

    def handles(self) -> dict[str, str]:
        return {role: getattr(self, role) for role in ROLES}

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "domain": {"name": self.name, "extension": self.extension},
            **self.handles(),
            "status": self.status,
            "is_private_whois_enabled": self.is_private_whois_enabled,
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

    def modify_customer(self, handle: str, body: dict[str, Any]) -> dict[str, Any]:
        """Apply a modify call at once, or refuse all of it: a new name or invalid data."""
        customer = self.customer(handle)
        renamed = [key for key in ("name", "company_name") if _renames(customer, key, body)]
        if renamed:
            raise RegistrarError(
                400,
                CUSTOMER_NAME_FIXED,
                f"The {' and '.join(renamed)} of customer {handle} cannot be changed; "
                "create a new customer handle for another name.",
            )
        changes = {key: body[key] for key in MODIFIABLE if key in body}
        invalid = [key for key, value in changes.items() if not _valid(key, value)]
        if invalid:
            raise RegistrarError(
                400, CUSTOMER_INVALID_DATA, f"Invalid customer data: {', '.join(invalid)}."
            )
        if "address" in changes:
            changes["address"] = {key: str(changes["address"].get(key, "")) for key in ADDRESS_KEYS}
        customer.update(changes)
        return {"success": True}

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
        self,
        domain_id: int,
        changes: dict[str, str],
        asynchronous: bool,
        private_whois: bool | None = None,
    ) -> tuple[dict[str, Any], Job | None]:
        """Apply contact and privacy changes; an owner change is a job in asynchronous mode."""
        domain = self.domain(domain_id)
        if domain.status != ACTIVE:
            raise RegistrarError(
                400, DOMAIN_NOT_ACTIVE, f"Domain {domain_id} is not active and cannot be changed."
            )
        for handle in changes.values():
            self.customer(handle)
        if private_whois is not None and domain.extension not in PRIVACY_EXTENSIONS:
            raise RegistrarError(
                400,
                PRIVACY_NOT_OFFERED,
                f"Whois privacy protection is not available for .{domain.extension} domains.",
            )
        owner = changes.pop("owner_handle", domain.owner_handle)
        job = None
        if asynchronous and owner != domain.owner_handle:
            job = self._owner_change_job(domain_id, owner)
        if private_whois is not None:
            domain.is_private_whois_enabled = private_whois
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


def _renames(customer: dict[str, Any], key: str, body: dict[str, Any]) -> bool:
    """Whether the body gives the name or company name a value other than the current one."""
    if key not in body:
        return False
    given, current = body[key], customer.get(key)
    if isinstance(given, dict) and isinstance(current, dict):
        return any(str(value) != str(current.get(part, "")) for part, value in given.items())
    return str(given) != str(current or "")


def _valid(key: str, value: Any) -> bool:
    if key == "email":
        return isinstance(value, str) and _EMAIL.match(value) is not None
    if key == "phone":
        return isinstance(value, dict) and all(
            pattern.match(str(value.get(part, ""))) for part, pattern in _PHONE_PARTS.items()
        )
    if key == "address":
        required = ("street", "zipcode", "city")
        return (
            isinstance(value, dict)
            and all(str(value.get(part, "")).strip() for part in required)
            and re.fullmatch(r"[A-Z]{2}", str(value.get("country", ""))) is not None
        )
    return True
