"""Pending outcomes confirmed later: by the system, by polling, by an agent — or never."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain.kinds import RequestKind, RequestState
from domain.messages import ApprovePlan, Progress, RequestResult, VerifyIdentity
from domain.records import Confirmation, ConfirmationChannel, OutcomeStatus
from tests.workflows.support import Harness, start, state_of
from workflows.subject_request import SubjectRequestWorkflow

Handle = WorkflowHandle[SubjectRequestWorkflow, RequestResult]


async def erasure_until_pending(harness: Harness, channel: ConfirmationChannel) -> Handle:
    env, fakes, queue = harness
    fakes.pending["newsletter"] = channel
    handle = await start(env, queue, RequestKind.ERASURE)
    await handle.execute_update(SubjectRequestWorkflow.verify_identity, VerifyIdentity("a", "x"))
    await wait_state(harness, handle, RequestState.AWAITING_APPROVAL)
    await handle.execute_update(SubjectRequestWorkflow.approve_plan, ApprovePlan("officer"))
    await wait_state(harness, handle, RequestState.AWAITING_CONFIRMATION)
    return handle


async def wait_state(harness: Harness, handle: Handle, state: RequestState) -> None:
    env = harness[0]
    for _ in range(200):
        if await state_of(handle) is state:
            return
        await env.sleep(timedelta(minutes=1))
    pytest.fail(f"the request never reached {state.value}")


def webhook(ref: str = "job-1", succeeded: bool = True) -> Confirmation:
    return Confirmation("newsletter", ref, succeeded, "job completed", "registrar webhook d-1")


async def test_webhook_confirmation_completes_the_erasure(harness: Harness) -> None:
    fakes = harness[1]
    handle = await erasure_until_pending(harness, ConfirmationChannel.WEBHOOK)
    assert [r.external_ref for r in fakes.registered] == ["job-1"]
    await handle.execute_update(SubjectRequestWorkflow.confirm, webhook())
    result = await handle.result()
    assert result.state is RequestState.COMPLETED
    newsletter = next(o for o in result.outcomes if o.connector == "newsletter")
    assert newsletter.status is OutcomeStatus.DONE
    assert newsletter.confirmed_by == "registrar webhook d-1"
    # The system's part done, erase ran once more to complete what depended on it.
    assert fakes.erased.count("newsletter") == 2


async def test_unknown_and_duplicate_confirmations_are_refused(harness: Harness) -> None:
    handle = await erasure_until_pending(harness, ConfirmationChannel.WEBHOOK)
    with pytest.raises(WorkflowUpdateFailedError) as unknown:
        await handle.execute_update(SubjectRequestWorkflow.confirm, webhook(ref="job-9"))
    assert "no pending outcome" in str(unknown.value.cause)
    with pytest.raises(WorkflowUpdateFailedError) as wrong_system:
        await handle.execute_update(
            SubjectRequestWorkflow.confirm, Confirmation("billing", "", True, "", "agent a")
        )
    assert "not waiting" in str(wrong_system.value.cause)
    await handle.execute_update(SubjectRequestWorkflow.confirm, webhook())
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(SubjectRequestWorkflow.confirm, webhook())
    assert (await handle.result()).state is RequestState.COMPLETED


async def test_ticket_is_polled_until_the_system_decides(harness: Harness) -> None:
    fakes = harness[1]
    fakes.ticket_answers = [None, None, webhook()]
    handle = await erasure_until_pending(harness, ConfirmationChannel.TICKET)
    result = await handle.result()
    assert result.state is RequestState.COMPLETED
    assert fakes.ticket_answers == []


async def test_a_system_that_never_confirms_needs_attention_then_an_agent_confirms(
    harness: Harness,
) -> None:
    env, fakes, _ = harness
    handle = await erasure_until_pending(harness, ConfirmationChannel.POLL_QUEUE)
    # Within the 48 hours it only reminds; after them a person must look.
    await env.sleep(timedelta(hours=47))
    assert await state_of(handle) is RequestState.AWAITING_CONFIRMATION
    await env.sleep(timedelta(hours=2))
    await wait_state(harness, handle, RequestState.NEEDS_ATTENTION)
    progress: Progress = await handle.query(SubjectRequestWorkflow.progress)
    assert "newsletter has not confirmed" in progress.attention
    reminders = [e for e in fakes.events if e.action == "confirmation_reminder"]
    assert len(reminders) == 3
    manual = Confirmation("newsletter", "", True, "confirmed by phone", "agent Sam")
    await handle.execute_update(SubjectRequestWorkflow.confirm, manual)
    result = await handle.result()
    assert result.state is RequestState.COMPLETED
    newsletter = next(o for o in result.outcomes if o.connector == "newsletter")
    assert newsletter.confirmed_by == "agent Sam"
    assert any(e.actor == "agent Sam" and e.action == "confirmation_received"
               for e in fakes.events)  # fmt: skip


async def test_a_refused_confirmation_is_reported_as_refused(harness: Harness) -> None:
    handle = await erasure_until_pending(harness, ConfirmationChannel.WEBHOOK)
    await handle.execute_update(SubjectRequestWorkflow.confirm, webhook(succeeded=False))
    result = await handle.result()
    newsletter = next(o for o in result.outcomes if o.connector == "newsletter")
    assert newsletter.status is OutcomeStatus.REFUSED
