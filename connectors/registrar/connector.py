"""The domain registrar for .com and .eu: an Openprovider-style REST API
(docs/systems.md, "Registrar (Openprovider-style REST)").

The subject is a customer handle at the registrar (the registrant handle the administration
keeps, or a handle found by email) and the domains where that handle is owner, admin, tech
or billing contact. Erasure moves every role the handle holds on an active domain to the
company's own handle, then deletes the handle: the registrar refuses to delete a handle that
active domains still use.

Asynchronous registrars accept an owner change or a deletion as pending with a job id and
confirm it later by a signed webhook (channel WEBHOOK). A pending owner change blocks the
deletion, so `erase` then returns PENDING with that job id; the workflow calls `erase` again
after any confirmation, and the repeat continues where the registrar stands: it re-sends
what is still needed (a still pending change answers with the same job id), deletes the
handle once its domains are free, and returns DONE, or PENDING with the deletion's job id.

Rectification and restriction (rights.py) are synchronous: the registrar modifies a
handle and turns on WHOIS privacy at once. The registrar processes the handle to register
domains, under the contract; it sends no marketing and does no profiling.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

import connectors.registrar.rights as rights
from connectors.base import Record, RecordSink, not_processed_for
from connectors.errors import ConnectorError
from connectors.registrar.client import RegistrarApi, RegistrarRefused
from connectors.registrar.datasets import CUSTOMERS, DATASETS, DOMAINS
from domain.records import (
    ConfirmationChannel,
    ConnectorPlan,
    ExportSummary,
    Located,
    Outcome,
    OutcomeStatus,
    Phase,
    PlanAction,
    PlanItem,
    Recipient,
)
from domain.retention import RetentionPolicy
from domain.rights import Changes, Purpose
from domain.subject import Handle, Hints, SubjectIdentifiers
from runtime.settings import Settings

NAME = "registrar-openprovider"
ROLES = ("owner_handle", "admin_handle", "tech_handle", "billing_handle")
CONFIRMATION_WINDOW = timedelta(days=3)
_CUSTOMER, _DOMAIN = "customer:", "domain:"
_ACTIVE, _PENDING = "ACT", "pending"


class RegistrarConnector:
    """Customer handles and their domain roles at the registrar."""

    name = NAME
    phase = Phase.DEPENDENT
    recipient = Recipient(name="Openprovider (domain registrar)", role="domain registrar")
    # The handle's contact data: provided by the subject to register domains under the contract.
    # The domains list is left out: it is the registrar's record of registrations (its ids,
    # the registries' dates, roles the company assigned), and for a contact person it lists
    # other customers' domains; a domain itself moves to another registrar by a transfer.
    datasets = DATASETS

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        company_handle: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._api = RegistrarApi(base_url, username, password, transport=transport)
        self._company = company_handle
        self._clock = clock

    async def locate(self, subject: SubjectIdentifiers, hints: Hints) -> Located:
        """Handles from the administration's hints and by exact email; then their domains."""
        handles = dict.fromkeys(hints.handles.get(Handle.REGISTRAR, ()))
        for email in dict.fromkeys(e.lower() for e in (subject.email, *hints.emails) if e):
            handles.update(dict.fromkeys(await self._api.handles_by_email(email)))
        # The company's own handle is where domains go; it is never the subject's to erase.
        handles.pop(self._company, None)
        found = [h for h in handles if await self._api.customer(h) is not None]
        domain_ids: dict[int, None] = {}
        for handle in found:
            domain_ids.update(dict.fromkeys(d["id"] for d in await self._api.domains_of(handle)))
        refs = (*(_CUSTOMER + h for h in found), *(f"{_DOMAIN}{i}" for i in domain_ids))
        return Located(
            connector=NAME,
            found=bool(found),
            refs=refs,
            record_counts={CUSTOMERS: len(found), DOMAINS: len(domain_ids)},
        )

    async def export(self, located: Located, sink: RecordSink) -> ExportSummary:
        """Write `registrar_customers` (the handles' data) and `registrar_domains` (roles held)."""
        handles = _handles(located)
        customers = [c for h in handles if (c := await self._api.customer(h)) is not None]
        domains: dict[int, Record] = {}
        for handle in handles:
            for domain in await self._api.domains_of(handle):
                domains[domain["id"]] = _domain_record(domain, handles)
        return ExportSummary(
            connector=NAME,
            datasets=(
                await sink.write(CUSTOMERS, customers),
                await sink.write(DOMAINS, list(domains.values())),
            ),
        )

    async def plan_erasure(
        self, located: Located, policy: RetentionPolicy, today: date
    ) -> ConnectorPlan:
        """Move the handles' roles on active domains to the company's handle, then delete them.

        Owned domains stay registered, with the company as registrant; the plan item says so.
        They are not listed as active services here: the administration lists each domain
        the subject holds (billing's plan), and one domain is one service to decide on.
        """
        if not located.found:
            return ConnectorPlan(connector=NAME)
        handles = _handles(located)
        active: dict[int, dict[str, Any]] = {}
        for handle in handles:
            active.update({d["id"]: d for d in await self._api.domains_of(handle) if _is_active(d)})
        owned = [_domain_name(d) for d in active.values() if d["owner_handle"] in handles]
        domains = PlanItem(DOMAINS, PlanAction.ACT, len(active), self._moving(owned))
        return ConnectorPlan(
            connector=NAME,
            items=(
                *([domains] if active else []),
                PlanItem(CUSTOMERS, PlanAction.ACT, len(handles)),
            ),
        )

    def _moving(self, owned: list[str]) -> str:
        roles = f"The subject's roles move to {self._company}"
        if not owned:
            return f"{roles}."
        return f"{roles}; the registrant of {', '.join(owned)} becomes {self._company}."

    async def erase(self, located: Located, plan: ConnectorPlan) -> Outcome:
        """Free each handle's domains, then delete it; idempotent, resumable after a pending."""
        handles = [h for h in _handles(located) if h != self._company]
        if not located.found or not handles:
            return Outcome(connector=NAME, status=OutcomeStatus.NOT_FOUND, at=self._clock())
        acting = {i.category for i in plan.items if i.action is PlanAction.ACT}
        if not acting & {CUSTOMERS, DOMAINS}:
            retained = tuple(i for i in plan.items if i.action is not PlanAction.ACT)
            return Outcome(NAME, OutcomeStatus.RETAINED, retained=retained, at=self._clock())
        jobs: list[str] = []
        for handle in handles:
            freeing = await self._free_domains(handle)
            jobs += freeing
            if CUSTOMERS in acting and not freeing:
                jobs += await self._delete_customer(handle)
        if jobs:
            return self._pending(jobs)
        # Counted from the refs, not from this attempt's work, so a retry reads the same.
        detail = f"roles on {len(_domain_ids(located))} domain(s) moved to {self._company}"
        if CUSTOMERS in acting:
            detail += f"; {len(handles)} customer handle(s) deleted"
        return Outcome(NAME, OutcomeStatus.DONE, detail=detail, at=self._clock())

    async def rectify(self, located: Located, changes: Changes) -> Outcome:
        """Modify the handles' email, phone and address; name the fields that cannot change."""
        handles = [h for h in _handles(located) if h != self._company]
        if not located.found or not handles:
            return Outcome(connector=NAME, status=OutcomeStatus.NOT_FOUND, at=self._clock())
        outcome = await rights.rectify(self._api, NAME, handles, changes)
        return replace(outcome, at=self._clock())

    async def restrict(self, located: Located) -> Outcome:
        """Stop publication: WHOIS privacy on the subject's domains; the handle stays in use."""
        handles = [h for h in _handles(located) if h != self._company]
        if not located.found or not handles:
            return Outcome(connector=NAME, status=OutcomeStatus.NOT_FOUND, at=self._clock())
        outcome = await rights.restrict(self._api, NAME, handles)
        return replace(outcome, at=self._clock())

    async def object_to(self, located: Located, purposes: tuple[Purpose, ...]) -> Outcome:
        """The registrar processes the handle to register domains, under the contract only."""
        return replace(not_processed_for(NAME, purposes), at=self._clock())

    async def aclose(self) -> None:
        await self._api.aclose()

    async def _free_domains(self, handle: str) -> list[str]:
        """Give every role `handle` holds on an active domain to the company's handle.

        Returns the job ids of the changes still pending.
        """
        jobs = []
        for domain in await self._api.domains_of(handle):
            roles = {role: self._company for role in ROLES if domain.get(role) == handle}
            if roles and _is_active(domain):
                path = f"/domains/{domain['id']}"
                data = await self._api.call("PUT", path, "domain update", json=roles) or {}
                jobs += [str(data["job_id"])] if data.get("status") == _PENDING else []
        return jobs

    async def _delete_customer(self, handle: str) -> list[str]:
        """Delete the handle; the job id when the registrar answers pending."""
        try:
            data = await self._api.call(
                "DELETE", f"/customers/{handle}", "customer deletion", gone=True
            )
        except RegistrarRefused as refusal:
            if not refusal.handle_in_use:
                raise
            # Another party linked a domain meanwhile: a retry frees it first.
            raise ConnectorError(
                f"The registrar refused to delete handle {handle} because domains use it; "
                "the erasure will be retried, check the handle's domains if this persists."
            ) from None
        return [str(data["job_id"])] if data and data.get("status") == _PENDING else []

    def _pending(self, jobs: list[str]) -> Outcome:
        now = self._clock()
        return Outcome(
            connector=NAME,
            status=OutcomeStatus.PENDING,
            detail=(
                f"{len(jobs)} change(s) pending at the registrar (jobs {', '.join(jobs)}); "
                "erase again after the webhook confirms, to continue"
            ),
            external_ref=jobs[0],
            expected_by=now + CONFIRMATION_WINDOW,
            channel=ConfirmationChannel.WEBHOOK,
            at=now,
        )


def _handles(located: Located) -> list[str]:
    return [r.removeprefix(_CUSTOMER) for r in located.refs if r.startswith(_CUSTOMER)]


def _domain_ids(located: Located) -> list[str]:
    return [r.removeprefix(_DOMAIN) for r in located.refs if r.startswith(_DOMAIN)]


def _is_active(domain: dict[str, Any]) -> bool:
    return domain.get("status") == _ACTIVE


def _domain_name(domain: dict[str, Any]) -> str:
    name = domain.get("domain") or {}
    return f"{name.get('name', '')}.{name.get('extension', '')}"


def _domain_record(domain: dict[str, Any], handles: list[str]) -> Record:
    """A domain with the roles the subject holds; other people's handles are left out."""
    return {
        "id": domain["id"],
        "domain": _domain_name(domain),
        "status": domain.get("status"),
        "roles": [r.removesuffix("_handle") for r in ROLES if domain.get(r) in handles],
        "creation_date": domain.get("creation_date"),
        "expiration_date": domain.get("expiration_date"),
    }


def create(settings: Settings) -> RegistrarConnector:
    """Factory named in policy.toml."""
    return RegistrarConnector(
        settings.registrar_url,
        settings.registrar_username,
        settings.registrar_password,
        settings.registrar_company_handle,
    )
