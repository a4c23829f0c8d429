"""A POC with the subject's corrections, as the connector PUTs it back to ARIN Reg-RWS.

The connector reads the whole POC (`GET /rest/poc/{handle}`), changes the corrected fields
in that payload and PUTs all of it back: a PUT carrying `<emails>` or `<phones>` replaces
all of them, so both go back complete. ARIN does not let a POC's name be changed (its
templates: "POC Name cannot be updated"); a new POC must replace the old one, so a new name
is left out of the PUT and named in the outcome instead.
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

from connectors.arin.wire import NS
from domain.records import Outcome, OutcomeStatus
from domain.rights import Changes, Field

_OFFICE = "O"
_NAME_PARTS = ("firstName", "middleName", "lastName")
NAME_REFUSED = (
    "ARIN does not allow the name of a POC to be changed, so the name stays until a new POC "
    "replaces this one."
)


@dataclass(frozen=True)
class Correction:
    payload: ET.Element
    changed: bool
    name_refused: bool


def corrected(poc: ET.Element, changes: Changes) -> Correction:
    """The POC payload with the corrections in place; the name only if it is the same."""
    new = copy.deepcopy(poc)
    name = changes.get(Field.NAME)
    current_name = " ".join(t for p in _NAME_PARTS if (t := (poc.findtext(_q(p)) or "").strip()))
    name_refused = name is not None and " ".join(name.split()) != current_name
    if (company := changes.get(Field.COMPANY)) is not None:
        _set(new, "companyName", company, before="firstName")
    if (street := changes.get(Field.STREET)) is not None:
        lines = _child(new, "streetAddress", before="city")
        lines[:] = []
        _add(lines, "line", street).set("number", "1")
    for field, tag in ((Field.CITY, "city"), (Field.POSTCODE, "postalCode")):
        if (value := changes.get(field)) is not None:
            _set(new, tag, value, before="emails")
    country = changes.get(Field.COUNTRY)
    if country is not None and country != poc.findtext(_q("iso3166-1", "code2")):
        iso = _child(new, "iso3166-1", before="streetAddress")
        iso[:] = []
        _add(iso, "code2", country)
        if (state := new.find(_q("iso3166-2"))) is not None:
            new.remove(state)  # the state or province of the former country
    if (email := changes.get(Field.EMAIL)) is not None:
        emails = _child(new, "emails", before="handle")
        emails[:] = []
        _add(emails, "email", email)
    if (phone := changes.get(Field.PHONE)) is not None:
        _set_office_phone(_child(new, "phones", before="registrationDate"), arin_phone(phone))
    return Correction(new, ET.tostring(new) != ET.tostring(poc), name_refused)


def outcome(name: str, held: list[Field], pocs: int, name_refused: bool, now: datetime) -> Outcome:
    """The outcome, counted from the POCs ARIN holds, so a retry after success reads the same."""
    if not pocs:
        return Outcome(name, OutcomeStatus.NOT_FOUND, "ARIN no longer holds the subject's "
                       "POCs.", at=now)  # fmt: skip
    done = [f for f in held if not (f is Field.NAME and name_refused)]
    sentences = [NAME_REFUSED] if name_refused else []
    if done:
        fields = ", ".join(f.value for f in done)
        sentences.insert(0, f"{pocs} POC(s) at ARIN hold the corrected fields: {fields}.")
    status = OutcomeStatus.DONE if done else OutcomeStatus.REFUSED
    return Outcome(name, status, detail=" ".join(sentences), at=now)


def arin_phone(phone: str) -> str:
    """A number as ARIN takes it: digits and `+ - ( )` only, so `+31.20 123` is `+31-20-123`."""
    return re.sub(r"[.\s]+", "-", phone.strip())


def _set_office_phone(phones: ET.Element, number: str) -> None:
    """The first office phone gets the number; other office phones go, other kinds stay."""
    office = [p for p in phones if p.findtext(_q("type", "code")) == _OFFICE]
    for extra in office[1:]:
        phones.remove(extra)
    if office:
        target = office[0].find(_q("number"))
        if target is None:
            target = _add(office[0], "number")
        target.text = number
        return
    phone = _add(phones, "phone")
    kind = _add(phone, "type")
    _add(kind, "description", "Office")
    _add(kind, "code", _OFFICE)
    _add(phone, "number", number)


def _set(parent: ET.Element, tag: str, text: str, *, before: str) -> None:
    _child(parent, tag, before=before).text = text


def _child(parent: ET.Element, tag: str, *, before: str) -> ET.Element:
    """The child `tag`, made (ahead of `before`, in ARIN's element order) if missing."""
    found = parent.find(_q(tag))
    if found is not None:
        return found
    child = ET.Element(_q(tag))
    siblings = list(parent)
    at = next((i for i, e in enumerate(siblings) if e.tag == _q(before)), len(siblings))
    parent.insert(at, child)
    return child


def _add(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    child = ET.SubElement(parent, _q(tag))
    child.text = text
    return child


def _q(*tags: str) -> str:
    return "/".join(f"{{{NS}}}{tag}" for tag in tags)
