"""Corrected fields as the registrar's customer record holds them, and back.

The vendor splits a phone number into country code, area code and subscriber number, and a
street line into street, house number and suffix; comparisons go through the same split, so a
value already in place is not sent again and a repeated rectification reads the same.
"""

from __future__ import annotations

import re
from typing import Any

from domain.rights import Changes, Field

# The name fields and the company name of an existing handle "have to stay the same" (vendor).
FIXED_ON_A_HANDLE = (Field.NAME, Field.COMPANY)
ADDRESS_FIELDS = (Field.STREET, Field.POSTCODE, Field.CITY, Field.COUNTRY)
ADDRESS_KEYS = ("street", "number", "suffix", "zipcode", "city", "state", "country")
_STREET_LINE = re.compile(r"^(?P<street>.*?)\s+(?P<number>\d+)\s*(?P<suffix>\S.*)?$")
# ITU-T E.164 country calling codes: 1 and 7 stand alone, these take two digits, others three.
_TWO_DIGIT_CODES = frozenset(
    {20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55,
     56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98}
)  # fmt: skip


def holds(customer: dict[str, Any], field: Field, value: str) -> bool:
    """Whether the record already holds the corrected value of `field`."""
    if field is Field.PHONE:
        return _digits(_phone_text(customer.get("phone"))) == _digits(value)
    return _plain(current_value(customer, field)) == _plain(value)


def current_value(customer: dict[str, Any], field: Field) -> str:
    """The record's value of a field, as one string the way a subject would write it."""
    address = customer.get("address") or {}
    name = customer.get("name") or {}
    match field:
        case Field.NAME:
            parts = (name.get("first_name"), name.get("prefix"), name.get("last_name"))
            return str(name.get("full_name") or " ".join(p for p in parts if p))
        case Field.EMAIL:
            return str(customer.get("email") or "")
        case Field.PHONE:
            return _phone_text(customer.get("phone"))
        case Field.STREET:
            number = f"{address.get('number', '')}{address.get('suffix', '')}"
            return f"{address.get('street', '')} {number}".strip()
        case Field.POSTCODE:
            return str(address.get("zipcode") or "")
        case Field.CITY:
            return str(address.get("city") or "")
        case Field.COUNTRY:
            return str(address.get("country") or "")
        case Field.COMPANY:
            return str(customer.get("company_name") or "")


def modify_body(customer: dict[str, Any], changes: Changes) -> dict[str, Any]:
    """The vendor's modify call for the fields it allows to change and that differ now."""
    stale = {f: v for f, v in changes.values.items() if not holds(customer, f, v)}
    body: dict[str, Any] = {}
    if Field.EMAIL in stale:
        body["email"] = stale[Field.EMAIL]
    if Field.PHONE in stale:
        body["phone"] = phone_parts(stale[Field.PHONE])
    if any(f in stale for f in ADDRESS_FIELDS):
        # The address is one object: send all of it, the corrected parts in place.
        address = {key: str((customer.get("address") or {}).get(key, "")) for key in ADDRESS_KEYS}
        if Field.STREET in stale:
            address |= street_parts(stale[Field.STREET])
        if Field.POSTCODE in stale:
            address["zipcode"] = stale[Field.POSTCODE]
        if Field.CITY in stale:
            address["city"] = stale[Field.CITY]
        if Field.COUNTRY in stale:
            address["country"] = stale[Field.COUNTRY]
        body["address"] = address
    return body


def rename_body(customer: dict[str, Any], changes: Changes) -> dict[str, Any]:
    """The name and company name as corrected, where they differ from the handle's."""
    body: dict[str, Any] = {}
    name = changes.get(Field.NAME)
    if name is not None and not holds(customer, Field.NAME, name):
        first, *middle, last = name.split() if " " in name else ("", name)
        body["name"] = {
            "first_name": first,
            "prefix": " ".join(middle),
            "last_name": last,
            "full_name": name,
        }
    company = changes.get(Field.COMPANY)
    if company is not None and not holds(customer, Field.COMPANY, company):
        body["company_name"] = company
    return body


def phone_parts(value: str) -> dict[str, str]:
    """'+31.201234567', '+31 20 1234567' or '+31201234567' as the vendor's three parts."""
    text = value.strip().removeprefix("+")
    if "." in text:
        code, _, national = text.partition(".")
        groups = national.split()
    elif " " in text:
        code, *groups = text.split()
    else:
        code = _calling_code(text)
        groups = [text[len(code) :]]
    area = groups[0] if len(groups) > 1 else ""
    subscriber = "".join(groups[1:] if len(groups) > 1 else groups)
    return {"country_code": f"+{code}", "area_code": area, "subscriber_number": subscriber}


def street_parts(line: str) -> dict[str, str]:
    """'Keizersgracht 12a' as street, number and suffix; a line without a number is a street."""
    found = _STREET_LINE.match(line.strip())
    if found is None:
        return {"street": line.strip(), "number": "", "suffix": ""}
    return {
        "street": found["street"],
        "number": found["number"],
        "suffix": (found["suffix"] or "").strip(),
    }


def _calling_code(digits: str) -> str:
    if digits[:1] in ("1", "7"):
        return digits[:1]
    two = digits[:2]
    return two if two.isdigit() and int(two) in _TWO_DIGIT_CODES else digits[:3]


def _phone_text(phone: Any) -> str:
    if not isinstance(phone, dict):
        return str(phone or "")
    parts = (phone.get(k, "") for k in ("country_code", "area_code", "subscriber_number"))
    return " ".join(str(p) for p in parts if p)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()
