"""A person object with the subject's corrections, as the connector PUTs it back to RIPE.

RIPE holds a person's name (`person:`), address lines, phone and e-mail; a company name is
not part of a person object. RIPE refuses to rename a person or role: only a change of case
or spacing passes its check, any other new name needs a new person object in place of the
old one. The address is free text; the company writes it as street line(s), then
"<postcode> <city>", then the country's name, so a partial correction replaces its part of
that layout, and an address in another layout changes only when the whole address is given.
Whois stores ISO-8859-1: other characters arrive as '?', which the comparison reckons with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from connectors.ripe.wire import GENERATED, RipeObject
from domain.records import Outcome, OutcomeStatus
from domain.rights import Changes, Field

HELD = (Field.NAME, Field.STREET, Field.POSTCODE, Field.CITY, Field.COUNTRY, Field.PHONE,
        Field.EMAIL)  # fmt: skip
ADDRESS_FIELDS = (Field.STREET, Field.POSTCODE, Field.CITY, Field.COUNTRY)
# English country names, as RIPE address lines end; other codes are written as the code.
COUNTRY_NAMES = {
    "AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "CH": "Switzerland", "CY": "Cyprus",
    "CZ": "Czechia", "DE": "Germany", "DK": "Denmark", "EE": "Estonia", "ES": "Spain",
    "FI": "Finland", "FR": "France", "GB": "United Kingdom", "GR": "Greece", "HR": "Croatia",
    "HU": "Hungary", "IE": "Ireland", "IS": "Iceland", "IT": "Italy", "LI": "Liechtenstein",
    "LT": "Lithuania", "LU": "Luxembourg", "LV": "Latvia", "MT": "Malta", "NL": "Netherlands",
    "NO": "Norway", "PL": "Poland", "PT": "Portugal", "RO": "Romania", "SE": "Sweden",
    "SI": "Slovenia", "SK": "Slovakia", "US": "United States",
}  # fmt: skip


@dataclass(frozen=True)
class Correction:
    """The attributes to PUT, and what could not be corrected in them."""

    attributes: tuple[tuple[str, str], ...]
    changed: bool
    name_refused: bool = False  # RIPE renames no person object
    address_unreadable: bool = False  # the address lines are not in the company's layout
    substituted: bool = False  # a new value holds characters outside Latin-1


def corrected(person: RipeObject, changes: Changes) -> Correction:
    """The person's attributes with the corrections in place; generated ones left out."""
    current = tuple((n, v) for n, v in person.attributes if n not in GENERATED)
    name = changes.get(Field.NAME)
    old_name = next(iter(person.values("person")), "")
    name_refused = name is not None and not _same_name(name, old_name)
    lines = person.values("address")
    address = _address(lines, changes) if any(changes.get(f) for f in ADDRESS_FIELDS) else lines
    unreadable = address is None
    replacements = {
        "person": [name] if name is not None and not name_refused else None,
        "address": None if address is None or address == lines else address,
        "phone": [p] if (p := changes.get(Field.PHONE)) is not None else None,
        "e-mail": [e] if (e := changes.get(Field.EMAIL)) is not None else None,
    }
    attributes = _replaced(current, replacements)
    changed = [(n, _latin1(v)) for n, v in attributes] != [(n, _latin1(v)) for n, v in current]
    new = [line for lines_ in replacements.values() for line in lines_ or ()]
    substituted = any(_latin1(line) != line for line in new)
    return Correction(attributes, changed, name_refused, unreadable, substituted)


_NOTES = {
    "name": "The name was not changed: RIPE does not allow a person object to be renamed, so a "
    "new person object has to take its place.",
    "address": "The address was not changed: the RIPE Database holds it as free lines in "
    "another layout, so it needs the full corrected address (street, postcode, city, country).",
    "latin1": "The RIPE Database stores only Latin-1 characters; others are shown as '?'.",
}


def notes_of(correction: Correction) -> set[str]:
    """The notes a correction calls for, as keys of `_NOTES`."""
    flags = {
        "name": correction.name_refused,
        "address": correction.address_unreadable,
        "latin1": correction.substituted,
    }
    return {note for note, on in flags.items() if on}


def rectified(
    name: str, held: list[Field], ours: int, foreign: int, notes: set[str], now: datetime
) -> Outcome:
    """The outcome, counted from what RIPE holds, so a retry after success reads the same."""
    if not (ours or foreign):
        return Outcome(name, OutcomeStatus.NOT_FOUND, "The RIPE Database no longer holds the "
                       "subject's person objects.", at=now)  # fmt: skip
    skipped = {Field.NAME} if "name" in notes else set()
    skipped |= set(ADDRESS_FIELDS) if "address" in notes else set()
    done = [f for f in held if f not in skipped]
    sentences = [_NOTES[n] for n in ("name", "address", "latin1") if n in notes]
    if done and ours:
        fields = ", ".join(f.value for f in done)
        sentences.insert(0, f"{ours} person object(s) in the RIPE Database hold the corrected "
                            f"fields: {fields}.")  # fmt: skip
    if foreign:
        sentences.append(
            f"{foreign} person object(s) are maintained by others, so the company cannot change "
            "them; the subject may ask their maintainer or RIPE NCC."
        )
    status = OutcomeStatus.DONE if done and ours else OutcomeStatus.REFUSED
    return Outcome(name, status, detail=" ".join(sentences), at=now)


def _replaced(
    attributes: tuple[tuple[str, str], ...], replacements: dict[str, list[str] | None]
) -> tuple[tuple[str, str], ...]:
    """Each replaced attribute's lines swapped for the new ones where its first line stood."""
    result: list[tuple[str, str]] = []
    for name, value in attributes:
        new = replacements.get(name)
        if new is None:
            result.append((name, value))
        elif not any(n == name for n, _ in result):
            result.extend((name, line) for line in new)
    for name, new in replacements.items():  # an attribute the object lacked: before nic-hdl
        if new is not None and not any(n == name for n, _ in attributes):
            at = next((i for i, (n, _) in enumerate(result) if n == "nic-hdl"), len(result))
            result[at:at] = [(name, line) for line in new]
    return tuple(result)


def _address(lines: list[str], changes: Changes) -> list[str] | None:
    """The corrected address lines; None when a partial correction cannot be placed."""
    street, postcode = changes.get(Field.STREET), changes.get(Field.POSTCODE)
    city, country = changes.get(Field.CITY), changes.get(Field.COUNTRY)
    if len(lines) < 2 and None in (street, postcode, city, country):
        return None
    streets, town = lines[:-2], lines[-2] if len(lines) >= 2 else ""
    if postcode is not None and city is not None:
        town = f"{postcode} {city}"
    elif postcode is not None or city is not None:
        split = _split_town(town)
        if split is None:
            return None
        town = f"{postcode or split[0]} {city or split[1]}"
    country_line = COUNTRY_NAMES.get(country, country) if country else lines[-1]
    return [*([street] if street is not None else streets), town, country_line]


def _split_town(line: str) -> tuple[str, str] | None:
    """ "1016 GV Amsterdam" as postcode and city: the leading words with digits, a Dutch
    postcode's two letters too; None when the line does not start with a postcode."""
    words = line.split()
    size = next((i for i, w in enumerate(words) if not any(c.isdigit() for c in w)), len(words))
    if size == 1 and len(words[0]) == 4 and len(words) > 2 and len(words[1]) == 2:
        size += words[1].isalpha() and words[1].isupper()
    if size == 0 or size == len(words):
        return None
    return " ".join(words[:size]), " ".join(words[size:])


def _same_name(new: str, current: str) -> bool:
    """Whether RIPE takes `new` as the same name: case and spacing aside, as whois compares."""
    return " ".join(new.split()).lower() == " ".join(current.partition("#")[0].split()).lower()


def _latin1(value: str) -> str:
    return value.encode("latin-1", "replace").decode("latin-1")
