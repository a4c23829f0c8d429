"""The newsletter: Mailman 3 core, operated in house, over its REST API
(docs/systems.md, "Newsletter (Mailman 3)").

Mailman finds people only by email, but emails must not travel in `Located`; so locate turns
them into Mailman's opaque user and member ids, and every other method works from those ids
(the rights of Art. 16, 18 and 21 in rights.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from connectors.base import Record, RecordSink
from connectors.newsletter.client import MEMBER, USER, MailmanRest, ids, last_segment, quote_email
from connectors.newsletter.datasets import DATASETS
from connectors.newsletter.rights import (
    CONNECTOR,
    object_to_newsletter,
    rectify_newsletter,
    restrict_newsletter,
)
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
from domain.rights import Changes, Purpose
from domain.subject import Hints, SubjectIdentifiers
from runtime.settings import Settings


class MailmanConnector:
    """Subscriptions and the Mailman user of the subject."""

    name = CONNECTOR
    phase = Phase.DEPENDENT
    recipient = Recipient(
        name="Newsletter (Mailman 3, operated in house)",
        role="newsletter processor",
        in_house=True,
    )
    # Both datasets: the subject gave the addresses and the name and subscribed by consent.
    datasets = DATASETS

    def __init__(
        self,
        base_url: str,
        user: str,
        password: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._rest = MailmanRest(base_url, user, password, transport=transport)

    @classmethod
    def create(cls, settings: Settings) -> MailmanConnector:
        return cls(settings.mailman_url, settings.mailman_user, settings.mailman_password)

    async def locate(self, subject: SubjectIdentifiers, hints: Hints) -> Located:
        """Find every address the subject gave or others found, and its user and memberships."""
        emails = dict.fromkeys(e.lower() for e in (subject.email, *hints.emails) if e)
        # Dicts as ordered sets: one user can own several of the addresses searched.
        users: dict[str, None] = {}
        for email in emails:
            address = await self._rest.get(f"addresses/{quote_email(email)}", "address lookup")
            # An address without a user (only ever seen as a poster) is left out: REST lists no
            # memberships for it, and without a user id no ref could name it but its email.
            if address is not None and "user" in address:
                users[last_segment(address["user"])] = None
        members: dict[str, None] = {}
        for user_id in users:
            members.update(dict.fromkeys(await self._rest.member_ids(user_id)))
        refs = (*(MEMBER + m for m in members), *(USER + u for u in users))
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
            for member_id in ids(located, MEMBER)
            if (member := await self._rest.get(f"members/{member_id}", "member")) is not None
        ]
        users = [
            await self._user_record(user, user_id)
            for user_id in ids(located, USER)
            if (user := await self._rest.get(f"users/{user_id}", "user")) is not None
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
        members = ids(located, MEMBER) if "subscriptions" in acting else ()
        users = ids(located, USER) if "newsletter_user" in acting else ()
        for member_id in members:
            await self._rest.unsubscribe(member_id)
        for user_id in users:
            await self._rest.delete(f"users/{user_id}", "user deletion")
        # Counted from the refs, not from what this attempt removed, so a retry reads the same.
        detail = f"{len(members)} subscription(s) ended"
        if users:
            detail += "; Mailman user deleted" if len(users) == 1 else "; Mailman users deleted"
        return Outcome(connector=self.name, status=OutcomeStatus.DONE, detail=detail)

    async def rectify(self, located: Located, changes: Changes) -> Outcome:
        """Correct the email (user, memberships, old address removed) and the display name."""
        return await rectify_newsletter(self._rest, located, changes)

    async def restrict(self, located: Located) -> Outcome:
        """Keep every subscription stored but disable its delivery, as if by the subject."""
        return await restrict_newsletter(self._rest, located)

    async def object_to(self, located: Located, purposes: tuple[Purpose, ...]) -> Outcome:
        """Direct marketing: unsubscribe and ban the addresses; Mailman does no profiling."""
        return await object_to_newsletter(self._rest, located, purposes)

    async def aclose(self) -> None:
        await self._rest.aclose()

    async def _user_record(self, user: dict[str, Any], user_id: str) -> Record:
        addresses = await self._rest.user_addresses(user_id)
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


def create(settings: Settings) -> MailmanConnector:
    """Factory named in policy.toml."""
    return MailmanConnector.create(settings)
