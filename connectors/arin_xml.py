"""ARIN Reg-RWS on the wire: the HTTP client, its error mapping and the XML payloads.

Payloads are parsed with the standard library's expat, which fetches no external entities
and (expat >= 2.4.1) refuses entity-expansion bombs; defusedxml is not installed, and the
only XML read here comes from the configured ARIN endpoint over HTTPS.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from connectors.errors import AuthenticationFailed, ConnectorError, RateLimited, SystemUnavailable
from connectors.http import retry_after_seconds

NS = "http://www.arin.net/regrws/core/v1"
# Payloads we send read `<poc xmlns="...">`, as ARIN writes them.
ET.register_namespace("", NS)
_DEFAULT_RETRY_AFTER = 60.0
_AUTH_REFUSED = "ARIN refused the API key; check DSR_ARIN_API_KEY."


class NotRemoveable(ConnectorError):
    """ARIN answered E_NOT_REMOVEABLE: the object is still linked, or an Org needs it."""


@dataclass(frozen=True)
class Association:
    """One link of a POC in an associations report."""

    kind: str  # "org" | "net"
    handle: str
    function: str  # AD | T | AB | N
    description: str


@dataclass(frozen=True)
class TicketState:
    """An associations-report ticket; the report is there once ARIN has processed it."""

    number: str
    status: str
    resolution: str
    poc_handle: str
    associations: tuple[Association, ...] = ()

    @property
    def pending(self) -> bool:
        return self.status not in ("RESOLVED", "CLOSED")

    @property
    def processed(self) -> bool:
        return self.resolution == "PROCESSED" and bool(self.poc_handle)


class RegRwsClient:
    """Calls Reg-RWS with the API key and maps its refusals onto connector errors."""

    def __init__(
        self, base_url: str, api_key: str, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"Authorization": f"ApiKey {api_key}", "Accept": "application/xml"},
            timeout=httpx.Timeout(20.0, connect=5.0),
            transport=transport,
        )

    async def get(self, path: str, what: str) -> ET.Element | None:
        """The payload at `path`; None when ARIN answers E_OBJECT_NOT_FOUND."""
        return await self.send("GET", path, what)

    async def send(
        self,
        method: str,
        path: str,
        what: str,
        params: dict[str, str] | None = None,
        payload: ET.Element | None = None,
    ) -> ET.Element | None:
        # `what` names the call in errors; ARIN's own message text is never passed on.
        content = ET.tostring(payload, encoding="utf-8") if payload is not None else None
        headers = {"Content-Type": "application/xml"} if content is not None else None
        try:
            response = await self._client.request(
                method, path, params=params, content=content, headers=headers
            )
        except httpx.TransportError as error:
            raise SystemUnavailable(
                f"ARIN at {self.base_url} did not answer the {what} "
                f"({type(error).__name__}); it will be retried."
            ) from None
        if response.status_code == 404:
            return None
        _raise_for_status(response, what)
        return _parse(response.content, what)

    async def aclose(self) -> None:
        await self._client.aclose()


def path(*segments: str) -> str:
    """A Reg-RWS path with each handle escaped, so no handle can reach another resource."""
    return "/rest/" + "/".join(quote(s, safe="") for s in segments)


def _raise_for_status(response: httpx.Response, what: str) -> None:
    status = response.status_code
    if response.is_success:
        return
    if status in (401, 403):
        raise AuthenticationFailed(_AUTH_REFUSED)
    if status == 429:
        raise RateLimited(
            f"ARIN rate-limited the {what}; retrying later.",
            _retry_after(response.headers.get("retry-after")),
        )
    if status >= 500:
        raise SystemUnavailable(f"ARIN failed the {what} with HTTP {status}; it will be retried.")
    code = _error_code(response.content)
    if code == "E_NOT_REMOVEABLE":
        raise NotRemoveable(f"ARIN refused the {what} with E_NOT_REMOVEABLE.")
    raise ConnectorError(f"ARIN refused the {what} with HTTP {status} ({code or 'no code'}).")


def _parse(body: bytes, what: str) -> ET.Element:
    try:
        return ET.fromstring(body)
    except ET.ParseError:
        raise ConnectorError(f"ARIN answered the {what} with malformed XML.") from None


def _error_code(body: bytes) -> str:
    try:
        return ET.fromstring(body).findtext(_q("code")) or ""
    except ET.ParseError:
        return ""


def _q(*tags: str) -> str:
    """An ElementPath in the Reg-RWS namespace: _q("emails", "email")."""
    return "/".join(f"{{{NS}}}{tag}" for tag in tags)


def _texts(element: ET.Element, *tags: str) -> list[str]:
    return [e.text or "" for e in element.findall(_q(*tags))]


def poc_record(poc: ET.Element) -> dict[str, Any]:
    """The subject's POC as a record for the export: every field ARIN shows."""
    text = {tag: poc.findtext(_q(tag)) for tag in _POC_TEXT}
    return {
        "handle": text["handle"],
        "contact_type": text["contactType"],
        "first_name": text["firstName"],
        "middle_name": text["middleName"],
        "last_name": text["lastName"],
        "company_name": text["companyName"],
        "street_address": _texts(poc, "streetAddress", "line"),
        "city": text["city"],
        "state_province": text["iso3166-2"],
        "postal_code": text["postalCode"],
        "country": poc.findtext(_q("iso3166-1", "code2")),
        "emails": _texts(poc, "emails", "email"),
        "phones": [
            {"type": p.findtext(_q("type", "description")), "number": p.findtext(_q("number"))}
            for p in poc.findall(_q("phones", "phone"))
        ],
        "registration_date": text["registrationDate"],
    }


_POC_TEXT = (
    "handle", "contactType", "firstName", "middleName", "lastName", "companyName", "city",
    "iso3166-2", "postalCode", "registrationDate",
)  # fmt: skip


def poc_links(payload: ET.Element) -> list[tuple[str, str]]:
    """(function, POC handle) of every `<pocLinkRef>` of an Org or Net payload."""
    return [
        (ref.get("function", ""), ref.get("handle", ""))
        for ref in payload.findall(_q("pocLinks", "pocLinkRef"))
    ]


def ticket_state(payload: ET.Element) -> TicketState:
    """A `<ticket>`, or the ticket inside a `<ticketedRequest>`."""
    ticket = payload if payload.tag == _q("ticket") else payload.find(_q("ticket"))
    if ticket is None:
        raise ConnectorError("ARIN answered the report request without a ticket.")
    report = ticket.find(_q("associationsReport"))
    associations = tuple(
        Association(
            a.get("resourceType", ""),
            a.get("resourceHandle", ""),
            a.get("function", ""),
            a.get("description", ""),
        )
        for a in (report if report is not None else ())
    )
    return TicketState(
        number=ticket.findtext(_q("ticketNo")) or "",
        status=ticket.findtext(_q("webTicketStatus")) or "",
        resolution=ticket.findtext(_q("webTicketResolution")) or "",
        poc_handle=report.get("pocHandle", "") if report is not None else "",
        associations=associations,
    )


def _retry_after(header: str | None) -> float:
    return retry_after_seconds(header, _DEFAULT_RETRY_AFTER)
