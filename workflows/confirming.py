"""Waiting for confirmations that arrive later: webhooks, poll messages, tickets, agents."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.kinds import RequestState
    from domain.messages import (
        CheckPendingInput,
        PendingCheck,
        RegisterPendingInput,
    )
    from domain.records import (
        Confirmation,
        ConfirmationChannel,
        ConfirmationTiming,
        ConnectorInfo,
        Located,
        Outcome,
        OutcomeStatus,
    )
    from workflows.pending import PendingBook
    from workflows.plumbing import RequestPlumbing


class ConfirmationWaiting(RequestPlumbing):
    """Polling, reminders and escalation for pending outcomes."""

    _book: PendingBook
    _escalations: int
    _connectors: tuple[ConnectorInfo, ...]

    async def _apply(self, loc: Located, operation: str, arg: object) -> Outcome:
        """Run one write operation in one system until it is settled, then record the outcome."""
        outcome = await self._until_settled(lambda: self._apply_once(loc, operation, arg))
        self._set_outcome(outcome)
        await self._record(
            "system", "connector_outcome", connector=loc.connector, outcome=outcome.status.value
        )
        return outcome

    async def _apply_once(self, loc: Located, operation: str, arg: object) -> Outcome:
        outcome = await self._connector_call(loc.connector, operation, arg, Outcome)
        outcome = outcome if outcome.at else replace(outcome, at=workflow.now())
        self._set_outcome(outcome)
        return outcome

    async def _until_settled(self, once: Callable[[], Awaitable[Outcome]]) -> Outcome:
        """Call once; while the answer is pending, wait for its confirmation and call again."""
        outcome = await once()
        while outcome.status is OutcomeStatus.PENDING:
            confirmation = await self._confirmation_of(outcome)
            if not confirmation.succeeded or confirmation.confirmed_by.startswith("agent "):
                return settled(outcome, confirmation)
            # The system finished its part; call again to complete what depended on it.
            again = await once()
            if again.status is OutcomeStatus.PENDING:
                outcome = again
                continue
            return replace(
                again,
                confirmed_by=confirmation.confirmed_by,
                at=confirmation.at or again.at,
                external_ref=outcome.external_ref,
            )
        return outcome

    def _set_outcome(self, outcome: Outcome) -> None:
        self._progress[outcome.connector] = replace(
            self._progress[outcome.connector], step=outcome.status.value, outcome=outcome
        )

    async def _confirmation_of(self, outcome: Outcome) -> Confirmation:
        """Wait for a pending outcome's confirmation: polling, reminding, then escalating."""
        key = self._book.wait_for(outcome)
        await self._call(
            "register_pending",
            RegisterPendingInput(
                self._req.request_id, outcome.connector, outcome.external_ref or ""
            ),
            type(None),
        )
        if self._state is not RequestState.AWAITING_CONFIRMATION and not self._escalations:
            await self._enter(RequestState.AWAITING_CONFIRMATION, "system", "awaiting_confirmation")
        timing = self._timing(outcome.connector)
        deadline = workflow.now() + timedelta(hours=timing.confirm_within_hours)
        while key not in self._book.arrived:
            if outcome.channel is ConfirmationChannel.TICKET:
                await self._poll_ticket(outcome, key)
                pause = timedelta(seconds=timing.poll_every_seconds)
            else:
                pause = timedelta(hours=timing.remind_every_hours)
            remaining = deadline - workflow.now()
            if remaining <= timedelta(0):
                await self._escalate(outcome, key)
                break
            if key in self._book.arrived:
                break
            try:
                await workflow.wait_condition(
                    lambda: key in self._book.arrived, timeout=min(pause, remaining)
                )
            except TimeoutError:
                # At the deadline itself the next round escalates instead of reminding.
                if outcome.channel is not ConfirmationChannel.TICKET and pause < remaining:
                    await self._record(
                        "system", "confirmation_reminder", connector=outcome.connector
                    )
        self._book.done_waiting(key)
        return self._book.arrived[key]

    async def _poll_ticket(self, outcome: Outcome, key: str) -> None:
        check = await self._connector_call(
            outcome.connector,
            "check_pending",
            CheckPendingInput(self._req.request_id, outcome.connector, outcome.external_ref or ""),
            PendingCheck,
        )
        self._step(outcome.connector, "pending")
        if check.confirmation is not None and key not in self._book.arrived:
            self._book.arrived[key] = check.confirmation
            await self._record(
                "system",
                "confirmation_received",
                connector=outcome.connector,
                via="ticket",
                succeeded=check.confirmation.succeeded,
            )

    async def _escalate(self, outcome: Outcome, key: str) -> None:
        """Overdue: a person must check with the system and confirm by hand (or it arrives late)."""
        reason = (
            f"{outcome.connector} has not confirmed in time; check with them, then run "
            f"`dsr confirm <request> {outcome.connector}`."
        )
        self._escalations += 1
        self._attention = reason
        await self._enter(
            RequestState.NEEDS_ATTENTION,
            "system",
            "confirmation_overdue",
            connector=outcome.connector,
        )
        await workflow.wait_condition(lambda: key in self._book.arrived)
        self._escalations -= 1
        if not self._escalations:
            self._attention = ""
            await self._enter(RequestState.AWAITING_CONFIRMATION, "system", "resumed")

    def _timing(self, connector: str) -> ConfirmationTiming:
        return next(
            (c.timing for c in self._connectors if c.name == connector), ConfirmationTiming()
        )


def settled(outcome: Outcome, confirmation: Confirmation) -> Outcome:
    """The final outcome that a confirmation (from the system or an agent) decides."""
    return replace(
        outcome,
        status=OutcomeStatus.DONE if confirmation.succeeded else OutcomeStatus.REFUSED,
        detail=f"{outcome.detail} {confirmation.detail}".strip(),
        confirmed_by=confirmation.confirmed_by,
        at=confirmation.at,
    )
