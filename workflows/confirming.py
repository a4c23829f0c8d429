"""Writes in the outside systems, and waiting for the confirmations that arrive later.

A write answers done, refused, ... or pending; a pending one is confirmed later by a
webhook, a poll message, a ticket we ask about, or an agent. Meanwhile the officer sees
reminders, and a system that does not confirm in time needs attention.

A confirmation settles the pending step only, whoever gives it: the write runs again, so
what depended on that step runs too, and the outcome is what the system answers then.
Before `workflow.patched(AGENT_CONFIRMS_ONE_STEP)` an agent's confirmation ended the write
at once (docs/decisions/0009-changing-running-workflows.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.kinds import RequestState
    from domain.messages import CheckPendingInput, RegisterPendingInput
    from domain.records import (
        Confirmation,
        ConfirmationChannel,
        ConfirmationTiming,
        Located,
        Outcome,
        OutcomeStatus,
    )
    from workflows.attention import (
        awaiting_confirmation_hides_attention,
        lower_attention,
        raise_attention,
    )
    from workflows.calls import call, enter, record
    from workflows.case import RequestCase, Wait
    from workflows.pending import key_of
    from workflows.systems import connector_call, step

A = TypeVar("A")
AGENT_CONFIRMS_ONE_STEP = "agent-confirms-one-step"


async def apply(
    case: RequestCase, loc: Located, activity: names.Activity[A, Outcome], arg: A
) -> Outcome:
    """Run one write operation in one system until it is settled, then record the outcome."""

    async def once() -> Outcome:
        outcome = await connector_call(case, loc.connector, activity, arg)
        outcome = outcome if outcome.at else replace(outcome, at=workflow.now())
        _set_outcome(case, outcome)
        return outcome

    outcome = await _until_settled(case, once)
    _set_outcome(case, outcome)
    await record(
        case, "system", "connector_outcome", connector=loc.connector, outcome=outcome.status.value
    )
    return outcome


async def _until_settled(case: RequestCase, once: Callable[[], Awaitable[Outcome]]) -> Outcome:
    """Call once; while the answer is pending, wait for its confirmation and call again.

    The outcome is final only when the system itself answers it, so a step that remains
    after the confirmed one (the registrar deletes the handle once its domains are free)
    still runs and is confirmed on its own.
    """
    outcome = await once()
    while outcome.status is OutcomeStatus.PENDING:
        confirmation = await _confirmation_of(case, outcome)
        if not confirmation.succeeded:
            return settled(outcome, confirmation)
        if by_agent(confirmation) and not workflow.patched(AGENT_CONFIRMS_ONE_STEP):
            return taken_on_trust(outcome, confirmation)
        # The pending step is done; call again to complete what depended on it.
        again = await once()
        if again.status is not OutcomeStatus.PENDING:
            # An agent's note is the evidence for the step they confirmed: the proof shows it.
            note = confirmation.detail if by_agent(confirmation) else ""
            return replace(
                again,
                detail="; ".join(d for d in (again.detail, note) if d.strip()),
                confirmed_by=confirmation.confirmed_by,
                at=confirmation.at or again.at,
                external_ref=outcome.external_ref,
            )
        if again.external_ref == outcome.external_ref and workflow.patched(AGENT_CONFIRMS_ONE_STEP):
            await _contradicted(case, again, confirmation)
        outcome = again
    return outcome


def by_agent(confirmation: Confirmation) -> bool:
    return confirmation.confirmed_by.startswith("agent ")


async def _contradicted(case: RequestCase, outcome: Outcome, confirmation: Confirmation) -> None:
    """The system still reports the step just confirmed as pending: the confirmation is not
    borne out. The request needs attention and waits for a new confirmation of that step."""
    key = key_of(outcome.connector, outcome.external_ref or "")
    case.book.arrived.pop(key, None)
    case.book.wait_for(outcome)
    reason = (
        f"{outcome.connector} still reports {outcome.external_ref or 'the step'} as pending "
        f"although {confirmation.confirmed_by} confirmed it; the request goes on when "
        f"{outcome.connector} confirms it (check with them, then confirm again)."
    )
    await raise_attention(case, _contradiction(key), reason, Wait.CONTRADICTED,
                          "confirmation_contradicted", connector=outcome.connector)  # fmt: skip


def _contradiction(key: str) -> str:
    return f"contradicted:{key}"


def _set_outcome(case: RequestCase, outcome: Outcome) -> None:
    # A settled outcome came from a call that succeeded: an earlier attempt's error is gone.
    case.progress[outcome.connector] = replace(
        case.progress[outcome.connector], step=outcome.status.value, outcome=outcome, error=""
    )


async def _confirmation_of(case: RequestCase, outcome: Outcome) -> Confirmation:
    """Wait for a pending outcome's confirmation: polling, reminding, then escalating."""
    book = case.book
    key = book.wait_for(outcome)
    await call(
        names.REGISTER_PENDING,
        RegisterPendingInput(case.request_id, outcome.connector, outcome.external_ref or ""),
    )
    if case.state is not RequestState.AWAITING_CONFIRMATION and not (
        awaiting_confirmation_hides_attention(case)
    ):
        await enter(case, RequestState.AWAITING_CONFIRMATION, "system", "awaiting_confirmation")
    timing = _timing(case, outcome.connector)
    deadline = workflow.now() + timedelta(hours=timing.confirm_within_hours)
    while key not in book.arrived:
        if outcome.channel is ConfirmationChannel.TICKET:
            await _poll_ticket(case, outcome, key)
            pause = timedelta(seconds=timing.poll_every_seconds)
        else:
            pause = timedelta(hours=timing.remind_every_hours)
        remaining = deadline - workflow.now()
        if remaining <= timedelta(0):
            await _escalate(case, outcome, key)
            break
        if key in book.arrived:
            break
        try:
            await workflow.wait_condition(
                lambda: key in book.arrived, timeout=min(pause, remaining)
            )
        except TimeoutError:
            # At the deadline itself the next round escalates instead of reminding.
            if outcome.channel is not ConfirmationChannel.TICKET and pause < remaining:
                await record(case, "system", "confirmation_reminder", connector=outcome.connector)
    book.done_waiting(key)
    if _contradiction(key) in case.attention.reasons:
        await lower_attention(case, _contradiction(key))
    return book.arrived[key]


async def _poll_ticket(case: RequestCase, outcome: Outcome, key: str) -> None:
    check = await connector_call(
        case,
        outcome.connector,
        names.CHECK_PENDING,
        CheckPendingInput(case.request_id, outcome.connector, outcome.external_ref or ""),
    )
    step(case, outcome.connector, "pending")
    if check.confirmation is not None and key not in case.book.arrived:
        case.book.arrived[key] = check.confirmation
        await record(
            case,
            "system",
            "confirmation_received",
            connector=outcome.connector,
            via="ticket",
            succeeded=check.confirmation.succeeded,
        )


async def _escalate(case: RequestCase, outcome: Outcome, key: str) -> None:
    """Overdue: a person must check with the system and confirm by hand (or it arrives late)."""
    reason = (
        f"{outcome.connector} has not confirmed in time; check with them, then run "
        f"`dsr confirm <request> {outcome.connector}`."
    )
    overdue = f"overdue:{key}"
    await raise_attention(case, overdue, reason, Wait.OVERDUE, "confirmation_overdue",
                          connector=outcome.connector)  # fmt: skip
    await workflow.wait_condition(lambda: key in case.book.arrived)
    await lower_attention(case, overdue)


def _timing(case: RequestCase, connector: str) -> ConfirmationTiming:
    return next((c.timing for c in case.connectors if c.name == connector), ConfirmationTiming())


def settled(outcome: Outcome, confirmation: Confirmation) -> Outcome:
    """The final outcome that a confirmation (from the system or an agent) decides."""
    return replace(
        outcome,
        status=OutcomeStatus.DONE if confirmation.succeeded else OutcomeStatus.REFUSED,
        detail=f"{outcome.detail} {confirmation.detail}".strip(),
        confirmed_by=confirmation.confirmed_by,
        at=confirmation.at,
    )


def taken_on_trust(outcome: Outcome, confirmation: Confirmation) -> Outcome:
    """Before the patch: an agent's confirmation ended the write without asking the system.

    The system's final state is unknown then (a step after the confirmed one may never have
    run), so the outcome stays pending and says so: the proof never calls it done.
    """
    return replace(
        outcome,
        detail=(
            f"{outcome.detail}; {confirmation.confirmed_by} confirmed this step by hand "
            f"({confirmation.detail}); the system was not asked again"
        ),
        confirmed_by=confirmation.confirmed_by,
        at=confirmation.at,
    )
