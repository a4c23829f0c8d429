"""What rectification, objection and portability requests carry (GDPR Art. 16, 20, 21).

`Changes` holds personal data (the corrected values): it travels only inside encrypted
payloads, never in ids, search attributes, logs or exception texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from domain.errors import InvalidRequestInput
from domain.kinds import RequestKind
from domain.subject import EMAIL_PATTERN


class Field(StrEnum):
    """The contact fields a subject can have corrected in every system that holds them."""

    NAME = "name"
    EMAIL = "email"
    PHONE = "phone"
    STREET = "street"
    POSTCODE = "postcode"
    CITY = "city"
    COUNTRY = "country"
    COMPANY = "company"


# The form EPP (RFC 5733) and the registrars use: +<country code>.<number>.
_PHONE = re.compile(r"^\+[1-9][0-9]{0,2}\.[0-9]{4,14}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_MAX_LENGTH = 200


@dataclass(frozen=True)
class Changes:
    """Corrected values by field; only the fields the subject asked to correct."""

    values: dict[Field, str] = field(default_factory=dict)

    def get(self, name: Field) -> str | None:
        return self.values.get(name)

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(f for f in Field if f in self.values)

    def __bool__(self) -> bool:
        return bool(self.values)


def parse_changes(assignments: Iterable[str]) -> Changes:
    """Turn `field=value` pairs an agent typed into validated changes, or say what is wrong."""
    values: dict[Field, str] = {}
    allowed = ", ".join(f.value for f in Field)
    for text in assignments:
        name, sep, raw = text.partition("=")
        if not sep:
            raise InvalidRequestInput(f"Write each correction as field=value; fields: {allowed}.")
        try:
            key = Field(name.strip().lower())
        except ValueError:
            raise InvalidRequestInput(
                f"Unknown field {name.strip()!r} to correct; use one of: {allowed}."
            ) from None
        if key in values:
            raise InvalidRequestInput(f"The field {key.value!r} is corrected twice; give it once.")
        values[key] = _valid(key, " ".join(raw.split()))
    if not values:
        raise InvalidRequestInput(
            f"A rectification needs at least one correction as field=value; fields: {allowed}."
        )
    return Changes(values)


def _valid(key: Field, value: str) -> str:
    if not value:
        raise InvalidRequestInput(f"The new {key.value} is empty; give the corrected value.")
    if len(value) > _MAX_LENGTH:
        raise InvalidRequestInput(f"The new {key.value} is longer than {_MAX_LENGTH} characters.")
    if key is Field.EMAIL:
        if not EMAIL_PATTERN.match(value):
            raise InvalidRequestInput("The new email address is malformed; check it.")
        return value.lower()
    if key is Field.PHONE:
        value = value.replace(" ", "")
        if not _PHONE.match(value):
            raise InvalidRequestInput(
                "Write the new phone number in international form, like +31.201234567."
            )
    if key is Field.COUNTRY:
        value = value.upper()
        if not _COUNTRY.match(value):
            raise InvalidRequestInput("Give the new country as a two-letter code, like NL.")
    return value


class Purpose(StrEnum):
    """What the subject objects to (Art. 21).

    Direct marketing and profiling for it must stop without question (Art. 21(2)-(3));
    an objection to any other processing is weighed by the privacy officer (Art. 21(1)).
    """

    DIRECT_MARKETING = "direct_marketing"
    PROFILING = "profiling"
    OTHER = "other"

    @property
    def absolute(self) -> bool:
        return self is not Purpose.OTHER


def parse_purposes(texts: Iterable[str]) -> tuple[Purpose, ...]:
    """The purposes an objection names; direct marketing when none is named."""
    allowed = ", ".join(p.value for p in Purpose)
    found: dict[Purpose, None] = {}
    for text in texts:
        if not text.strip():
            continue
        try:
            found[Purpose(text.strip().lower().replace("-", "_"))] = None
        except ValueError:
            raise InvalidRequestInput(
                f"Unknown purpose {text.strip()!r} to object to; use one of: {allowed}."
            ) from None
    return tuple(found) or (Purpose.DIRECT_MARKETING,)


def parse_push_target(url: str | None) -> str | None:
    """Another controller's HTTPS endpoint for a portability push (Art. 20(2)), or None."""
    if url is None or not url.strip():
        return None
    wrong = "The other controller's endpoint must be an https:// address with a host name."
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises on a port that is not a number in range
    except ValueError:
        raise InvalidRequestInput(wrong) from None
    host = parts.hostname or ""
    if parts.scheme != "https" or not host or any(c.isspace() for c in url.strip()):
        raise InvalidRequestInput(wrong)
    if port == 0:
        raise InvalidRequestInput(wrong)
    if parts.username or parts.password:
        raise InvalidRequestInput(
            "Put no credentials in the endpoint address; the other controller gets a receipt."
        )
    return url.strip()


def parse_kind_details(
    kind: RequestKind, corrections: Iterable[str], purposes: Iterable[str], push_to: str | None
) -> tuple[Changes | None, tuple[Purpose, ...], str | None]:
    """What only one kind carries; given to another kind it is refused, not ignored."""
    corrections, purposes = tuple(corrections), tuple(purposes)
    if corrections and kind is not RequestKind.RECTIFICATION:
        raise InvalidRequestInput("Corrections (--set) belong to a rectification request only.")
    if purposes and kind is not RequestKind.OBJECTION:
        raise InvalidRequestInput("Purposes (--purpose) belong to an objection request only.")
    if push_to and kind is not RequestKind.PORTABILITY:
        raise InvalidRequestInput("A push address (--push-to) belongs to portability only.")
    changes = parse_changes(corrections) if kind is RequestKind.RECTIFICATION else None
    objected = parse_purposes(purposes) if kind is RequestKind.OBJECTION else ()
    return changes, objected, parse_push_target(push_to)
