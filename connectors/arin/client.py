"""ARIN Reg-RWS over HTTP: the client with the API key, and ARIN's refusals as connector errors.

Payloads are parsed with the standard library's expat, which fetches no external entities
and (expat >= 2.4.1) refuses entity-expansion bombs; defusedxml is not installed, and the
only XML read here comes from the configured ARIN endpoint over HTTPS.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import quote

import httpx

from connectors.arin.wire import error_code
from connectors.errors import (
    AuthenticationFailed,
    ConnectorError,
    RateLimited,
    SystemUnavailable,
    refused,
)
from connectors.http import retry_after_seconds

_DEFAULT_RETRY_AFTER = 60.0
_AUTH_REFUSED = "ARIN refused the API key; check DSR_ARIN_API_KEY."


class NotRemoveable(ConnectorError):
    """ARIN answered E_NOT_REMOVEABLE: the object is still linked, or an Org needs it."""


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
    code = error_code(response.content)
    if code == "E_NOT_REMOVEABLE":
        raise NotRemoveable(f"ARIN refused the {what} with E_NOT_REMOVEABLE.")
    raise refused(f"ARIN refused the {what} with HTTP {status} ({code or 'no code'}).", status)


def _parse(body: bytes, what: str) -> ET.Element:
    try:
        return ET.fromstring(body)
    except ET.ParseError:
        raise ConnectorError(f"ARIN answered the {what} with malformed XML.") from None


def _retry_after(header: str | None) -> float:
    return retry_after_seconds(header, _DEFAULT_RETRY_AFTER)
