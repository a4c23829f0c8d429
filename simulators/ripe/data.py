"""The RIPE Database simulator's state and rules: an in-memory RPSL store, whois's error texts,
searches, the daily query limit and the API keys that open the company's maintainer."""

from __future__ import annotations

import hmac
import ipaddress
import math
from base64 import b64decode
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

PRIMARY_KEYS = {
    "person": "nic-hdl",
    "role": "nic-hdl",
    "mntner": "mntner",
    "organisation": "organisation",
    "inetnum": "inetnum",
    "inet6num": "inet6num",
    "aut-num": "aut-num",
    "domain": "domain",
}
# Which object types a reference attribute may point to.
REFERENCES = {
    "admin-c": ("person", "role"),
    "tech-c": ("person", "role"),
    "zone-c": ("person", "role"),
    "abuse-c": ("role",),
    "org": ("organisation",),
    "mnt-by": ("mntner",),
    "mnt-ref": ("mntner",),
}
PERSONAL_TYPES = ("person", "role")
# Resources must keep a contact of each kind: whois refuses an update without them.
MANDATORY = {t: ("admin-c", "tech-c") for t in ("inetnum", "inet6num", "aut-num")}
# Attributes whois hides from queries unless the query asks for unfiltered output.
FILTERED = frozenset({"e-mail", "notify", "upd-to", "mnt-nfy", "ref-nfy", "irt-nfy", "auth"})
# Attributes the database sets itself; whatever an update submits for them is ignored.
GENERATED = ("created", "last-modified")


@dataclass
class RpslObject:
    type: str
    attributes: list[tuple[str, str]]

    @property
    def key(self) -> str:
        return self.value(PRIMARY_KEYS[self.type])

    def value(self, name: str) -> str:
        return next(iter(self.values(name)), "")

    def values(self, name: str) -> list[str]:
        return [v for n, v in self.attributes if n == name]


def normalise_key(object_type: str, key: str) -> str:
    """The form a key is stored under: ranges as `a - b` (prefixes converted), handles upper."""
    key = " ".join(key.split())
    if object_type in ("inetnum", "inet6num"):
        if "/" in key:
            network = ipaddress.ip_network(key, strict=False)
            return f"{network[0]} - {network[-1]}"
        return key.replace(" - ", "-").replace("-", " - ")
    return key.upper()


def timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class RipeDatabase:
    """All objects of one source, keyed by type and normalised primary key."""

    source: str
    objects: dict[tuple[str, str], RpslObject] = field(default_factory=dict)
    # RIPE NCC keeps what was deleted: (when, reason, object).
    deleted: list[tuple[str, str, RpslObject]] = field(default_factory=list)

    def put(self, obj: RpslObject) -> None:
        self.objects[(obj.type, normalise_key(obj.type, obj.key))] = obj

    def get(self, object_type: str, key: str) -> RpslObject | None:
        try:
            return self.objects.get((object_type, normalise_key(object_type, key)))
        except ValueError:  # a malformed prefix names no object
            return None

    def remove(self, obj: RpslObject, when: str, reason: str) -> None:
        del self.objects[(obj.type, normalise_key(obj.type, obj.key))]
        self.deleted.append((when, reason, obj))

    def referenced_type(self, name: str, value: str) -> str | None:
        """The type of the object a reference attribute points to; None if it points nowhere."""
        return next((t for t in REFERENCES.get(name, ()) if self.get(t, value)), None)

    def referencing(self, target: RpslObject) -> list[RpslObject]:
        """Other objects holding a reference to `target`: these block its deletion."""
        names = [n for n, types in REFERENCES.items() if target.type in types]
        key = target.key.upper()
        return [
            obj
            for obj in self.objects.values()
            if obj is not target and any(v.upper() == key for n in names for v in obj.values(n))
        ]

    def lookup(self, query: str, types: Iterable[str]) -> list[RpslObject]:
        """Objects whose primary key, person/role name or e-mail equals the query."""
        wanted = set(types) or set(PRIMARY_KEYS)
        text = " ".join(query.split()).lower()
        found = [o for t in wanted if (o := self.get(t, query)) is not None]
        for obj in self._of_types(wanted):
            names = obj.values("person") + obj.values("role") + obj.values("e-mail")
            if obj not in found and any(n.lower() == text for n in names):
                found.append(obj)
        return found

    def inverse(
        self, query: str, attributes: Iterable[str], types: Iterable[str]
    ) -> list[RpslObject]:
        """Objects with one of `attributes` equal to the query (whois `-i`)."""
        names, key = set(attributes), query.strip().upper()
        return [
            obj
            for obj in self._of_types(set(types) or set(PRIMARY_KEYS))
            if any(n in names and v.upper() == key for n, v in obj.attributes)
        ]

    def _of_types(self, types: set[str]) -> Iterator[RpslObject]:
        return (obj for obj in self.objects.values() if obj.type in types)


# whois message templates; answers carry them with `args`, never pre-formatted.
NO_ENTRIES = "ERROR:101: no entries found\n\nNo entries found in source %s."
ACCESS_DENIED = (
    "ERROR:201: access denied for %s\n\n"
    "Queries from your IP address have passed the daily limit of controlled objects.\n"
    "Access from your host has been temporarily denied.\n"
    "For more information, see\n"
    "https://docs.db.ripe.net/FAQ/#why-did-i-receive-an-error-201-access-denied"
)
IN_USE = "Object [%s] %s is referenced from other objects"
AUTH_FAILED = 'Authorisation for [%s] %s failed\nusing "%s:"\nnot authenticated by: %s'
UNKNOWN_REFERENCE = "Unknown object referenced %s"
MISSING_MANDATORY = 'Mandatory attribute "%s" is missing'
NAME_CHANGED = (
    "Person/Role name cannot be changed automatically. Please create another Person/Role "
    "object and modify any references to the old object, then delete the old object"
)
URI_MISMATCH = (
    "Object type and key specified in URI (%s: %s) do not match the WhoisResources contents"
)
SINGLE_OBJECT = "Single object expected in WhoisResources (found %d)"
INVALID_SOURCE = "Invalid source '%s'"
INVALID_TYPE = "Invalid object type: %s"
INVALID_FLAG = "Invalid search flag '%s' (in parameter '%s')"
EMPTY_QUERY = "Query param 'query-string' cannot be empty"
DRY_RUN = "Dry-run performed, no changes to the database have been made"
IDENTICAL = "Submitted object identical to database object"
# Search flags the simulator knows, long name to whois's one-letter flag.
FLAGS = {"no-referenced": "r", "no-filtering": "B", "exact": "x"}


def message(
    severity: str, text: str, *args: str, attribute: tuple[str, str] | None = None
) -> dict[str, Any]:
    """One whois errormessage: the template and its arguments."""
    entry: dict[str, Any] = {"severity": severity}
    if attribute:
        entry["attribute"] = {"name": attribute[0], "value": attribute[1]}
    entry["text"] = text
    if args:
        entry["args"] = [{"value": a} for a in args]
    return entry


class WhoisError(Exception):
    """An answer other than 200, with its errormessages."""

    def __init__(
        self, status: int, *messages: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status)
        self.status, self.messages, self.headers = status, list(messages), headers or {}


@dataclass(frozen=True)
class Search:
    """A parsed `/search` request."""

    query: str
    flags: frozenset[str]
    types: tuple[str, ...]
    inverse: tuple[str, ...]


def parse_search(query: str, flags: list[str], types: list[str], inverse: list[str]) -> Search:
    """Validate the search parameters as whois does, with its error texts."""
    if not query.strip():
        raise WhoisError(400, message("Error", EMPTY_QUERY))
    letters: set[str] = set()
    for flag in flags:
        if flag in FLAGS:
            letters.add(FLAGS[flag])
            continue
        for letter in flag:
            if letter not in FLAGS.values():
                raise WhoisError(400, message("Error", INVALID_FLAG, letter, flag))
            letters.add(letter)
    for object_type in types:
        if object_type not in PRIMARY_KEYS:
            raise WhoisError(400, message("Error", INVALID_TYPE, object_type))
    return Search(query.strip(), frozenset(letters), tuple(types), tuple(inverse))


def run_search(db: RipeDatabase, search: Search) -> list[RpslObject]:
    """The objects found; without `no-referenced`, also the contacts they reference."""
    if search.inverse:
        found = db.inverse(search.query, search.inverse, search.types)
    else:
        found = db.lookup(search.query, search.types)
    if "r" not in search.flags:
        for obj in [o for o in found if o.type not in PERSONAL_TYPES]:
            for name in ("admin-c", "tech-c", "zone-c"):
                contacts_of = (db.get(t, v) for v in obj.values(name) for t in PERSONAL_TYPES)
                found += [c for c in contacts_of if c is not None and c not in found]
    return found


@dataclass(frozen=True)
class Company:
    """The hosting company as a RIPE member: its maintainer, role object and allocation."""

    role: str = "HST1-RIPE"
    maintainer: str = "HOSTCO-MNT"
    role_name: str = "Hosting Company Network Operations"
    email: str = "noc@hosting.example"
    allocation: str = "185.231.0.0/16"


class Clock:
    """UTC now, shifted so a test can stand just before midnight."""

    def __init__(self, start: datetime | None = None) -> None:
        self._offset = timedelta(0)
        if start is not None:
            self.set(start)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def set(self, moment: datetime) -> None:
        self._offset = moment - datetime.now(UTC)


@dataclass
class QueryLimit:
    """RIPE's daily limit of person and role objects returned per client IP."""

    daily_limit: int
    clock: Clock
    _used: dict[tuple[str, str], int] = field(default_factory=dict)

    def charge(self, client: str, personal_objects: int) -> None:
        now = self.clock.now()
        day = (client, now.date().isoformat())
        used = self._used.get(day, 0)
        if used >= self.daily_limit or used + personal_objects > self.daily_limit:
            self._used[day] = self.daily_limit
            midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
            wait = max(1, math.ceil((midnight - now).total_seconds()))
            raise WhoisError(
                429, message("Error", ACCESS_DENIED, client), headers={"Retry-After": str(wait)}
            )
        self._used[day] = used + personal_objects


@dataclass
class SimState:
    db: RipeDatabase
    company: Company
    api_keys: Mapping[str, str]
    limit: QueryLimit

    def authenticates(self, header: str | None, obj: RpslObject) -> bool:
        """Whether the request's API key opens one of the object's maintainers."""
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            key_id, _, secret = b64decode(token, validate=True).decode().partition(":")
        except ValueError:
            return False
        expected = self.api_keys.get(key_id)
        valid = expected is not None and hmac.compare_digest(expected.encode(), secret.encode())
        return valid and self.company.maintainer in obj.values("mnt-by")
