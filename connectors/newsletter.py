"""The newsletter: Mailman 3 core, operated in house, over its REST API (PROTOCOLS.md).

Mailman finds people only by email, but emails must not travel in `Located`; so locate turns
them into Mailman's opaque user and member ids, and export and erase work from those ids.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

import httpx

from connectors.base import Record, RecordSink
from connectors.errors import AuthenticationFailed, ConnectorError, RateLimited, SystemUnavailable
from connectors.http import retry_after_seconds
from domain.records import (
    ConnectorPlan,
    ExportSummary,
    Located,
    Outcome,
    OutcomeStatus,
    Phase,
    PlanAction,
    PlanItem,
    Recipient,
)
from domain.retention import RetentionPolicy
from domain.subject import Hints, SubjectIdentifiers
from runtime.settings import Settings

_MEMBER = "member:"
_USER = "user:"
_DEFAULT_RETRY_AFTER = 30.0
_AUTH_REFUSED = (
    "Mailman refused the REST credentials; check DSR_MAILMAN_USER and DSR_MAILMAN_PASSWORD."
)


class MailmanConnector:
    """Subscriptions and the Mailman user of the subject."""

    name = "newsletter"
    phase = Phase.DEPENDENT
    recipient = Recipient(
        name="Newsletter (Mailman 3, operated in house)", role="newsletter processor"
    )

    def __init__(
        self,
        base_url: str,
        user: str,
        password: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(
            base_url=self._base_url,
            auth=(user, password),
            timeout=httpx.Timeout(10.0, connect=5.0),
            transport=transport,
        )

    @classmethod
    def create(cls, settings: Settings) -> MailmanConnector:
        return cls(settings.mailman_url, settings.mailman_user, settings.mailman_password)

    async def locate(self, subject: SubjectIdentifiers, hints: Hints) -> Located:
        """Find every address the subject gave or others found, and its user and memberships."""
        emails = dict.fromkeys(e.lower() for e in (subject.email, *hints.emails) if e)
        # Dicts as ordered sets: one user can own several of the addresses searched.
        users: dict[str, None] = {}
        for email in emails:
            address = await self._get(f"addresses/{_quote(email)}", "address lookup")
            # An address without a user (only ever seen as a poster) is left out: REST lists no
            # memberships for it, and without a user id no ref could name it but its email.
            if address is not None and "user" in address:
                users[_last_segment(address["user"])] = None
        members: dict[str, None] = {}
        for user_id in users:
            members.update(dict.fromkeys(await self._member_ids(user_id)))
        refs = (*(_MEMBER + m for m in members), *(_USER + u for u in users))
        return Located(
            connector=self.name,
            found=bool(refs),
            refs=refs,
            record_counts={"subscriptions": len(members), "user": len(users)},
        )

    async def export(self, located: Located, sink: RecordSink) -> ExportSummary:
        """Write the datasets `subscriptions` and `newsletter_user`."""
        subscriptions = [
            _subscription_record(member)
            for member_id in _ids(located, _MEMBER)
            if (member := await self._get(f"members/{member_id}", "member")) is not None
        ]
        users = [
            await self._user_record(user, user_id)
            for user_id in _ids(located, _USER)
            if (user := await self._get(f"users/{user_id}", "user")) is not None
        ]
        return ExportSummary(
            connector=self.name,
            datasets=(
                await sink.write("subscriptions", subscriptions),
                await sink.write("newsletter_user", users),
            ),
        )

    async def plan_erasure(
        self, located: Located, policy: RetentionPolicy, today: date
    ) -> ConnectorPlan:
        """End every subscription and delete the user.

        Proof of consent (who subscribed, when, how) is a record of the administration
        system, which keeps it under its own retention rule; Mailman holds none of it.
        """
        if not located.found:
            return ConnectorPlan(connector=self.name)
        counts = located.record_counts
        return ConnectorPlan(
            connector=self.name,
            items=(
                PlanItem("subscriptions", PlanAction.ACT, counts.get("subscriptions", 0)),
                PlanItem("newsletter_user", PlanAction.ACT, counts.get("user", 0)),
            ),
        )

    async def erase(self, located: Located, plan: ConnectorPlan) -> Outcome:
        """Unsubscribe each member, then delete the user; what is gone already counts as done."""
        if not located.found:
            return Outcome(connector=self.name, status=OutcomeStatus.NOT_FOUND)
        acting = {i.category for i in plan.items if i.action is PlanAction.ACT}
        members = _ids(located, _MEMBER) if "subscriptions" in acting else ()
        users = _ids(located, _USER) if "newsletter_user" in acting else ()
        for member_id in members:
            await self._delete(f"members/{member_id}", "unsubscribe")
        for user_id in users:
            await self._delete(f"users/{user_id}", "user deletion")
        # Counted from the refs, not from what this attempt removed, so a retry reads the same.
        detail = f"{len(members)} subscription(s) ended"
        if users:
            detail += "; Mailman user deleted" if len(users) == 1 else "; Mailman users deleted"
        return Outcome(connector=self.name, status=OutcomeStatus.DONE, detail=detail)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _member_ids(self, user_id: str) -> list[str]:
        """Memberships of all the user's addresses: erasing the user ends every one of them."""
        ids: list[str] = []
        for address in await self._entries(f"users/{user_id}/addresses", "user addresses"):
            path = f"addresses/{_quote(address['email'])}/memberships"
            ids += [m["member_id"] for m in await self._entries(path, "membership lookup")]
        return ids

    async def _user_record(self, user: dict[str, Any], user_id: str) -> Record:
        addresses = await self._entries(f"users/{user_id}/addresses", "user addresses")
        return {
            "user_id": user_id,
            "display_name": user.get("display_name", ""),
            "created_on": user.get("created_on"),
            "addresses": [
                {
                    "email": a["email"],
                    "display_name": a.get("display_name", ""),
                    "registered_on": a.get("registered_on"),
                    "verified_on": a.get("verified_on"),
                }
                for a in addresses
            ],
        }

    async def _get(self, path: str, what: str) -> dict[str, Any] | None:
        """GET a resource; None when Mailman answers 404."""
        response = await self._send("GET", path, what)
        if response.status_code == 404:
            return None
        result: dict[str, Any] = response.json()
        return result

    async def _entries(self, path: str, what: str) -> list[dict[str, Any]]:
        """The entries of a collection; an empty or missing collection has none."""
        collection = await self._get(path, what)
        entries: list[dict[str, Any]] = (collection or {}).get("entries", [])
        return entries

    async def _delete(self, path: str, what: str) -> None:
        """DELETE a resource; 404 means an earlier attempt deleted it already."""
        await self._send("DELETE", path, what)

    async def _send(self, method: str, path: str, what: str) -> httpx.Response:
        # `what` names the call in errors: paths can hold an email address, so they never do.
        try:
            response = await self._client.request(method, path)
        except httpx.TransportError as error:
            raise SystemUnavailable(
                f"Mailman at {self._base_url} did not answer the {what} "
                f"({type(error).__name__}); check that it runs."
            ) from None
        _raise_for_status(response, what)
        return response


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
            _retry_after(response.headers.get("retry-after")),
        )
    if status >= 500:
        raise SystemUnavailable(f"Mailman failed the {what} with HTTP {status}; retrying later.")
    raise ConnectorError(f"Mailman refused the {what} with HTTP {status}.")


def _subscription_record(member: dict[str, Any]) -> Record:
    # Mailman's REST API does not expose when a membership began.
    return {
        "member_id": member["member_id"],
        "list_id": member["list_id"],
        "role": member["role"],
        "delivery_mode": member.get("delivery_mode"),
        "address": member.get("email"),
        "display_name": member.get("display_name", ""),
    }


def _ids(located: Located, prefix: str) -> tuple[str, ...]:
    return tuple(r.removeprefix(prefix) for r in located.refs if r.startswith(prefix))


def _quote(email: str) -> str:
    # Mailman takes the address in the path; `+` and other specials must be escaped.
    return quote(email, safe="@")


def _last_segment(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def create(settings: Settings) -> MailmanConnector:
    """Factory named in policy.toml."""
    return MailmanConnector.create(settings)


def _retry_after(header: str | None) -> float:
    return retry_after_seconds(header, _DEFAULT_RETRY_AFTER)
