"""The domain registrar for .com and .eu: an Openprovider-style REST API (PROTOCOLS.md).

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
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from connectors.base import Record, RecordSink
from connectors.errors import AuthenticationFailed, ConnectorError, RateLimited, SystemUnavailable
from connectors.http import retry_after_seconds
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
from domain.subject import Hints, SubjectIdentifiers
from runtime.settings import Settings

NAME = "registrar-openprovider"
CUSTOMERS = "registrar_customers"
DOMAINS = "registrar_domains"
ROLES = ("owner_handle", "admin_handle", "tech_handle", "billing_handle")
CONFIRMATION_WINDOW = timedelta(days=3)
_CUSTOMER, _DOMAIN = "customer:", "domain:"
_ACTIVE, _PENDING = "ACT", "pending"
_AUTH_FAILED = 196  # the vendor's "Authentication/Authorization Failed"
_PAGE = 100
_DEFAULT_RETRY_AFTER = 30.0
_AUTH_REFUSED = (
    "The registrar refused the login; check DSR_REGISTRAR_USERNAME and DSR_REGISTRAR_PASSWORD."
)


class RegistrarRefused(ConnectorError):
    """The registrar answered with a non-zero envelope code."""

    def __init__(self, message: str, code: int, desc: str) -> None:
        super().__init__(message)
        self.code, self.desc = code, desc

    @property
    def handle_in_use(self) -> bool:
        return "in use" in self.desc.lower()


class RegistrarConnector:
    """Customer handles and their domain roles at the registrar."""

    name = NAME
    phase = Phase.DEPENDENT
    recipient = Recipient(name="Openprovider (domain registrar)", role="domain registrar")

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
        self._base_url = base_url.rstrip("/")
        self._credentials = {"username": username, "password": password}
        self._company = company_handle
        self._clock = clock
        self._token: str | None = None
        self._login_lock = asyncio.Lock()
        self._client = httpx.AsyncClient(
            base_url=self._base_url, timeout=httpx.Timeout(10.0, connect=5.0), transport=transport
        )

    async def locate(self, subject: SubjectIdentifiers, hints: Hints) -> Located:
        """Handles from the administration's hints and by exact email; then their domains."""
        handles = dict.fromkeys(hints.handles.get(NAME, ()))
        for email in dict.fromkeys(e.lower() for e in (subject.email, *hints.emails) if e):
            handles.update(dict.fromkeys(await self._handles_by_email(email)))
        # The company's own handle is where domains go; it is never the subject's to erase.
        handles.pop(self._company, None)
        found = [h for h in handles if await self._customer(h) is not None]
        domain_ids: dict[int, None] = {}
        for handle in found:
            domain_ids.update(dict.fromkeys(d["id"] for d in await self._domains_of(handle)))
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
        customers = [c for h in handles if (c := await self._customer(h)) is not None]
        domains: dict[int, Record] = {}
        for handle in handles:
            for domain in await self._domains_of(handle):
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

        Owned domains stay registered, with the company as registrant: the agent sees them as
        active services before approving.
        """
        if not located.found:
            return ConnectorPlan(connector=NAME)
        handles = _handles(located)
        active: dict[int, dict[str, Any]] = {}
        for handle in handles:
            active.update({d["id"]: d for d in await self._domains_of(handle) if _is_active(d)})
        owned = [d for d in active.values() if d["owner_handle"] in handles]
        return ConnectorPlan(
            connector=NAME,
            items=(
                *([PlanItem(DOMAINS, PlanAction.ACT, len(active))] if active else []),
                PlanItem(CUSTOMERS, PlanAction.ACT, len(handles)),
            ),
            active_services=tuple(
                f"domain {_domain_name(d)} (active; registrant becomes {self._company})"
                for d in owned
            ),
        )

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

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _free_domains(self, handle: str) -> list[str]:
        """Give every role `handle` holds on an active domain to the company's handle.

        Returns the job ids of the changes still pending.
        """
        jobs = []
        for domain in await self._domains_of(handle):
            roles = {role: self._company for role in ROLES if domain.get(role) == handle}
            if roles and _is_active(domain):
                path = f"/domains/{domain['id']}"
                data = await self._call("PUT", path, "domain update", json=roles) or {}
                jobs += [str(data["job_id"])] if data.get("status") == _PENDING else []
        return jobs

    async def _delete_customer(self, handle: str) -> list[str]:
        """Delete the handle; the job id when the registrar answers pending."""
        try:
            data = await self._call(
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

    async def _handles_by_email(self, email: str) -> list[str]:
        # The vendor's pattern treats `*` as a wildcard, so only exact matches are kept.
        found = await self._all("/customers", "customer search", {"email_pattern": email})
        return [c["handle"] for c in found if str(c.get("email", "")).lower() == email]

    async def _customer(self, handle: str) -> dict[str, Any] | None:
        return await self._call("GET", f"/customers/{handle}", "customer lookup", gone=True)

    async def _domains_of(self, handle: str) -> list[dict[str, Any]]:
        """Domains where the handle holds any role (the vendor's `contact_handle` filter)."""
        return await self._all("/domains", "domain search", {"contact_handle": handle})

    async def _all(self, path: str, what: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Every page of a listing."""
        results: list[dict[str, Any]] = []
        while True:
            page = {**params, "limit": _PAGE, "offset": len(results)}
            data = await self._call("GET", path, what, params=page) or {}
            batch = data.get("results") or []
            results += batch
            if not batch or len(results) >= int(data.get("total", 0)):
                return results

    async def _call(
        self, method: str, path: str, what: str, *, gone: bool = False, **content: Any
    ) -> dict[str, Any] | None:
        """One API call with the cached token, logging in again once if it has expired.

        `what` names the call in errors: paths and parameters may hold personal data.
        With `gone`, a 404 answers None (already deleted, or never there).
        """
        request = self._client.build_request(method, f"/v1beta{path}", **content)
        token = await self._login()
        response = await self._send(request, what, token)
        if response.status_code == 401:
            await self._forget(token)
            response = await self._send(request, what, await self._login())
        if gone and response.status_code == 404:
            return None
        return _data(response, what)

    async def _login(self) -> str:
        async with self._login_lock:
            if self._token is None:
                if not all(self._credentials.values()):
                    raise AuthenticationFailed(_AUTH_REFUSED)
                login = self._client.build_request(
                    "POST", "/v1beta/auth/login", json=self._credentials
                )
                data = _data(await self._send(login, "login", None), "login") or {}
                self._token = str(data["token"])
            return self._token

    async def _forget(self, token: str) -> None:
        async with self._login_lock:
            # Another call may have logged in again already; keep its token.
            if self._token == token:
                self._token = None

    async def _send(self, request: httpx.Request, what: str, token: str | None) -> httpx.Response:
        if token:
            request.headers["Authorization"] = f"Bearer {token}"
        try:
            return await self._client.send(request)
        except httpx.TransportError as error:
            raise SystemUnavailable(
                f"The registrar at {self._base_url} did not answer the {what} "
                f"({type(error).__name__}); retrying later."
            ) from None


def _data(response: httpx.Response, what: str) -> dict[str, Any] | None:
    """The envelope's `data`, or the connector error its status and code mean."""
    status = response.status_code
    if status == 429:
        raise RateLimited(
            f"The registrar rate-limited the {what}; retrying later.",
            _retry_after(response.headers.get("retry-after")),
        )
    if status >= 500:
        raise SystemUnavailable(f"The registrar failed the {what} with HTTP {status}; retrying.")
    try:
        body = response.json()
    except ValueError:
        raise SystemUnavailable(
            f"The registrar answered the {what} with HTTP {status} but no JSON; retrying."
        ) from None
    code = int(body.get("code", -1)) if isinstance(body, dict) else -1
    if status == 401 or code == _AUTH_FAILED:
        raise AuthenticationFailed(_AUTH_REFUSED)
    if code != 0 or not response.is_success:
        desc = str(body.get("desc", "")) if isinstance(body, dict) else ""
        raise RegistrarRefused(
            f"The registrar refused the {what} (code {code}, HTTP {status}).", code, desc
        )
    data: dict[str, Any] | None = body.get("data")
    return data


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


def _retry_after(header: str | None) -> float:
    return retry_after_seconds(header, _DEFAULT_RETRY_AFTER)
