"""ARIN Reg-RWS: the subject's Points of Contact (POCs) on our IP space (docs/systems.md, "ARIN").

Billing hints name the POC handles (`Handle.ARIN`). Which Orgs and Nets a POC is
linked to comes only from ARIN's asynchronous associations report: request it, and read its
ticket until ARIN has processed it. Erasure releases each link (an Org's Admin POC is handed
to the company's POC, because ARIN requires one; the company POC becomes Tech where the
subject is the last), then deletes the POC. If the report is not ready within the activity,
erase answers PENDING with `ticket:<no>` and `check_pending` finishes the work later.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta

import httpx

from connectors.arin.client import NotRemoveable, RegRwsClient, path
from connectors.arin.datasets import DATASETS, LINKS, POCS
from connectors.arin.rights import corrected, outcome
from connectors.arin.wire import TicketState, poc_links, poc_record, ticket_state
from connectors.base import Record, RecordSink, not_processed_for, unsupported
from connectors.errors import ConnectorError, SystemUnavailable
from domain.records import (
    Confirmation,
    ConfirmationChannel,
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
from domain.subject import Handle, Hints, SubjectIdentifiers
from runtime.settings import Settings

_POC = "poc:"
_TICKET = "ticket:"
# ARIN staff process report tickets within business days; later than this, a person looks.
_REPORT_EXPECTED_WITHIN = timedelta(days=3)


NOT_RESTRICTABLE = (
    "ARIN's Whois is a public registry that ARIN keeps under its own terms; it cannot mark a "
    "POC as stored but not otherwise used. The subject can ask for erasure instead, or ask "
    "ARIN directly."
)


class StaleReport(ConnectorError):
    """A POC is linked somewhere its report did not show; a retried erase asks anew."""


class ArinConnector:
    """POCs at ARIN, their links to Orgs and Nets, and their removal."""

    name = "arin"
    phase = Phase.DEPENDENT
    recipient = Recipient(
        name="ARIN (American Registry for Internet Numbers)",
        role="regional Internet registry (IP address registrations)",
        country="US",
        outside_eu=True,
    )
    # ARIN is a controller of its own: nothing it holds is portable from us.
    datasets = DATASETS

    def __init__(
        self,
        base_url: str,
        api_key: str,
        company_poc: str,
        *,
        report_wait: float = 30.0,
        poll_interval: float = 2.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._api = RegRwsClient(base_url, api_key, transport)
        self._company_poc = company_poc
        self._report_wait, self._poll_interval = report_wait, poll_interval
        # Report tickets still open, per POC: a retried activity reads the ticket it asked for
        # instead of asking again, which would restart ARIN's processing time every attempt.
        self._open_tickets: dict[str, str] = {}

    @classmethod
    def create(cls, settings: Settings) -> ArinConnector:
        return cls(settings.arin_url, settings.arin_api_key, settings.arin_company_poc)

    async def locate(self, subject: SubjectIdentifiers, hints: Hints) -> Located:
        """Look up each POC handle billing knows; ARIN cannot be searched by email here."""
        found = [
            handle
            for handle in dict.fromkeys(hints.handles.get(Handle.ARIN, ()))
            if await self._api.get(path("poc", handle), "POC lookup") is not None
        ]
        return Located(
            connector=self.name,
            found=bool(found),
            refs=tuple(_POC + h for h in found),
            record_counts={POCS: len(found)},
        )

    async def export(self, located: Located, sink: RecordSink) -> ExportSummary:
        """Write `arin_pocs` and `arin_links` (from the associations report)."""
        pocs: list[Record] = []
        for handle in _pocs(located):
            if (payload := await self._api.get(path("poc", handle), "POC export")) is not None:
                pocs.append(poc_record(payload))
        reports = await self._reports(_pocs(located))
        if pending := [s.number for s in reports if s.pending]:
            raise SystemUnavailable(
                f"ARIN has not processed associations report ticket(s) {', '.join(pending)} "
                "yet; the export will be retried."
            )
        links = [_link_record(state) for state in map(_processed, reports)]
        return ExportSummary(
            connector=self.name,
            datasets=(
                await sink.write(POCS, pocs),
                await sink.write(LINKS, [row for rows in links for row in rows]),
            ),
        )

    async def plan_erasure(
        self, located: Located, policy: RetentionPolicy, today: date
    ) -> ConnectorPlan:
        """Delete every POC; nothing at ARIN falls under a retention rule of ours."""
        if not located.found:
            return ConnectorPlan(connector=self.name)
        basis = (
            "Unlinked from every Org and Net, then deleted; an Org's Admin POC is handed to "
            f"{self._company_poc}, because ARIN requires every Org to keep one."
        )
        count = located.record_counts.get(POCS, 0)
        return ConnectorPlan(
            connector=self.name, items=(PlanItem(POCS, PlanAction.ACT, count, basis),)
        )

    async def erase(self, located: Located, plan: ConnectorPlan) -> Outcome:
        """Release the links the report lists, then delete each POC; pending while ARIN is slow."""
        pocs = _pocs(located)
        if not located.found or not pocs:
            return Outcome(connector=self.name, status=OutcomeStatus.NOT_FOUND)
        if not any(i.category == POCS and i.action is PlanAction.ACT for i in plan.items):
            return Outcome(
                connector=self.name,
                status=OutcomeStatus.RETAINED,
                detail="The approved plan keeps the ARIN POCs.",
                retained=plan.items,
            )
        now = datetime.now(UTC)
        reports = await self._reports(pocs)
        if any(state.pending for state in reports):
            numbers = ",".join(state.number for state in reports)
            return Outcome(
                connector=self.name,
                status=OutcomeStatus.PENDING,
                detail="Waiting for ARIN's associations report before unlinking the POCs.",
                external_ref=_TICKET + numbers,
                expected_by=now + _REPORT_EXPECTED_WITHIN,
                channel=ConfirmationChannel.TICKET,
                at=now,
            )
        await self._release_all(reports)
        # Counted from the refs, not from what this attempt removed, so a retry reads the same.
        return Outcome(
            connector=self.name,
            status=OutcomeStatus.DONE,
            detail=f"{len(pocs)} POC(s) unlinked and deleted at ARIN",
            at=now,
        )

    async def check_pending(self, external_ref: str) -> Confirmation | None:
        """Once every report ticket is processed, release the links and delete the POCs."""
        numbers = _ticket_numbers(external_ref)
        states: list[TicketState] = []
        for number in numbers:
            payload = await self._api.get(path("ticket", number), "ticket check")
            if payload is None:
                return self._failed(external_ref, f"ARIN does not know ticket {number}")
            states.append(ticket_state(payload))
        if any(state.pending for state in states):
            return None
        if unprocessed := [s.number for s in states if not s.processed]:
            return self._failed(external_ref, f"ARIN closed ticket(s) {', '.join(unprocessed)}")
        try:
            await self._release_all(states)
        except StaleReport as stale:
            return self._failed(external_ref, str(stale).removesuffix("."))
        return Confirmation(
            connector=self.name,
            external_ref=external_ref,
            succeeded=True,
            detail=f"{len(states)} POC(s) unlinked and deleted at ARIN",
            confirmed_by=f"ARIN ticket {', '.join(numbers)}",
            at=datetime.now(UTC),
        )

    async def rectify(self, located: Located, changes: Changes) -> Outcome:
        """GET each POC, correct it, PUT all of it back; a new name needs a new POC."""
        pocs = _pocs(located)
        if not located.found or not pocs:
            return Outcome(connector=self.name, status=OutcomeStatus.NOT_FOUND)
        now = datetime.now(UTC)
        present, name_refused = 0, False
        for handle in pocs:
            payload = await self._api.get(path("poc", handle), "POC lookup")
            if payload is None:
                continue  # deleted since it was located
            present += 1
            correction = corrected(payload, changes)
            name_refused |= correction.name_refused
            if correction.changed:
                await self._api.send(
                    "PUT", path("poc", handle), "POC update", payload=correction.payload
                )
        return outcome(self.name, list(changes.fields), present, name_refused, now)

    async def restrict(self, located: Located) -> Outcome:
        """ARIN's Whois has no stored-only mark: it publishes what it holds."""
        return unsupported(self.name, NOT_RESTRICTABLE)

    async def object_to(self, located: Located, purposes: tuple[Purpose, ...]) -> Outcome:
        """Neither we nor ARIN use POCs for marketing or profiling."""
        return not_processed_for(self.name, purposes)

    async def aclose(self) -> None:
        await self._api.aclose()

    async def _reports(self, pocs: tuple[str, ...]) -> list[TicketState]:
        """A report ticket per POC still at ARIN, read until processed or the wait is over."""
        states: dict[str, TicketState] = {}
        for handle in pocs:
            number = self._open_tickets.get(handle) or await self._request_report(handle)
            if number is not None:
                self._open_tickets[handle] = number
                states[handle] = TicketState(number, "PENDING", "", handle)
        deadline = time.monotonic() + self._report_wait
        while True:
            for handle, state in states.items():
                if state.pending:
                    states[handle] = await self._read_ticket(handle, state.number)
            if not any(s.pending for s in states.values()) or time.monotonic() >= deadline:
                return list(states.values())
            await asyncio.sleep(self._poll_interval)

    async def _request_report(self, handle: str) -> str | None:
        """Ask ARIN for the POC's associations report; None if the POC is gone already."""
        payload = await self._api.get(path("report", "associations", handle), "report request")
        return None if payload is None else ticket_state(payload).number

    async def _read_ticket(self, handle: str, number: str) -> TicketState:
        payload = await self._api.get(path("ticket", number), "ticket check")
        if payload is None:
            raise ConnectorError(f"ARIN lost associations report ticket {number}; retrying.")
        state = ticket_state(payload)
        if not state.pending:
            self._open_tickets.pop(handle, None)
        return state

    async def _release_all(self, reports: list[TicketState]) -> None:
        """Unlink then delete each reported POC; a POC deleted already counts as done."""
        for state in map(_processed, reports):
            for kind, handle in dict.fromkeys((a.kind, a.handle) for a in state.associations):
                await self._release(kind, handle, state.poc_handle)
            try:
                await self._api.send("DELETE", path("poc", state.poc_handle), "POC deletion")
            except NotRemoveable:
                raise StaleReport(
                    f"ARIN still links POC {state.poc_handle} to an Org or Net that report "
                    f"ticket {state.number} did not list; a new report is needed."
                ) from None

    async def _release(self, kind: str, handle: str, poc: str) -> None:
        """Remove the POC's links to one Org or Net, as they stand now, not as reported."""
        payload = await self._api.get(path(kind, handle), f"{kind} lookup")
        if payload is None:
            return
        links = poc_links(payload)
        others_tech = any(f == "T" and h != poc for f, h in links)
        for function in sorted({f for f, h in links if h == poc}):
            if kind == "org" and function == "AD":
                # A new Admin replaces the old: ARIN never lets an Org go without one.
                if poc != self._company_poc:
                    await self._link("PUT", kind, handle, self._company_poc, "AD")
                continue
            if kind == "org" and function == "T" and not others_tech:
                await self._link("PUT", kind, handle, self._company_poc, "T")
            await self._link("DELETE", kind, handle, poc, function)

    async def _link(self, method: str, kind: str, handle: str, poc: str, function: str) -> None:
        what = "POC link" if method == "PUT" else "POC unlink"
        params = {"pocFunction": function}
        await self._api.send(method, path(kind, handle, "poc", poc), what, params)

    def _failed(self, external_ref: str, reason: str) -> Confirmation:
        return Confirmation(
            connector=self.name,
            external_ref=external_ref,
            succeeded=False,
            detail=f"{reason}; check the POCs at ARIN by hand.",
            confirmed_by="ARIN",
            at=datetime.now(UTC),
        )


def _processed(state: TicketState) -> TicketState:
    if not state.processed:
        raise ConnectorError(
            f"ARIN closed associations report ticket {state.number} without a report "
            f"({state.resolution or 'no resolution'}); check the POC at ARIN by hand."
        )
    return state


def _link_record(state: TicketState) -> list[Record]:
    return [
        {
            "poc_handle": state.poc_handle,
            "resource_type": a.kind,
            "resource_handle": a.handle,
            "function": a.function,
            "function_description": a.description,
            "report_ticket": state.number,
        }
        for a in state.associations
    ]


def _pocs(located: Located) -> tuple[str, ...]:
    return tuple(r.removeprefix(_POC) for r in located.refs if r.startswith(_POC))


def _ticket_numbers(external_ref: str) -> list[str]:
    numbers = [n for n in external_ref.removeprefix(_TICKET).split(",") if n]
    if not external_ref.startswith(_TICKET) or not numbers:
        raise ConnectorError(f"{external_ref!r} is not an ARIN ticket reference.")
    return numbers


def create(settings: Settings) -> ArinConnector:
    """Factory named in policy.toml."""
    return ArinConnector.create(settings)
