"""Rectification and restriction at the registrar (Art. 16, 18), over its REST API.

Rectification modifies each of the subject's handles (`PUT /customers/{handle}`): email, phone
and address. The vendor does not let an existing handle take another name or company name
(they "have to stay the same"; its way to another name is a new handle). We do not take that
way automatically: the domains would need a change of holder, a trade that some registries
confirm only with the holder's documents, and the administration keeps the old handle. So the
outcome names the name fields that stay as they were, and why. Whatever the registrar answers,
the handle is read back, and the outcome says what it now holds: a repeat reads the same.

Restriction: the registrar must keep processing the handle, or the domains lapse. What can
stop is publication: WHOIS privacy protection (`is_private_whois_enabled`) on every active
domain where the subject holds a role, where the extension offers it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from connectors.base import unsupported
from connectors.registrar.client import RegistrarApi, RegistrarRefused
from connectors.registrar.wire import FIXED_ON_A_HANDLE, holds, modify_body, rename_body
from domain.records import Outcome, OutcomeStatus
from domain.rights import Changes, Field

_ACTIVE = "ACT"
_NAMES_FIXED = (
    "the registrar does not allow changing the name or company name of an existing contact "
    "handle; that would take a new handle and a change of holder on your domains"
)


async def rectify(api: RegistrarApi, name: str, handles: list[str], changes: Changes) -> Outcome:
    """Modify every handle, try the name fields apart, then report what the handles hold."""
    records = []
    for handle in handles:
        customer = await api.customer(handle)
        if customer is None:
            continue  # deleted meanwhile: nothing left to correct there
        body = modify_body(customer, changes)
        if body:
            await _tolerating_refusal(api, handle, body)
        renamed = rename_body(customer, changes)
        if renamed:
            await _tolerating_refusal(api, handle, renamed)
        if body or renamed:
            customer = await api.customer(handle) or customer
        records.append(customer)
    if not records:
        return Outcome(
            name,
            OutcomeStatus.NOT_FOUND,
            "The registrar no longer holds a contact handle of yours.",
        )
    corrected = [f for f, v in changes.values.items() if all(holds(c, f, v) for c in records)]
    kept = [f for f in changes.fields if f not in corrected]
    status = OutcomeStatus.DONE if corrected else OutcomeStatus.REFUSED
    return Outcome(name, status, _rectified(corrected, kept, len(records)))


async def restrict(api: RegistrarApi, name: str, handles: list[str]) -> Outcome:
    """WHOIS privacy on every active domain where a handle holds a role, where offered."""
    domains: dict[int, dict[str, Any]] = {}
    for handle in handles:
        domains.update({d["id"]: d for d in await api.domains_of(handle) if _is_active(d)})
    if not domains:
        return unsupported(
            name,
            "The registrar has no way to keep your contact handle stored only, and no active "
            "domain of yours is published there, so there was nothing it could restrict.",
        )
    protected, not_offered = 0, []
    for domain_id, domain in domains.items():
        if domain.get("is_private_whois_enabled"):
            protected += 1
            continue
        body = {"is_private_whois_enabled": True}
        try:
            await api.call("PUT", f"/domains/{domain_id}", "WHOIS privacy change", json=body)
        except RegistrarRefused:
            not_offered.append(_extension(domain))
            continue
        protected += 1
    if not protected:
        return unsupported(
            name,
            "The registrar must keep using your contact handle to keep your domains registered, "
            f"and it does not offer WHOIS privacy for {_domains(not_offered)}, so the "
            "publication of your contact details could not be stopped there.",
        )
    detail = (
        "The registrar must keep using your contact handle to keep your domains registered, "
        "so that processing cannot be restricted; it stopped publishing your contact details "
        f"in WHOIS by turning on WHOIS privacy for {_count(protected, 'domain')}."
    )
    if not_offered:
        detail += f" It does not offer WHOIS privacy for {_domains(not_offered)}."
    return Outcome(name, OutcomeStatus.DONE, detail)


async def _tolerating_refusal(api: RegistrarApi, handle: str, body: dict[str, Any]) -> None:
    """Send a modify call; a refusal is fine, as reading the handle back tells what changed."""
    with contextlib.suppress(RegistrarRefused):
        await api.call("PUT", f"/customers/{handle}", "customer modification", json=body)


def _rectified(corrected: list[Field], kept: list[Field], handles: int) -> str:
    """Field names and counts only: the corrected values never enter the detail."""
    sentences = []
    if corrected:
        sentences.append(
            f"Corrected {_listed(corrected)} on {_count(handles, 'contact handle')} at the "
            "registrar, which passes the change on to the domain registries."
        )
    fixed = [f for f in kept if f in FIXED_ON_A_HANDLE]
    if fixed:
        sentences.append(f"The {_listed(fixed)} could not be changed: {_NAMES_FIXED}.")
    refused = [f for f in kept if f not in FIXED_ON_A_HANDLE]
    if refused:
        sentences.append(f"The registrar did not accept the corrected {_listed(refused)}.")
    return " ".join(sentences)


def _listed(fields: list[Field]) -> str:
    names = [f.value for f in fields]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _domains(extensions: Iterable[str]) -> str:
    found = list(extensions)
    endings = ", ".join(f".{e}" for e in dict.fromkeys(found))
    return f"{_count(len(found), 'domain')} ending in {endings}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _is_active(domain: dict[str, Any]) -> bool:
    return domain.get("status") == _ACTIVE


def _extension(domain: dict[str, Any]) -> str:
    return str((domain.get("domain") or {}).get("extension", ""))
