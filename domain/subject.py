"""Who a request is about, and the identifiers discovery finds for them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from domain.errors import InvalidRequestInput

# Deliberately plain: one @, a dotted domain, no spaces. Mailbox deliverability is not our check.
EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_AGENT_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")
LANGUAGES = ("en", "nl")


@dataclass(frozen=True)
class SubjectIdentifiers:
    """What the subject gave us to find them; personal data, so it travels only encrypted."""

    email: str | None = None
    name: str | None = None
    customer_number: str | None = None
    language: str = "en"


def parse_subject(
    *,
    email: str | None,
    name: str | None,
    customer_number: str | None,
    language: str = "en",
) -> SubjectIdentifiers:
    """Validate what an agent typed about the subject; raise with a one-sentence reason."""
    email = (email or "").strip() or None
    name = " ".join((name or "").split()) or None
    customer_number = (customer_number or "").strip() or None
    if email is None and customer_number is None:
        raise InvalidRequestInput(
            "Give at least one identifier of the subject: an email address or a customer number."
        )
    if email is not None and not EMAIL_PATTERN.match(email):
        raise InvalidRequestInput(
            "The email address is malformed; check it and submit the request again."
        )
    if language not in LANGUAGES:
        raise InvalidRequestInput(
            f"Unknown language {language!r}; use one of: {', '.join(LANGUAGES)}."
        )
    return SubjectIdentifiers(
        email=email.lower() if email else None,
        name=name,
        customer_number=customer_number,
        language=language,
    )


def parse_agent_ref(text: str) -> str:
    """The agent's own reference (ticket number); short, no personal data, unique."""
    ref = text.strip()
    if not _AGENT_REF.match(ref):
        raise InvalidRequestInput(
            "The agent reference must be 1-64 letters, digits or . _ : / - (a ticket number)."
        )
    return ref


class Handle(StrEnum):
    """The kinds of identifier a primary system finds for dependent systems to search by.

    Both sides name the kind, never each other: the administration files the subject's
    registrar handle under REGISTRAR whatever the registrar's connector is called. The
    values travel in workflow history, so they stay as they are.
    """

    REGISTRAR = "registrar-openprovider"  # customer handle at the domain registrar
    REGISTRY = "registry-epp"  # contact id at a domain registry (EPP)
    RIPE = "ripe"  # nic-hdl of a RIPE person object
    ARIN = "arin"  # ARIN point-of-contact handle
    CA = "certcentral"  # certificate authority: order:<id> and organization:<id>


@dataclass(frozen=True)
class Hints:
    """Identifiers that primary systems found, for dependent systems to search by."""

    customer_ids: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    handles: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def merge(self, other: Hints) -> Hints:
        handles = {k: tuple(v) for k, v in self.handles.items()}
        for system, found in other.handles.items():
            handles[system] = _union(handles.get(system, ()), found)
        return Hints(
            customer_ids=_union(self.customer_ids, other.customer_ids),
            emails=_union(self.emails, other.emails),
            domains=_union(self.domains, other.domains),
            handles=handles,
        )


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*a, *b)))
