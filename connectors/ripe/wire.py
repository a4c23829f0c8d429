"""RIPE Database objects as the REST API returns them (`whois-resources` JSON), and the edits
the connector makes to them: contacts moved to the company role, records for the export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Attributes through which an object names a person as its contact.
CONTACTS = ("admin-c", "tech-c", "zone-c")
# Set by the database itself; an update leaves them out.
GENERATED = ("created", "last-modified")
# whois message templates the connector branches on (texts come with `args`, unformatted).
IN_USE = "Object [%s] %s is referenced from other objects"
NAME_CHANGED = (
    "Person/Role name cannot be changed automatically. Please create another Person/Role "
    "object and modify any references to the old object, then delete the old object"
)
ACCESS_DENIED = "ERROR:201"


@dataclass(frozen=True)
class RipeObject:
    type: str
    key: str
    attributes: tuple[tuple[str, str], ...]

    @property
    def ref(self) -> str:
        """The opaque reference in `Located.refs`: type and primary key, e.g. `person:JD1-RIPE`."""
        return f"{self.type}:{self.key}"

    def values(self, name: str) -> list[str]:
        return [v for n, v in self.attributes if n == name]


@dataclass(frozen=True)
class WhoisMessage:
    severity: str
    text: str
    args: tuple[str, ...]


def parse_objects(body: Any) -> list[RipeObject]:
    """The objects of a `whois-resources` answer."""
    found = []
    for raw in _dig(body, "objects", "object"):
        key = "".join(str(a["value"]) for a in _dig(raw, "primary-key", "attribute"))
        attributes = tuple(_attribute(a) for a in _dig(raw, "attributes", "attribute"))
        found.append(RipeObject(str(raw["type"]), key, attributes))
    return found


def _attribute(raw: dict[str, Any]) -> tuple[str, str]:
    # JSON splits `value # comment`; an update must send the comment back or it is lost.
    value, comment = str(raw["value"]), raw.get("comment")
    if comment and not (raw["name"] == "source" and comment == "Filtered"):
        value = f"{value} # {comment}"
    return str(raw["name"]), value


def parse_messages(body: Any) -> list[WhoisMessage]:
    """The errormessages of an answer (errors, warnings and infos alike)."""
    return [
        WhoisMessage(
            str(m.get("severity", "")),
            str(m.get("text", "")),
            tuple(str(a.get("value", "")) for a in m.get("args", [])),
        )
        for m in _dig(body, "errormessages", "errormessage")
    ]


def _dig(body: Any, outer: str, inner: str) -> list[dict[str, Any]]:
    section = body.get(outer) if isinstance(body, dict) else None
    entries = section.get(inner) if isinstance(section, dict) else None
    return entries if isinstance(entries, list) else []


def with_contacts_moved(obj: RipeObject, handle: str, role: str) -> tuple[tuple[str, str], ...]:
    """The attributes with `handle` replaced by `role` as contact; other contacts stay.

    Where the role is already a contact of the same kind, the person's line goes instead of
    becoming a duplicate. Generated attributes are left out: the database sets them.
    """
    person, company = handle.upper(), role.upper()
    present = {(n, v.upper()) for n, v in obj.attributes if v.upper() != person}
    moved: list[tuple[str, str]] = []
    for name, value in obj.attributes:
        if name in GENERATED:
            continue
        if name in CONTACTS and value.upper() == person:
            if (name, company) in present:
                continue
            present.add((name, company))
            value = role
        moved.append((name, value))
    return tuple(moved)


def names_contact(obj: RipeObject, handle: str) -> bool:
    return any(v.upper() == handle.upper() for name in CONTACTS for v in obj.values(name))


def update_body(obj: RipeObject, attributes: tuple[tuple[str, str], ...], source: str) -> Any:
    """The `whois-resources` document a PUT replaces the object with."""
    return {
        "objects": {
            "object": [
                {
                    "type": obj.type,
                    "source": {"id": source.lower()},
                    "attributes": {"attribute": [{"name": n, "value": v} for n, v in attributes]},
                }
            ]
        }
    }


def person_record(obj: RipeObject) -> dict[str, Any]:
    """Every attribute of a person object; repeated attributes (address lines) as lists."""
    grouped: dict[str, list[str]] = {}
    for name, value in obj.attributes:
        grouped.setdefault(name, []).append(value)
    fields = {name: values[0] if len(values) == 1 else values for name, values in grouped.items()}
    return {"object_type": obj.type, "nic-hdl": obj.key, **fields}


def reference_records(handle: str, obj: RipeObject) -> list[dict[str, Any]]:
    """One record per attribute through which `obj` names the person as contact."""
    return [
        {"person": handle, "object_type": obj.type, "object_key": obj.key, "attribute": name}
        for name in CONTACTS
        for value in obj.values(name)
        if value.upper() == handle.upper()
    ]
