"""Needs attention: every reason kept, one retry for all failed steps, one return."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.kinds import RequestKind, RequestState
from domain.messages import ApprovePlan, Progress, RetryFailed, VerifyIdentity
from domain.records import Confirmation, ConfirmationChannel
from tests.workflows.support import Harness, start, state_of
from tests.workflows.test_confirmations import erasure_until_pending, wait_state
from workflows.subject_request import SubjectRequestWorkflow


async def test_two_systems_failing_in_one_step_need_one_retry_and_resume_once(
    harness: Harness,
) -> None:
    env, fakes, _ = harness
    fakes.erase_failures = {"billing": 1, "newsletter": 1}
    handle = await start(env, harness[2], RequestKind.ERASURE)
    await handle.execute_update(SubjectRequestWorkflow.verify_identity, VerifyIdentity("a", "x"))
    await wait_state(harness, handle, RequestState.AWAITING_APPROVAL)
    await handle.execute_update(SubjectRequestWorkflow.approve_plan, ApprovePlan("officer"))
    for _ in range(200):
        if len([e for e in fakes.events if e.action == "needs_attention"]) == 2:
            break
        await env.sleep(timedelta(seconds=1))
    progress: Progress = await handle.query(SubjectRequestWorkflow.progress)
    assert progress.state is RequestState.NEEDS_ATTENTION
    # The agent sees both reasons, not only the last one.
    assert "billing refused the credentials" in progress.attention
    assert "newsletter refused the credentials" in progress.attention

    await handle.execute_update(SubjectRequestWorkflow.retry_failed, RetryFailed("agent-a"))
    result = await handle.result()

    assert result.state is RequestState.COMPLETED
    assert sorted(fakes.erased) == ["billing", "newsletter"]
    trail = [(e.action, e.state, e.details.get("reason")) for e in fakes.events]
    reasons = [r for action, _, r in trail if action == "needs_attention"]
    assert sorted(str(r) for r in reasons) == [
        "billing: billing refused the credentials",
        "newsletter: newsletter refused the credentials",
    ]
    resumes = [(action, state) for action, state, _ in trail if action == "resumed"]
    assert resumes == [("resumed", RequestState.EXECUTING)]
    assert [a for a, _, _ in trail if a == "retry_requested"] == ["retry_requested"]


async def test_retry_is_refused_when_nothing_failed(harness: Harness) -> None:
    """An overdue system needs a confirmation, not a retry: the agent is told what it waits for."""
    env, _, _ = harness
    handle = await erasure_until_pending(harness, ConfirmationChannel.POLL_QUEUE)
    await env.sleep(timedelta(hours=49))
    await wait_state(harness, handle, RequestState.NEEDS_ATTENTION)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(SubjectRequestWorkflow.retry_failed, RetryFailed("agent-a"))
    assert "newsletter has not confirmed" in str(refused.value.cause)
    manual = Confirmation("newsletter", "", True, "confirmed by phone", "agent Sam")
    await handle.execute_update(SubjectRequestWorkflow.confirm, manual)
    assert (await handle.result()).state is RequestState.COMPLETED


async def test_a_pending_system_does_not_hide_a_failed_one(harness: Harness) -> None:
    """One system fails while the other waits for its confirmation: the request stays in
    needs_attention until the retry, then waits for the confirmation."""
    env, fakes, _ = harness
    fakes.erase_failures = {"billing": 1}
    fakes.pending["newsletter"] = ConfirmationChannel.WEBHOOK
    fakes.erase_delays = {"newsletter": 0.5}  # billing has failed when the newsletter answers
    handle = await start(env, harness[2], RequestKind.ERASURE)
    await handle.execute_update(SubjectRequestWorkflow.verify_identity, VerifyIdentity("a", "x"))
    await wait_state(harness, handle, RequestState.AWAITING_APPROVAL)
    await handle.execute_update(SubjectRequestWorkflow.approve_plan, ApprovePlan("officer"))
    for _ in range(200):
        if fakes.registered and any(e.action == "needs_attention" for e in fakes.events):
            break
        await env.sleep(timedelta(seconds=1))
    assert await state_of(handle) is RequestState.NEEDS_ATTENTION
    await handle.execute_update(SubjectRequestWorkflow.retry_failed, RetryFailed("agent-a"))
    await wait_state(harness, handle, RequestState.AWAITING_CONFIRMATION)
    done = Confirmation("newsletter", "job-1", True, "job completed", "registrar webhook d-1")
    await handle.execute_update(SubjectRequestWorkflow.confirm, done)
    assert (await handle.result()).state is RequestState.COMPLETED
    entered = [e.action for e in fakes.events if e.state is not None]
    failed_at = entered.index("needs_attention")
    # Whatever the order of the two systems, nothing but the resume follows the failure.
    assert entered[failed_at + 1] == "resumed"
