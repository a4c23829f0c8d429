"""CertCentral's Services API v2 as the connector speaks it: the key header, paging, errors.

Errors name the call and the vendor's error code, never its message: messages may quote what
was submitted. 429 `request_limit_exceeded` becomes RateLimited with the Retry-After delay.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from connectors.errors import AuthenticationFailed, RateLimited, SystemUnavailable, refused
from connectors.http import retry_after_seconds

_PAGE = 100
_DEFAULT_RETRY_AFTER = 30.0
_AUTH_REFUSED = (
    "CertCentral refused the API key; check DSR_CERTCENTRAL_API_KEY and the role of its user."
)


class CertCentralApi:
    """One HTTP client with the `X-DC-DEVKEY` header; the calls the connector makes."""

    def __init__(
        self, base_url: str, api_key: str, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(
            base_url=f"{self._base_url}/services/v2/",
            headers={"X-DC-DEVKEY": api_key, "Accept": "application/json"},
            timeout=httpx.Timeout(10.0, connect=5.0),
            transport=transport,
        )

    async def order_infos(self, order_ids: Iterable[str]) -> list[dict[str, Any]]:
        """Order info of each order the CA still has."""
        return [
            found
            for order_id in order_ids
            if (found := await self.get(f"order/certificate/{order_id}", "order lookup"))
        ]

    async def orders_of(self, organization_id: str) -> list[dict[str, Any]]:
        """Every order of the organisation, as List orders shows them (no contacts)."""
        orders: list[dict[str, Any]] = []
        while True:
            params = {
                "filters[organization_id]": organization_id,
                "offset": len(orders),
                "limit": _PAGE,
            }
            response = await self.send("GET", "order/certificate", "order list", params=params)
            body = response.json()
            orders += body["orders"]
            if not body["orders"] or len(orders) >= body["page"]["total"]:
                return orders

    async def get(self, path: str, what: str) -> dict[str, Any] | None:
        """GET a resource; None when CertCentral answers 404."""
        response = await self.send("GET", path, what)
        return None if response.status_code == 404 else dict(response.json())

    async def send(
        self, method: str, path: str, what: str, *, allow: tuple[int, ...] = (), **kwargs: Any
    ) -> httpx.Response:
        """One call; 404 and the `allow`ed statuses are the caller's to read, others raise."""
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.TransportError as error:
            raise SystemUnavailable(
                f"CertCentral at {self._base_url} did not answer the {what} "
                f"({type(error).__name__}); check that it runs."
            ) from None
        if not (response.is_success or response.status_code in (404, *allow)):
            raise_refusal(response, what)
        return response

    async def aclose(self) -> None:
        await self._client.aclose()


def raise_refusal(response: httpx.Response, what: str) -> None:
    """Map CertCentral's error answers onto connector errors."""
    status = response.status_code
    if status in (401, 403):
        raise AuthenticationFailed(_AUTH_REFUSED)
    if status == 429:
        raise RateLimited(
            f"CertCentral rate-limited the {what}; retrying later.",
            retry_after_seconds(response.headers.get("retry-after"), _DEFAULT_RETRY_AFTER),
        )
    if status >= 500:
        raise SystemUnavailable(
            f"CertCentral failed the {what} with HTTP {status}; retrying later."
        )
    # The error code, not the message: messages may quote what was submitted.
    raise refused(f"CertCentral refused the {what}: HTTP {status} {error_code(response)}.", status)


def error_code(response: httpx.Response) -> str:
    try:
        return str(response.json()["errors"][0]["code"])
    except (ValueError, KeyError, IndexError, TypeError):
        return "(no error code)"
