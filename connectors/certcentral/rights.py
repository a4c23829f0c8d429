"""Rectification at the CA (Art. 16): the subject's contact records, over the Services API v2.

Where the subject is a contact (`contact:<organization|order>:<id>:<slot>` refs, found by the
subject's emails inside the located records) the name, email and phone are corrected with
`PUT /organization/{id}/contact` or `PUT /order/certificate/{id}/contact`. The organisation
endpoint deletes the optional fields a request omits, so every call sends the whole contact.

What cannot change is said, not attempted: the organisation's name, address and telephone are
what OV validation checked and what its certificates carry; the requester is the account user
who placed the order; and issued certificates, with the public Certificate Transparency logs
that keep them, stay as they were issued.
"""

from __future__ import annotations

from typing import Any

from connectors.certcentral.client import CertCentralApi
from domain.records import Located, Outcome, OutcomeStatus
from domain.rights import Changes, Field

CONTACT = "contact:"
CONTACT_FIELDS = (Field.NAME, Field.EMAIL, Field.PHONE)
# The organisation's validated data, by what a subject would call it.
VALIDATED = {
    Field.COMPANY: "name",
    Field.STREET: "address",
    Field.POSTCODE: "address",
    Field.CITY: "address",
    Field.COUNTRY: "address",
    Field.PHONE: "telephone",
}
_VALIDATED_ORDER: tuple[str, ...] = ("name", "address", "telephone")
_CONTACT_KEYS = ("first_name", "last_name", "email", "job_title", "telephone")
_SLOTS = {
    "organization": ("organization_contact", "technical_contact"),
    "order": ("organization_contact", "technical_contact", "requester"),
}
_PATHS = {"organization": "organization/{}", "order": "order/certificate/{}"}
_KEPT_AS_ISSUED = (
    "issued certificates and the public Certificate Transparency logs keep the details they "
    "were issued with"
)


def contact_refs(kind: str, record_id: str, record: dict[str, Any], emails: set[str]) -> list[str]:
    """The slots of an order or organisation record where the subject is the contact."""
    return [
        f"{CONTACT}{kind}:{record_id}:{slot}"
        for slot in _SLOTS[kind]
        if isinstance(person := record.get(slot), dict)
        and str(person.get("email", "")).lower() in emails
    ]


async def rectify(api: CertCentralApi, name: str, located: Located, changes: Changes) -> Outcome:
    """Correct the subject's contact records; say what the CA keeps as validated or issued."""
    wanted = {f: v for f, v in changes.values.items() if f in CONTACT_FIELDS}
    slots = [r.removeprefix(CONTACT).split(":") for r in located.refs if r.startswith(CONTACT)]
    has_organization = any(r.startswith("organization:") for r in located.refs)
    validated = [f for f in changes.fields if f in VALIDATED] if has_organization else []
    requesters = sum(slot == "requester" for _, _, slot in slots) if wanted else 0
    corrected = refused = 0
    if wanted:
        for kind, record_id, slot in slots:
            if slot != "requester":
                result = await _correct(api, kind, record_id, slot, wanted)
                corrected += result is True
                refused += result is False
    if not (corrected or refused or requesters or validated):
        detail = "CertCentral holds none of the fields you asked to correct; nothing was changed."
        return Outcome(name, OutcomeStatus.DONE, detail)
    status = OutcomeStatus.DONE if corrected else OutcomeStatus.REFUSED
    return Outcome(
        name, status, _rectified(list(wanted), corrected, refused, requesters, validated)
    )


async def _correct(
    api: CertCentralApi, kind: str, record_id: str, slot: str, wanted: dict[Field, str]
) -> bool | None:
    """True once the slot holds the corrected values, False if refused, None if it is gone."""
    path = _PATHS[kind].format(record_id)
    record = await api.get(path, f"{kind} lookup")
    current = (record or {}).get(slot)
    if not isinstance(current, dict):
        return None  # deleted since it was located, or the contact was removed
    contact = {key: str(current.get(key) or "") for key in _CONTACT_KEYS}
    if Field.NAME in wanted:
        contact["first_name"], _, contact["last_name"] = wanted[Field.NAME].partition(" ")
    if Field.EMAIL in wanted:
        contact["email"] = wanted[Field.EMAIL]
    if Field.PHONE in wanted:
        contact["telephone"] = wanted[Field.PHONE]
    if all(_same(k, contact[k], current.get(k)) for k in _CONTACT_KEYS):
        return True
    body = {"contacts": [{**contact, "contact_type": slot}]}
    response = await api.send(
        "PUT", f"{path}/contact", f"{kind} contact update", allow=(400,), json=body
    )
    return response.is_success


def _rectified(
    fields: list[Field], corrected: int, refused: int, requesters: int, validated: list[Field]
) -> str:
    """Field names and counts only: the corrected values never enter the detail."""
    sentences = []
    if corrected:
        listed = _listed([f.value for f in fields])
        sentences.append(f"Corrected {listed} on {_count(corrected, 'contact record')} at the CA.")
    if refused:
        sentences.append(
            f"CertCentral did not accept the corrected contact on {_count(refused, 'record')}."
        )
    cannot = []
    if validated:
        named = {VALIDATED[f] for f in validated}
        parts = [part for part in _VALIDATED_ORDER if part in named]
        cannot.append(f"the organisation's validated {_listed(parts)}")
    if requesters:
        cannot.append(f"the requester named on {_count(requesters, 'order')}")
    if cannot:
        sentences.append(f"It cannot change {_listed(cannot)}, and {_KEPT_AS_ISSUED}.")
    else:
        sentences.append(f"{_KEPT_AS_ISSUED[0].upper()}{_KEPT_AS_ISSUED[1:]}.")
    return " ".join(sentences)


def _same(key: str, new: str, current: Any) -> bool:
    """Equal as CertCentral compares contacts: emails without regard to case."""
    new, old = " ".join(new.split()), " ".join(str(current or "").split())
    return new.casefold() == old.casefold() if key == "email" else new == old


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
