"""What the RIPE Database checks when an object is modified, as whois's update validators do.

References must point at existing objects; resources keep an admin-c and a tech-c; a person
or role keeps its name (whois's TypeAttributeModifyNotAllowedValidator compares the clean
value, so only a change of case or spacing passes); a person keeps its mandatory attributes,
and its phone and e-mail follow whois's syntax. Values outside Latin-1 are substituted with
'?' and the answer warns about it. Authorisation by a maintainer in the current object's
`mnt-by` comes first (401); every other problem refuses with 400, all of them reported.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import simulators.ripe.data as rd
from simulators.ripe.data import RipeDatabase, RpslObject, WhoisError, message

SYNTAX_ERROR = "Syntax error in %s"
LATIN1_CONVERSION = "Value changed due to conversion into the ISO-8859-1 (Latin-1) character set"
# A person's mandatory attributes, from whois's object template.
PERSON_MANDATORY = ("person", "address", "phone", "nic-hdl", "mnt-by", "source")
# whois's PHONE_SYNTAX (at most 30 characters) and a plain form of its e-mail syntax (80).
_SYNTAX = {
    "phone": (
        re.compile(r"(?i)^[+][0-9. -]+(?:[(][0-9. -]+[)][0-9. -]+)?(?:ext[.][0-9. -]+)?$"),
        30,
    ),
    "fax-no": (
        re.compile(r"(?i)^[+][0-9. -]+(?:[(][0-9. -]+[)][0-9. -]+)?(?:ext[.][0-9. -]+)?$"),
        30,
    ),
    "e-mail": (re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), 80),
}
_REFERENCES = ("admin-c", "tech-c", "zone-c", "abuse-c", "org", "mnt-by")


def to_latin1(obj: RpslObject) -> tuple[RpslObject, list[dict[str, Any]]]:
    """The object as whois stores it (ISO-8859-1), and the warning if a value changed."""
    converted = [(n, v.encode("latin-1", "replace").decode("latin-1")) for n, v in obj.attributes]
    if converted == obj.attributes:
        return obj, []
    return RpslObject(obj.type, converted), [message("Warning", LATIN1_CONVERSION)]


def problems(db: RipeDatabase, current: RpslObject, submitted: RpslObject) -> list[dict[str, Any]]:
    """Everything whois would refuse in this modify; empty when it may go ahead."""
    found = [
        message("Error", rd.UNKNOWN_REFERENCE, value, attribute=(name, value))
        for name, value in submitted.attributes
        if name in _REFERENCES and db.referenced_type(name, value) is None
    ]
    mandatory = PERSON_MANDATORY if submitted.type == "person" else ()
    found += [
        message("Error", rd.MISSING_MANDATORY, name)
        for name in (*rd.MANDATORY.get(submitted.type, ()), *mandatory)
        if not submitted.values(name)
    ]
    found += [
        message("Error", SYNTAX_ERROR, value, attribute=(name, value))
        for name, value in submitted.attributes
        if name in _SYNTAX
        and (len(value) > _SYNTAX[name][1] or not _SYNTAX[name][0].match(_clean(value)))
    ]
    kind = current.type
    if kind in rd.PERSONAL_TYPES and not _same_name(submitted.value(kind), current.value(kind)):
        found.append(message("Error", rd.NAME_CHANGED))
    return found


def finish(
    current: RpslObject,
    found: list[dict[str, Any]],
    authorised: bool,
    *,
    dry_run: bool,
    warnings: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Refuse with 401 (authorisation) or 400 (anything else); returns the notes of a success."""
    notes = [*(warnings or []), *([message("Info", rd.DRY_RUN)] if dry_run else [])]
    if not authorised:
        maintainers = ", ".join(current.values("mnt-by"))
        failure = message("Error", rd.AUTH_FAILED, current.type, current.key, "mnt-by", maintainers)
        raise WhoisError(401, failure, *found, *notes)
    if found:
        raise WhoisError(400, *found, *notes)
    return notes


def with_generated(
    submitted: RpslObject, current: RpslObject, now: datetime
) -> list[tuple[str, str]]:
    """The submitted attributes with `created` kept and `last-modified` set by the database."""
    kept = [(n, v) for n, v in submitted.attributes if n not in rd.GENERATED]
    at = next((i for i, (n, _) in enumerate(kept) if n == "source"), len(kept))
    generated = [("created", current.value("created")), ("last-modified", rd.timestamp(now))]
    return kept[:at] + generated + kept[at:]


def same(submitted: RpslObject, current: RpslObject) -> bool:
    def strip(obj: RpslObject) -> list[tuple[str, str]]:
        return [(n, v) for n, v in obj.attributes if n not in rd.GENERATED]

    return strip(submitted) == strip(current)


def with_notes(body: dict[str, Any], notes: list[dict[str, Any]]) -> dict[str, Any]:
    return {**body, "errormessages": {"errormessage": notes}} if notes else body


def _clean(value: str) -> str:
    """An attribute's value without its `# comment`, spaces collapsed (whois's clean value)."""
    return " ".join(value.partition("#")[0].split())


def _same_name(submitted: str, current: str) -> bool:
    return _clean(submitted).lower() == _clean(current).lower()
