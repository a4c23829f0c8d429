"""The registry behind the ARIN simulator: POCs, Orgs, Nets, their POC links and tickets.

Rules kept here, as Reg-RWS enforces them: a POC linked to any Org or Net cannot be deleted
(E_NOT_REMOVEABLE); an Org keeps exactly one Admin POC, which can only be replaced, and at
least one Tech POC. What a POC update may change is checked where its payload is read (wire).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

FUNCTIONS = {"AD": "Admin", "T": "Tech", "AB": "Abuse", "N": "NOC"}
# ARIN puts no Admin POC on a Net: it inherits the Org's.
NET_FUNCTIONS = ("T", "AB", "N")
COMPANY_ORG = "HOSTI"
COMPANY_NET = "NET-104-207-0-0-1"


class RegRwsError(Exception):
    """A refusal Reg-RWS answers with an `<error>` payload; `components` name the fields."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        retry_after: int | None = None,
        components: tuple[tuple[str, str], ...] = (),
    ):
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after
        self.components = components


def not_found(kind: str, handle: str) -> RegRwsError:
    return RegRwsError(404, "E_OBJECT_NOT_FOUND", f"The {kind} {handle} does not exist.")


@dataclass
class Poc:
    handle: str
    first_name: str
    last_name: str
    company_name: str | None
    street: list[str]
    city: str
    country: str
    postal_code: str
    emails: list[str]
    phones: list[str]
    contact_type: str = "PERSON"


@dataclass
class Linked:
    """An Org or a Net: something POCs are linked to, as (function, POC handle) pairs."""

    kind: str  # "org" | "net"
    handle: str
    name: str
    links: list[tuple[str, str]] = field(default_factory=list)
    # Org: its postal address; Net: its prefix, owning Org and parent Net.
    street: list[str] = field(default_factory=list)
    city: str = ""
    country: str = ""
    postal_code: str = ""
    prefix: str = ""
    org_handle: str = ""
    parent_net: str = ""


@dataclass
class Ticket:
    number: str
    poc_handle: str
    created: datetime
    due: float  # time.monotonic() at which ARIN will have processed it
    resolved: datetime | None = None
    report: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, handle, function)


@dataclass
class RateLimit:
    """A fixed window: `limit` requests per `window` seconds, then 429 until the window ends."""

    limit: int | None = None
    window: float = 60.0
    started: float = 0.0
    count: int = 0

    def check(self) -> None:
        now = time.monotonic()
        if now >= self.started + self.window:
            self.started, self.count = now, 0
        self.count += 1
        if self.limit is not None and self.count > self.limit:
            wait = max(1, math.ceil(self.started + self.window - now))
            raise RegRwsError(
                429, "E_UNSPECIFIED", f"Too many requests; retry after {wait} seconds.", wait
            )


@dataclass
class Registry:
    """All objects of the simulated ARIN account, kept in memory."""

    company_poc: str
    ticket_delay: float = 5.0
    rate_limit: RateLimit = field(default_factory=RateLimit)
    pocs: dict[str, Poc] = field(default_factory=dict)
    orgs: dict[str, Linked] = field(default_factory=dict)
    nets: dict[str, Linked] = field(default_factory=dict)
    tickets: dict[str, Ticket] = field(default_factory=dict)

    def configure(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Change the delay or the limit while running (`rate_limit: None` lifts it)."""
        if changes.get("ticket_delay") is not None:
            self.ticket_delay = changes["ticket_delay"]
        limit = changes.get("rate_limit", self.rate_limit.limit)
        window = changes.get("rate_window") or self.rate_limit.window
        # A fresh window too, so a test's first request is the first one counted.
        self.rate_limit = RateLimit(limit=limit, window=window)
        return {"ticket_delay": self.ticket_delay, "rate_limit": limit, "rate_window": window}

    def poc(self, handle: str) -> Poc:
        if (found := self.pocs.get(handle)) is None:
            raise not_found("POC", handle)
        return found

    def linked(self, kind: str, handle: str) -> Linked:
        found = (self.orgs if kind == "org" else self.nets).get(handle)
        if found is None:
            raise not_found("Org" if kind == "org" else "Net", handle)
        return found

    def links_of(self, poc_handle: str) -> list[tuple[str, str, str]]:
        """Every (kind, handle, function) the POC is linked to."""
        return [
            (item.kind, item.handle, function)
            for item in (*self.orgs.values(), *self.nets.values())
            for function, linked in item.links
            if linked == poc_handle
        ]

    def delete_poc(self, handle: str) -> Poc:
        self.poc(handle)
        if self.links_of(handle):
            raise RegRwsError(
                409,
                "E_NOT_REMOVEABLE",
                f"POC {handle} cannot be removed while it is linked to an Org or a Net.",
            )
        return self.pocs.pop(handle)

    def add_link(self, kind: str, handle: str, poc_handle: str, function: str) -> Linked:
        """Link a POC; a new Admin POC replaces the old one, a repeated link changes nothing."""
        item = self.linked(kind, handle)
        _check_function(kind, function)
        self.poc(poc_handle)
        if function == "AD":
            item.links = [link for link in item.links if link[0] != "AD"]
        if (function, poc_handle) not in item.links:
            item.links.append((function, poc_handle))
        return item

    def remove_link(self, kind: str, handle: str, poc_handle: str, function: str) -> Linked:
        item = self.linked(kind, handle)
        _check_function(kind, function)
        if (function, poc_handle) not in item.links:
            raise RegRwsError(
                404,
                "E_OBJECT_NOT_FOUND",
                f"POC {poc_handle} is not linked to {handle} as {FUNCTIONS[function]}.",
            )
        if kind == "org" and function == "AD":
            raise RegRwsError(
                409,
                "E_NOT_REMOVEABLE",
                f"The Admin POC of Org {handle} cannot be removed, only replaced.",
            )
        if kind == "org" and function == "T" and sum(f == "T" for f, _ in item.links) == 1:
            raise RegRwsError(
                409,
                "E_NOT_REMOVEABLE",
                f"Org {handle} must keep at least one Tech POC; link another one first.",
            )
        item.links.remove((function, poc_handle))
        return item

    def open_ticket(self, poc_handle: str) -> Ticket:
        """Request an associations report: ARIN answers it later, through the ticket."""
        self.poc(poc_handle)
        now = datetime.now(UTC)
        number = f"{now:%Y%m%d}-X{len(self.tickets) + 1}"
        ticket = Ticket(number, poc_handle, now, time.monotonic() + self.ticket_delay)
        self.tickets[number] = ticket
        return ticket

    def ticket(self, number: str, *, resolve: bool = False) -> Ticket:
        """The ticket, processed once it is due (or `resolve` forces it)."""
        if (ticket := self.tickets.get(number)) is None:
            raise not_found("ticket", number)
        if ticket.resolved is None and (resolve or time.monotonic() >= ticket.due):
            # The report is taken when ARIN processes the request, not when it was asked for.
            ticket.report = self.links_of(ticket.poc_handle)
            ticket.resolved = datetime.now(UTC)
        return ticket


def _check_function(kind: str, function: str) -> None:
    allowed = NET_FUNCTIONS if kind == "net" else tuple(FUNCTIONS)
    if function not in allowed:
        raise RegRwsError(
            400,
            "E_ENTITY_VALIDATION",
            f"pocFunction must be one of {', '.join(allowed)} for a {kind}.",
        )
