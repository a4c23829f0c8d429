"""Rectification and restriction at the EPP registry: `<contact:update>` of the subject's contacts.

Rectification sends, per contact, a `<contact:chg>` with only what differs from what the
registry holds, so a retry after success sends nothing and reads the same. Restriction
withholds every published element with `<contact:disclose flag="0">`: the registry keeps the
data, because the domain names need a registrant, but no longer publishes it in WHOIS/RDAP.

A registry that reviews changes answers 1001 and marks the contact pendingUpdate; its verdict
arrives as a panData message in our poll queue, matched to the outcome's `external_ref`
("contact:<id>", the shape the erase path uses). While the contact is pendingUpdate a retry
answers the same pending outcome instead of sending the change again.
"""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import connectors.epp.wire as wire
from connectors.epp.client import EppConfig, ObjectStatusProhibits, info_data, open_session
from connectors.epp.wire import Address, PostalChange
from domain.records import ConfirmationChannel, Outcome, OutcomeStatus
from domain.rights import Changes, Field

CONTACT_REF = "contact:"
# How long a registry takes to review a change before we remind: days, not weeks.
PENDING_WINDOW = timedelta(days=5)
_POSTAL_FIELDS = (Field.NAME, Field.COMPANY, Field.STREET, Field.POSTCODE, Field.CITY)
_ADDRESS_FIELDS = (Field.STREET, Field.POSTCODE, Field.CITY, Field.COUNTRY)
_BLOCKING = ("clientUpdateProhibited", "serverUpdateProhibited", "pendingDelete")
# Letters NFKD does not split into an ASCII letter and an accent.
_ASCII_SPELLINGS = str.maketrans(
    {"ß": "ss", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "Ł": "L",
     "ł": "l", "Đ": "D", "đ": "d", "Þ": "Th", "þ": "th", "\u0131": "i"}
)  # fmt: skip


@dataclass
class _Progress:
    """What one operation did, per contact id."""

    pending: list[str]
    missing: int = 0


async def rectify(
    connector: str,
    config: EppConfig,
    contacts: tuple[str, ...],
    elsewhere: int,
    changes: Changes,
) -> Outcome:
    """Change the corrected fields of each contact; retries find them changed."""
    now = datetime.now(UTC)
    if not contacts:
        return _refused(connector, elsewhere, now, "correct")
    if not changes:
        return Outcome(connector, OutcomeStatus.DONE, "No correction was asked for.", at=now)
    progress = await _update_each(config, contacts, lambda record: _corrections(record, changes))
    fields = _listed(_FIELD_WORDS[f] for f in changes.fields)
    n = len(contacts)
    done = f"The registry's {n} contact(s) of the subject hold the corrected {fields}."
    asked = f"The corrected {fields} of {n} contact(s) of the subject went to the registry."
    notes = []
    if any(_ascii(v) != v for f in _POSTAL_FIELDS if (v := changes.get(f)) is not None):
        notes.append(
            "The registry takes names and addresses in plain ASCII letters only, so they are "
            "written there without accents."
        )
    return _outcome(connector, (done, asked), notes, progress, elsewhere, now, n)


async def restrict(
    connector: str, config: EppConfig, contacts: tuple[str, ...], elsewhere: int
) -> Outcome:
    """Withhold every published element of each contact from WHOIS/RDAP."""
    now = datetime.now(UTC)
    if not contacts:
        return _refused(connector, elsewhere, now, "restrict")
    progress = await _update_each(config, contacts, _withholding)
    n = len(contacts)
    done = (
        f"The registry keeps the data of {n} contact(s) of the subject for the registration "
        "of the domain names, but no longer publishes it: name, organisation, address, phone, "
        "fax and email are withheld from its public WHOIS and RDAP."
    )
    asked = (
        f"The registry was asked to keep the data of {n} contact(s) of the subject only for "
        "the registration of the domain names and to withhold it from its public WHOIS and RDAP."
    )
    return _outcome(connector, (done, asked), [], progress, elsewhere, now, n)


def pending_outcome(connector: str, detail: str, pending: list[str], now: datetime) -> Outcome:
    """PENDING until the registry's panData messages confirm each contact in the poll queue."""
    return Outcome(
        connector=connector,
        status=OutcomeStatus.PENDING,
        detail=detail,
        # One ref per contact, comma-separated: each panData message confirms one of them.
        external_ref=",".join(CONTACT_REF + c for c in pending),
        expected_by=now + PENDING_WINDOW,
        channel=ConfirmationChannel.POLL_QUEUE,
        at=now,
    )


async def _update_each(
    config: EppConfig,
    contacts: tuple[str, ...],
    edit: Callable[[dict[str, Any]], ET.Element | None],
) -> _Progress:
    """Read each contact, then send `edit`'s update of it (None: nothing to change)."""
    progress = _Progress(pending=[])
    async with open_session(config) as epp:
        for contact_id in contacts:
            inf = await info_data(epp, wire.contact_info(contact_id), "contact info")
            if inf is None:
                progress.missing += 1  # deleted since it was located, or no longer ours
                continue
            record = wire.contact_record(inf)
            if "pendingUpdate" in record["statuses"]:
                progress.pending.append(contact_id)  # an earlier attempt's change is reviewed
                continue
            if blocking := [s for s in _BLOCKING if s in record["statuses"]]:
                raise _prohibited(contact_id, blocking)
            update = edit(record)
            if update is None:
                continue
            try:
                response = await epp.request(update, "contact update")
            except ObjectStatusProhibits:
                raise _prohibited(contact_id, ["a status set meanwhile"]) from None
            if response.code == 1001:
                progress.pending.append(contact_id)
    return progress


def _corrections(record: dict[str, Any], changes: Changes) -> ET.Element | None:
    """The `<contact:update>` carrying the corrected values that differ; None if none do."""
    postal = tuple(
        change
        for info in record["postal_info"] or [{"type": "int"}]
        if (change := _postal_change(info, changes)) is not None
    )
    phone = changes.get(Field.PHONE)
    voice = _epp_phone(phone) if phone is not None else None
    voice = voice if voice != record["voice"] else None
    email = changes.get(Field.EMAIL)
    if email is not None and email.lower() == (record["email"] or "").lower():
        email = None
    if not (postal or voice or email):
        return None
    return wire.contact_update(record["id"], postal=postal, voice=voice, email=email)


def _postal_change(info: dict[str, Any], changes: Changes) -> PostalChange | None:
    # The "int" form holds 7-bit ASCII only (RFC 5733 §2.3); the "loc" form any UTF-8.
    form = info.get("type") or "int"
    spell: Callable[[str], str] = _ascii if form == "int" else (lambda value: value)

    def corrected(key: Field, current: str | None) -> str | None:
        value = changes.get(key)
        return current if value is None else spell(value)

    name = corrected(Field.NAME, info.get("name"))
    org = corrected(Field.COMPANY, info.get("org"))
    addr: Address | None = None
    if any(changes.get(f) is not None for f in _ADDRESS_FIELDS):
        street = changes.get(Field.STREET)
        addr = Address(
            street=(spell(street),) if street is not None else tuple(info.get("street") or ()),
            city=corrected(Field.CITY, info.get("city")) or "",
            state=info.get("state"),
            postcode=corrected(Field.POSTCODE, info.get("postcode")),
            country=changes.get(Field.COUNTRY) or info.get("country") or "",
        )
        current = (
            tuple(info.get("street") or ()), info.get("city"), info.get("state"),
            info.get("postcode"), info.get("country"),
        )  # fmt: skip
        if (addr.street, addr.city, addr.state, addr.postcode, addr.country) == current:
            addr = None
    change = PostalChange(
        type=form,
        name=name if name != info.get("name") else None,
        org=org if org != info.get("org") else None,
        addr=addr,
    )
    return change if (change.name, change.org, change.addr) != (None, None, None) else None


def _withholding(record: dict[str, Any]) -> ET.Element | None:
    """`disclose flag="0"` for every published element; None if all are withheld already."""
    if {"name", "org", "addr", "voice", "fax", "email"} <= set(record["not_published"]):
        return None
    forms = tuple(dict.fromkeys(p.get("type") or "int" for p in record["postal_info"]))
    return wire.contact_update(record["id"], withhold=forms or ("int",))


def _outcome(
    connector: str,
    lead: tuple[str, str],
    notes: list[str],
    progress: _Progress,
    elsewhere: int,
    now: datetime,
    contacts: int,
) -> Outcome:
    """DONE, or PENDING on the poll queue; `lead` says it as (done, asked) for each case."""
    # Counted from the refs, not from what this attempt sent, so a retry reads the same.
    if progress.missing == contacts:
        return Outcome(connector, OutcomeStatus.NOT_FOUND, "The registry no longer holds the "
                       "subject's contacts.", at=now)  # fmt: skip
    tail = [*notes, _elsewhere(elsewhere)] if elsewhere else notes
    if not progress.pending:
        return Outcome(connector, OutcomeStatus.DONE, " ".join([lead[0], *tail]), at=now)
    review = (
        f"The registry reviews the change of {len(progress.pending)} contact(s) and confirms "
        "it through its poll queue."
    )
    return pending_outcome(connector, " ".join([lead[1], review, *tail]), progress.pending, now)


def _refused(connector: str, elsewhere: int, now: datetime, verb: str) -> Outcome:
    if not elsewhere:
        return Outcome(connector, OutcomeStatus.NOT_FOUND, "The registry holds no contact of "
                       "the subject through our account.", at=now)  # fmt: skip
    detail = f"We could not {verb} anything at the registry. {_elsewhere(elsewhere)}"
    return Outcome(connector, OutcomeStatus.REFUSED, detail, at=now)


def _elsewhere(count: int) -> str:
    return (
        f"{count} contact(s) of the subject are sponsored by another registrar, which alone "
        "can change them; the subject must ask that registrar."
    )


def _prohibited(contact_id: str, statuses: list[str]) -> ObjectStatusProhibits:
    return ObjectStatusProhibits(
        f"The registry forbids updating contact {contact_id} ({', '.join(statuses)}); lift the "
        "update prohibition at the registry, or let a pending deletion finish, and retry."
    )


def _epp_phone(phone: str) -> str:
    """A phone number as EPP writes it: `+<country code>.<number>` (RFC 5733 §2.5).

    `parse_changes` already demands that form; spaces an agent typed are dropped.
    """
    return "".join(phone.split())


def _ascii(value: str) -> str:
    """The value in ASCII letters: accents dropped, a few letters spelled out."""
    decomposed = unicodedata.normalize("NFKD", value.translate(_ASCII_SPELLINGS))
    return decomposed.encode("ascii", "ignore").decode("ascii")


_FIELD_WORDS = {
    Field.NAME: "name", Field.EMAIL: "email address", Field.PHONE: "phone number",
    Field.STREET: "street", Field.POSTCODE: "postcode", Field.CITY: "city",
    Field.COUNTRY: "country", Field.COMPANY: "organisation",
}  # fmt: skip


def _listed(words: Iterable[str]) -> str:
    items = list(words)
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)
