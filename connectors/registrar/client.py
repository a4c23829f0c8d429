"""The registrar's REST API as the connector speaks it: bearer login, envelope, paging, errors.

`POST /auth/login` gives a bearer token, cached and renewed once when a call answers 401; every
answer is the `{"code", "desc", "data"}` envelope, and a non-zero code is a refusal. Errors name
the call, never its path or parameters: those may hold personal data.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from connectors.errors import AuthenticationFailed, ConnectorError, RateLimited, SystemUnavailable
from connectors.http import retry_after_seconds

_AUTH_FAILED = 196  # the vendor's "Authentication/Authorization Failed"
_PAGE = 100
_DEFAULT_RETRY_AFTER = 30.0
_AUTH_REFUSED = (
    "The registrar refused the login; check DSR_REGISTRAR_USERNAME and DSR_REGISTRAR_PASSWORD."
)


class RegistrarRefused(ConnectorError):
    """The registrar answered with a non-zero envelope code."""

    # A 4xx refusal (5xx and 429 are retried as unavailable or rate limited): the registrar
    # answers the same until someone changes the handle or domain.
    final = True

    def __init__(self, message: str, code: int, desc: str) -> None:
        super().__init__(message)
        self.code, self.desc = code, desc

    @property
    def handle_in_use(self) -> bool:
        return "in use" in self.desc.lower()


class RegistrarApi:
    """One HTTP client and the cached token; the calls the connector makes."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._credentials = {"username": username, "password": password}
        self._token: str | None = None
        self._login_lock = asyncio.Lock()
        self._client = httpx.AsyncClient(
            base_url=self._base_url, timeout=httpx.Timeout(10.0, connect=5.0), transport=transport
        )

    async def customer(self, handle: str) -> dict[str, Any] | None:
        """The handle's record; None when the registrar has no such handle."""
        return await self.call("GET", f"/customers/{handle}", "customer lookup", gone=True)

    async def handles_by_email(self, email: str) -> list[str]:
        # The vendor's pattern treats `*` as a wildcard, so only exact matches are kept.
        found = await self.all("/customers", "customer search", {"email_pattern": email})
        return [c["handle"] for c in found if str(c.get("email", "")).lower() == email]

    async def domains_of(self, handle: str) -> list[dict[str, Any]]:
        """Domains where the handle holds any role (the vendor's `contact_handle` filter)."""
        return await self.all("/domains", "domain search", {"contact_handle": handle})

    async def all(self, path: str, what: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Every page of a listing."""
        results: list[dict[str, Any]] = []
        while True:
            page = {**params, "limit": _PAGE, "offset": len(results)}
            data = await self.call("GET", path, what, params=page) or {}
            batch = data.get("results") or []
            results += batch
            if not batch or len(results) >= int(data.get("total", 0)):
                return results

    async def call(
        self, method: str, path: str, what: str, *, gone: bool = False, **content: Any
    ) -> dict[str, Any] | None:
        """One API call with the cached token, logging in again once if it has expired.

        `what` names the call in errors: paths and parameters may hold personal data.
        With `gone`, a 404 answers None (already deleted, or never there).
        """
        request = self._client.build_request(method, f"/v1beta{path}", **content)
        token = await self._login()
        response = await self._send(request, what, token)
        if response.status_code == 401:
            await self._forget(token)
            response = await self._send(request, what, await self._login())
        if gone and response.status_code == 404:
            return None
        return _data(response, what)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _login(self) -> str:
        async with self._login_lock:
            if self._token is None:
                if not all(self._credentials.values()):
                    raise AuthenticationFailed(_AUTH_REFUSED)
                login = self._client.build_request(
                    "POST", "/v1beta/auth/login", json=self._credentials
                )
                data = _data(await self._send(login, "login", None), "login") or {}
                self._token = str(data["token"])
            return self._token

    async def _forget(self, token: str) -> None:
        async with self._login_lock:
            # Another call may have logged in again already; keep its token.
            if self._token == token:
                self._token = None

    async def _send(self, request: httpx.Request, what: str, token: str | None) -> httpx.Response:
        if token:
            request.headers["Authorization"] = f"Bearer {token}"
        try:
            return await self._client.send(request)
        except httpx.TransportError as error:
            raise SystemUnavailable(
                f"The registrar at {self._base_url} did not answer the {what} "
                f"({type(error).__name__}); retrying later."
            ) from None


def _data(response: httpx.Response, what: str) -> dict[str, Any] | None:
    """The envelope's `data`, or the connector error its status and code mean."""
    status = response.status_code
    if status == 429:
        raise RateLimited(
            f"The registrar rate-limited the {what}; retrying later.",
            retry_after_seconds(response.headers.get("retry-after"), _DEFAULT_RETRY_AFTER),
        )
    if status >= 500:
        raise SystemUnavailable(f"The registrar failed the {what} with HTTP {status}; retrying.")
    try:
        body = response.json()
    except ValueError:
        raise SystemUnavailable(
            f"The registrar answered the {what} with HTTP {status} but no JSON; retrying."
        ) from None
    code = int(body.get("code", -1)) if isinstance(body, dict) else -1
    if status == 401 or code == _AUTH_FAILED:
        raise AuthenticationFailed(_AUTH_REFUSED)
    if code != 0 or not response.is_success:
        desc = str(body.get("desc", "")) if isinstance(body, dict) else ""
        raise RegistrarRefused(
            f"The registrar refused the {what} (code {code}, HTTP {status}).", code, desc
        )
    data: dict[str, Any] | None = body.get("data")
    return data
