"""How the RIPE Database simulator answers, as whois-resources JSON or XML (JAXB's mapping), and
the object it reads from a PUT body."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree

from fastapi import Request
from fastapi.responses import Response

import simulators.ripe.data as rd
from simulators.ripe.data import (
    SINGLE_OBJECT,
    URI_MISMATCH,
    RipeDatabase,
    RpslObject,
    WhoisError,
    message,
    normalise_key,
)

TERMS = {"type": "locator", "href": "https://docs.db.ripe.net/terms-conditions.html"}
_XLINK_NS = "http://www.w3.org/1999/xlink"
_XLINK = f"{{{_XLINK_NS}}}"
ElementTree.register_namespace("xlink", _XLINK_NS)


def render(db: RipeDatabase, base: str, obj: RpslObject, *, filtered: bool) -> dict[str, Any]:
    """An object as whois-resources JSON; filtered output hides e-mail and similar attributes."""
    source = db.source
    attributes = []
    for name, value in obj.attributes:
        if filtered and name in rd.FILTERED:
            continue
        attribute: dict[str, Any] = {"name": name, "value": value}
        if (target := db.referenced_type(name, value)) is not None:
            attribute["link"] = _locator(base, source, target, value)
            attribute["referenced-type"] = target
        if filtered and name == "source":
            attribute["comment"] = "Filtered"
        attributes.append(attribute)
    return {
        "type": obj.type,
        "link": _locator(base, source, obj.type, obj.key),
        "source": {"id": source.lower()},
        "primary-key": {"attribute": [{"name": rd.PRIMARY_KEYS[obj.type], "value": obj.key}]},
        "attributes": {"attribute": attributes},
    }


def _locator(base: str, source: str, object_type: str, key: str) -> dict[str, str]:
    return {"type": "locator", "href": f"{base}/{source.lower()}/{object_type}/{key}"}


def respond(
    request: Request, status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> Response:
    """JSON when asked for (Accept or a `.json` path), XML otherwise, as RIPE answers."""
    body = {
        "link": {"type": "locator", "href": str(request.url)},
        **body,
        "terms-and-conditions": TERMS,
    }
    wants_json = "json" in request.headers.get("accept", "") or request.url.path.endswith(".json")
    if wants_json:
        return Response(json.dumps(body), status, headers, media_type="application/json")
    root = _xml("whois-resources", body)
    xml = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(xml, status, headers, media_type="application/xml")


def _xml(tag: str, value: Mapping[str, Any]) -> ElementTree.Element:
    """whois's JAXB mapping: scalars are XML attributes, dicts children, lists repeated children."""
    element = ElementTree.Element(tag)
    for key, item in value.items():
        if isinstance(item, Mapping):
            element.append(_xml(key, item))
        elif isinstance(item, list):
            element.extend(_xml(key, entry) for entry in item)
        else:
            link = tag in ("link", "terms-and-conditions")
            element.set(f"{_XLINK}{key}" if link else key, str(item))
    return element


def submitted_object(body: Any, object_type: str, key: str) -> RpslObject:
    """The one object of a PUT body; its type and key must be those of the URI."""
    try:
        objects = body["objects"]["object"]
        raw = objects[0] if isinstance(objects, list) and len(objects) == 1 else None
        if raw is None:
            found = len(objects) if isinstance(objects, list) else 0
            raise WhoisError(400, message("Error", SINGLE_OBJECT, str(found)))
        attributes = [(str(a["name"]), str(a["value"])) for a in raw["attributes"]["attribute"]]
        submitted = RpslObject(str(raw["type"]), attributes)
    except (KeyError, TypeError, IndexError):
        raise WhoisError(400, message("Error", SINGLE_OBJECT, "0")) from None
    if submitted.type != object_type or normalise_key(object_type, submitted.key) != (
        normalise_key(object_type, key)
    ):
        raise WhoisError(400, message("Error", URI_MISMATCH, object_type, key))
    return submitted
