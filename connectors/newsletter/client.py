"""Mailman 3 core's REST API as the newsletter connector speaks it: calls, errors, refs.

Paths can hold an email address, so errors name the call (`what`), never the path.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from connectors.errors import (
    AuthenticationFailed,
    ConnectorError,
    RateLimited,
    SystemUnavailable,
    refused,
)
from connectors.http import retry_after_seconds
from domain.records import Located

MEMBER = "member:"
USER = "user:"
_DEFAULT_RETRY_AFTER = 30.0
# We operate the lists: an unsubscription we make (erasure, objection, a duplicate after a
# correction) is held neither for the subscriber to confirm nor for a moderator to approve,
# whatever the list's unsubscription policy says. Held, it would also leave a pending
# request naming the address behind.
_AS_OPERATOR = {"pre_confirmed": "true", "pre_approved": "true"}
_AUTH_REFUSED = (
    "Mailman refused the REST credentials; check DSR_MAILMAN_USER and DSR_MAILMAN_PASSWORD."
)


class MailmanRest:
    """An authenticated client of one Mailman core REST API (version 3.1)."""

    def __init__(
        self,
        base_url: str,
        user: str,
        password: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            auth=(user, password),
            timeout=httpx.Timeout(10.0, connect=5.0),
            transport=transport,
        )

    async def get(self, path: str, what: str) -> dict[str, Any] | None:
        """GET a resource; None when Mailman answers 404."""
        response = await self.send("GET", path, what)
        if response.status_code == 404:
            return None
        result: dict[str, Any] = response.json()
        return result

    async def entries(self, path: str, what: str) -> list[dict[str, Any]]:
        """The entries of a collection; an empty or missing collection has none."""
        collection = await self.get(path, what)
        entries: list[dict[str, Any]] = (collection or {}).get("entries", [])
        return entries

    async def exists(self, path: str, what: str) -> bool:
        return (await self.send("GET", path, what)).status_code != 404

    async def delete(
        self, path: str, what: str, params: dict[str, str] | None = None
    ) -> httpx.Response:
        """DELETE a resource; 404 means an earlier attempt deleted it already."""
        return await self.send("DELETE", path, what, params=params)

    async def post(self, path: str, what: str, data: dict[str, str]) -> httpx.Response:
        return await self.send("POST", path, what, data=data)

    async def patch(self, path: str, what: str, data: dict[str, str]) -> httpx.Response:
        """PATCH a resource; 404 (gone in the meantime) passes like on DELETE."""
        return await self.send("PATCH", path, what, data=data)

    async def send(
        self,
        method: str,
        path: str,
        what: str,
        *,
        data: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        try:
            response = await self._client.request(method, path, data=data, params=params)
        except httpx.TransportError as error:
            raise SystemUnavailable(
                f"Mailman at {self.base_url} did not answer the {what} "
                f"({type(error).__name__}); check that it runs."
            ) from None
        _raise_for_status(response, what)
        return response

    async def aclose(self) -> None:
        await self._client.aclose()

    async def unsubscribe(self, member_id: str) -> None:
        """End a membership at once; one that is gone already counts as ended."""
        response = await self.delete(f"members/{member_id}", "unsubscribe", params=_AS_OPERATOR)
        if response.status_code == 202:
            # Mailman answers 202 and a token when it holds the request; pre-confirmed and
            # pre-approved it should not, and the membership would still stand.
            raise ConnectorError("Mailman held an unsubscription for approval; retrying later.")

    async def user_addresses(self, user_id: str) -> list[dict[str, Any]]:
        return await self.entries(f"users/{user_id}/addresses", "user addresses")

    async def memberships(self, email: str) -> list[dict[str, Any]]:
        """Every membership (any list, any role) of one address."""
        return await self.entries(
            f"addresses/{quote_email(email)}/memberships", "membership lookup"
        )

    async def member_ids(self, user_id: str) -> list[str]:
        """Memberships of all the user's addresses: erasing the user ends every one of them."""
        found: list[str] = []
        for address in await self.user_addresses(user_id):
            found += [m["member_id"] for m in await self.memberships(address["email"])]
        return found


def _raise_for_status(response: httpx.Response, what: str) -> None:
    """Map Mailman's refusals onto connector errors; 2xx and 404 pass."""
    status = response.status_code
    if response.is_success or status == 404:
        return
    if status in (401, 403):
        raise AuthenticationFailed(_AUTH_REFUSED)
    if status == 429:
        raise RateLimited(
            f"Mailman rate-limited the {what}; retrying later.",
            retry_after_seconds(response.headers.get("retry-after"), _DEFAULT_RETRY_AFTER),
        )
    if status >= 500:
        raise SystemUnavailable(f"Mailman failed the {what} with HTTP {status}; retrying later.")
    # Not Mailman's reason text: it can quote the address it refused.
    raise refused(f"Mailman refused the {what} with HTTP {status}.", status)


def ids(located: Located, prefix: str) -> tuple[str, ...]:
    return tuple(r.removeprefix(prefix) for r in located.refs if r.startswith(prefix))


def quote_email(email: str) -> str:
    # Mailman takes the address in the path; `+` and other specials must be escaped.
    return quote(email, safe="@")


def last_segment(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]
