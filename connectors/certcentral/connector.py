"""DigiCert CertCentral, the SSL certificate authority, over its Services API v2
(docs/systems.md, "Certificate authority (CertCentral-style)").

The billing connector's hints name the subject's orders and organisations (`order:<id>`,
`organization:<id>`); every order of those organisations is the same company's, so it counts
too. Erasure revokes each active certificate by a revoke request that a CertCentral
administrator approves (never `skip_approval`: ending a certificate is a person's decision at
the CA), then deletes the organisations, which CertCentral refuses while active orders use
them. What a CA cannot erase is said plainly in the plan, the outcome and the confirmation.

Rectification (rights.py) corrects the subject's organisation and order contacts.
Restriction is not possible at a CA, and it processes the data for validation and issuance
only, so an objection finds nothing to stop; as an independent controller it holds nothing
that is portable from us.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

import connectors.certcentral.rights as rights
from connectors.base import Record, RecordSink, not_processed_for, unsupported
from connectors.certcentral.client import CertCentralApi, error_code, raise_refusal
from connectors.certcentral.datasets import DATASETS, ORDERS, ORGANIZATIONS
from connectors.errors import ConnectorError
from domain.records import (
    Confirmation,
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

NAME = "certcentral"
_ORDER, _ORGANIZATION = "order:", "organization:"
_CERTIFICATE, _REQUEST = "certificate:", "request:"
CANNOT_ERASE = (
    "Cannot be erased: it is part of issued certificates and public Certificate Transparency "
    "logs; the CA also keeps validation records as industry rules require."
)
WHAT_STAYS = (
    "What the CA cannot erase: the names and organisation details inside issued certificates, "
    "which public Certificate Transparency logs keep, and the validation records the CA keeps "
    "as industry rules require."
)
REJECTED = "The CA administrator rejected the revocation; ask them or confirm manually."
_IN_USE = "organization_in_use"
_REVOKE_COMMENT = "Erasure request of the certificate holder (GDPR Art. 17)."
_APPROVAL_EXPECTED_WITHIN = timedelta(days=7)
CANNOT_RESTRICT = (
    "A certificate authority must keep its validation records as the CA/Browser Forum rules "
    "require, and issued certificates stay public in Certificate Transparency logs, so "
    "CertCentral cannot mark your data as stored only."
)


class CertCentralConnector:
    """Orders, organisations and revocations at the CA."""

    name = NAME
    phase = Phase.DEPENDENT
    recipient = Recipient(
        name="DigiCert (CertCentral)",
        role="SSL certificate authority",
        country="US",
        outside_eu=True,
    )
    # None: the CA is an independent controller, not processing for us under our contract.
    datasets = DATASETS

    def __init__(
        self, base_url: str, api_key: str, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._api = CertCentralApi(base_url, api_key, transport=transport)

    async def locate(self, subject: SubjectIdentifiers, hints: Hints) -> Located:
        """The hinted orders and organisations that still exist, and the organisations' orders.

        The CA is searched by handle only: an email would also find orders where the person is
        merely a contact of someone else's account, and those are not theirs to end. Inside
        what was found, the subject's emails mark the contact records that are theirs to
        correct (`contact:` refs); the other people there keep their own.
        """
        handles = hints.handles.get(Handle.CA, ())
        emails = {e.lower() for e in (subject.email, *hints.emails) if e}
        orders = {o["id"]: o for o in await self._api.order_infos(_ids(handles, _ORDER))}
        candidates = dict.fromkeys(_ids(handles, _ORGANIZATION))
        candidates.update(dict.fromkeys(i for o in orders.values() if (i := _organization_id(o))))
        organizations, contacts = [], []
        for organization_id in candidates:
            found = await self._api.get(f"organization/{organization_id}", "organization lookup")
            if found is None:
                continue  # deleted already; the orders that used it still count
            organizations.append(organization_id)
            contacts += rights.contact_refs("organization", organization_id, found, emails)
            for listed in await self._api.orders_of(organization_id):
                orders.setdefault(listed["id"], listed)
        for order_id, order in orders.items() if emails else ():
            # A listed order shows no contacts; its order info does.
            info = order if "requester" in order else await self._order_info(order_id)
            contacts += rights.contact_refs("order", str(order_id), info or {}, emails)
        refs = (
            *(f"{_ORDER}{i}" for i in orders),
            *(f"{_CERTIFICATE}{o['certificate']['id']}" for o in orders.values()),
            *(f"{_ORGANIZATION}{i}" for i in organizations),
            *contacts,
        )
        counts = {ORDERS: len(orders), ORGANIZATIONS: len(organizations)}
        return Located(connector=NAME, found=bool(refs), refs=refs, record_counts=counts)

    async def export(self, located: Located, sink: RecordSink) -> ExportSummary:
        """Write `ca_orders` (with requester and contacts) and `ca_organizations`."""
        orders = [_order_record(o) for o in await self._orders(located)]
        organizations = [
            found
            for organization_id in _ids(located.refs, _ORGANIZATION)
            if (found := await self._api.get(f"organization/{organization_id}", "organization"))
        ]
        return ExportSummary(
            connector=NAME,
            datasets=(
                await sink.write(ORDERS, orders),
                await sink.write(ORGANIZATIONS, organizations),
            ),
        )

    async def plan_erasure(
        self, located: Located, policy: RetentionPolicy, today: date
    ) -> ConnectorPlan:
        """Revoke and delete what the CA allows; refuse, with the reason, what it cannot erase."""
        if not located.found:
            return ConnectorPlan(connector=NAME)
        orders = await self._orders(located)
        active = [o for o in orders if _is_active(o, today)]
        organizations = _ids(located.refs, _ORGANIZATION)
        basis = "No active certificate left to revoke."
        if active:
            basis = (
                f"Revoke {len(active)} active certificate(s) once the CA administrator approves."
            )
        if organizations:
            basis += " Then delete the organisation."
        items = [PlanItem(ORDERS, PlanAction.ACT, len(orders), basis)]
        if organizations:
            basis = "Deleted once no active certificate order uses it."
            items.append(PlanItem(ORGANIZATIONS, PlanAction.ACT, len(organizations), basis))
        items.append(PlanItem("certificate_contents", PlanAction.REFUSE, len(orders), CANNOT_ERASE))
        services = tuple(
            f"SSL certificate {o['certificate']['common_name']} "
            f"(active until {o['certificate']['valid_till']})"
            for o in active
        )
        return ConnectorPlan(connector=NAME, items=tuple(items), active_services=services)

    async def erase(self, located: Located, plan: ConnectorPlan) -> Outcome:
        """Ask for each active certificate's revocation; delete organisations no longer in use."""
        now = datetime.now(UTC)
        if not located.found:
            return Outcome(connector=NAME, status=OutcomeStatus.NOT_FOUND, at=now)
        acting = {i.category for i in plan.items if i.action is PlanAction.ACT}
        pending: list[str] = []
        waiting_organizations: set[str] = set()
        if ORDERS in acting:
            for order in await self._orders(located):
                if _is_active(order, now.date()) and (request_id := await self._revoke(order)):
                    pending.append(request_id)
                    waiting_organizations.update(filter(None, [_organization_id(order)]))
        kept = []
        if ORGANIZATIONS in acting:
            # An organisation whose orders await revocation is deleted by `check_pending`.
            for organization_id in _ids(located.refs, _ORGANIZATION):
                if organization_id in waiting_organizations:
                    continue
                if not await self._delete_organization(organization_id):
                    kept.append(organization_id)
        return _erase_outcome(located, pending, kept, bool(waiting_organizations), now)

    async def check_pending(self, external_ref: str) -> Confirmation | None:
        """None while a revoke request waits; once all are approved, delete the organisations."""
        request_ids = _ids(external_ref.split(","), _REQUEST)
        if not request_ids:
            raise ConnectorError("The reference names no CertCentral request; confirm manually.")
        requests = []
        for request_id in request_ids:
            found = await self._api.get(f"request/{request_id}", "revoke request status")
            if found is None:
                detail = f"CertCentral has no request {request_id}; check there, confirm manually."
                return _confirmation(
                    external_ref, False, detail, f"CertCentral request {request_id}"
                )
            requests.append(found)
        rejected = [str(r["id"]) for r in requests if r["status"] == "rejected"]
        if rejected:
            by = f"CertCentral {_requests_named(rejected)} rejected"
            return _confirmation(external_ref, False, f"{REJECTED} {WHAT_STAYS}", by)
        if any(r["status"] != "approved" for r in requests):
            return None
        organizations = dict.fromkeys(i for r in requests if (i := _organization_id(r["order"])))
        kept = [i for i in organizations if not await self._delete_organization(i)]
        by = f"CertCentral {_requests_named(request_ids)} approved"
        if kept:
            return _confirmation(external_ref, False, _kept_detail(kept), by)
        detail = (
            f"{len(request_ids)} certificate(s) revoked; {len(organizations)} organisation(s) "
            f"deleted. {WHAT_STAYS}"
        )
        return _confirmation(external_ref, True, detail, by)

    async def rectify(self, located: Located, changes: Changes) -> Outcome:
        """Correct the subject's contact records; what the CA keeps is named in the detail."""
        if not located.found:
            return Outcome(connector=NAME, status=OutcomeStatus.NOT_FOUND, at=datetime.now(UTC))
        outcome = await rights.rectify(self._api, NAME, located, changes)
        return replace(outcome, at=datetime.now(UTC))

    async def restrict(self, located: Located) -> Outcome:
        """A CA cannot keep validation records or issued certificates stored only."""
        return replace(unsupported(NAME, CANNOT_RESTRICT), at=datetime.now(UTC))

    async def object_to(self, located: Located, purposes: tuple[Purpose, ...]) -> Outcome:
        """The CA processes the data to validate and issue certificates, for nothing else."""
        return replace(not_processed_for(NAME, purposes), at=datetime.now(UTC))

    async def aclose(self) -> None:
        await self._api.aclose()

    async def _orders(self, located: Located) -> list[dict[str, Any]]:
        return await self._api.order_infos(_ids(located.refs, _ORDER))

    async def _order_info(self, order_id: int | str) -> dict[str, Any] | None:
        return await self._api.get(f"order/certificate/{order_id}", "order lookup")

    async def _revoke(self, order: dict[str, Any]) -> str | None:
        """The id of the order's pending revoke request, filing one if there is none yet."""
        for request in order.get("requests", []):
            if request.get("type") == "revoke" and request.get("status") == "pending":
                return str(request["id"])
        path = f"certificate/{order['certificate']['id']}/revoke"
        body = {"comments": _REVOKE_COMMENT}
        response = await self._api.send("PUT", path, "certificate revocation", json=body)
        # 204: an account without the approval step revoked it at once.
        if response.status_code == 204 or response.json().get("status") != "pending":
            return None
        return str(response.json()["id"])

    async def _delete_organization(self, organization_id: str) -> bool:
        """Deleted now or earlier: True; refused because an active order uses it: False."""
        path = f"organization/{organization_id}"
        response = await self._api.send("DELETE", path, "organization deletion", allow=(400, 409))
        if response.status_code in (400, 409):
            if error_code(response) != _IN_USE:
                raise_refusal(response, "organization deletion")
            return False
        return True


def _erase_outcome(
    located: Located, pending: list[str], kept: list[str], waiting: bool, now: datetime
) -> Outcome:
    """Pending on the CA administrator's approval, on an agent's decision, or done."""
    if pending or kept:
        after = "; the organisation is deleted after that" if waiting else ""
        detail = (
            f"{len(pending)} certificate revocation(s) await the CertCentral administrator's "
            f"approval{after}. {WHAT_STAYS}"
        )
        return Outcome(
            connector=NAME,
            status=OutcomeStatus.PENDING,
            detail=detail if pending else _kept_detail(kept),
            external_ref=",".join(
                [f"{_REQUEST}{i}" for i in pending] or [f"{_ORGANIZATION}{i}" for i in kept]
            ),
            expected_by=now + _APPROVAL_EXPECTED_WITHIN if pending else None,
            at=now,
            channel=ConfirmationChannel.TICKET if pending else ConfirmationChannel.MANUAL,
        )
    # Counted from the refs, so a repeated erase reads the same.
    orders, organizations = (len(_ids(located.refs, p)) for p in (_ORDER, _ORGANIZATION))
    detail = (
        f"No active certificate left on {orders} order(s); {organizations} organisation(s) "
        f"deleted. {WHAT_STAYS}"
    )
    return Outcome(connector=NAME, status=OutcomeStatus.DONE, detail=detail, at=now)


def _kept_detail(kept: list[str]) -> str:
    return (
        f"CertCentral refused to delete organisation(s) {', '.join(kept)}: an active order "
        "outside this request still uses it; revoke that order or keep the organisation, "
        f"then confirm manually. {WHAT_STAYS}"
    )


def _confirmation(external_ref: str, succeeded: bool, detail: str, by: str) -> Confirmation:
    return Confirmation(
        connector=NAME,
        external_ref=external_ref,
        succeeded=succeeded,
        detail=detail,
        confirmed_by=by,
        at=datetime.now(UTC),
    )


def _requests_named(ids: list[str]) -> str:
    return f"request {ids[0]}" if len(ids) == 1 else f"requests {', '.join(ids)}"


def _is_active(order: dict[str, Any], today: date) -> bool:
    # Orders keep the status `issued` after expiry, so the end date decides too.
    valid_till = order["certificate"].get("valid_till")
    return order["status"] == "issued" and (
        not valid_till or date.fromisoformat(valid_till) >= today
    )


def _organization_id(order: dict[str, Any]) -> str | None:
    organization = order.get("organization")
    return str(organization["id"]) if organization else None


def _order_record(order: dict[str, Any]) -> Record:
    """The order as the CA holds it, its certificate's fields brought to the top."""
    certificate, product = order["certificate"], order.get("product", {})
    named = ("common_name", "dns_names", "valid_from", "valid_till")
    record: dict[str, Any] = {"order_id": order["id"], "certificate_id": certificate.get("id")}
    record |= {k: certificate.get(k) for k in named}
    record |= {"status": order["status"], "validation": product.get("validation_name")}
    people = ("organization", "organization_contact", "technical_contact", "requester")
    return record | {"date_created": order.get("date_created")} | {k: order.get(k) for k in people}


def _ids(refs: Iterable[str], prefix: str) -> list[str]:
    return [r.strip().removeprefix(prefix) for r in refs if r.strip().startswith(prefix)]


def create(settings: Settings) -> CertCentralConnector:
    """Factory named in policy.toml."""
    return CertCentralConnector(settings.certcentral_url, settings.certcentral_api_key)
