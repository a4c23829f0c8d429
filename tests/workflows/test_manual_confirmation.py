"""An agent's confirmation settles one pending step: what remains still runs and is confirmed.

The fakes' newsletter stands in for the registrar: its erase answers pending (the owner
change, job-1), then pending again (the deletion, job-2), then done.
"""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowHandle

from domain.kinds import RequestState
from domain.messages import Progress, RequestResult, RetryFailed
from domain.records import Confirmation, ConfirmationChannel, OutcomeStatus
from tests.fixtures.temporal import finish
from tests.workflows.support import Harness
from tests.workflows.test_confirmations import erasure_until_pending, wait_state
from workflows.subject_request import SubjectRequestWorkflow

Handle = WorkflowHandle[SubjectRequestWorkflow, RequestResult]
BY_PHONE = Confirmation("newsletter", "job-1", True, "confirmed by phone", "agent Sam")


async def two_steps(harness: Harness, *second: str) -> Handle:
    harness[1].pending_next["newsletter"] = list(second)
    return await erasure_until_pending(harness, ConfirmationChannel.WEBHOOK)


async def progress_of(handle: Handle) -> Progress:
    progress: Progress = await handle.query(SubjectRequestWorkflow.progress)
    return progress


async def until_erased(harness: Harness, times: int) -> None:
    env, fakes, _ = harness
    for _ in range(200):
        if fakes.erased.count("newsletter") >= times:
            return
        await env.sleep(1)
    pytest.fail(f"the newsletter was not erased {times} times")


async def test_a_manual_confirmation_lets_the_second_step_run_and_wait_for_its_own(
    harness: Harness,
) -> None:
    fakes = harness[1]
    handle = await two_steps(harness, "job-2")

    answer = await handle.execute_update(SubjectRequestWorkflow.confirm, BY_PHONE)

    assert "asked again now" in answer.message and "completes only when" in answer.message
    # The erase ran again, and its second step is pending on its own reference.
    await until_erased(harness, 2)
    await wait_state(harness, handle, RequestState.AWAITING_CONFIRMATION)
    assert [r.external_ref for r in fakes.registered] == ["job-1", "job-2"]
    assert (await progress_of(handle)).state is RequestState.AWAITING_CONFIRMATION
    assert fakes.proofs == []
    webhook = Confirmation("newsletter", "job-2", True, "job completed", "webhook d-2")
    await handle.execute_update(SubjectRequestWorkflow.confirm, webhook)
    result = await handle.result()
    assert result.state is RequestState.COMPLETED
    newsletter = next(o for o in result.outcomes if o.connector == "newsletter")
    assert (newsletter.status, newsletter.confirmed_by) == (OutcomeStatus.DONE, "webhook d-2")
    assert fakes.erased.count("newsletter") == 3


async def test_the_second_step_may_be_confirmed_by_hand_too(harness: Harness) -> None:
    fakes = harness[1]
    handle = await two_steps(harness, "job-2")
    await handle.execute_update(SubjectRequestWorkflow.confirm, BY_PHONE)
    await until_erased(harness, 2)
    await wait_state(harness, handle, RequestState.AWAITING_CONFIRMATION)
    again = Confirmation("newsletter", "job-2", True, "deletion seen in their portal", "agent Sam")
    await handle.execute_update(SubjectRequestWorkflow.confirm, again)
    result = await handle.result()
    newsletter = next(o for o in result.outcomes if o.connector == "newsletter")
    # Final only because the system itself answered done to the third call.
    assert newsletter.status is OutcomeStatus.DONE and fakes.erased.count("newsletter") == 3


async def test_a_confirmation_the_system_contradicts_needs_attention_not_completion(
    harness: Harness,
) -> None:
    fakes = harness[1]
    # The system still answers the very step the agent confirmed as pending.
    handle = await two_steps(harness, "job-1")

    await handle.execute_update(SubjectRequestWorkflow.confirm, BY_PHONE)

    await wait_state(harness, handle, RequestState.NEEDS_ATTENTION)
    progress = await progress_of(handle)
    assert "newsletter still reports job-1 as pending" in progress.attention
    assert "agent Sam confirmed it" in progress.attention
    assert fakes.proofs == [] and fakes.erased.count("newsletter") == 2
    assert any(e.action == "confirmation_contradicted" for e in fakes.events)
    # When the system does confirm it, the request goes on and completes.
    webhook = Confirmation("newsletter", "job-1", True, "job completed", "webhook d-1")
    await handle.execute_update(SubjectRequestWorkflow.confirm, webhook)
    result = await handle.result()
    assert result.state is RequestState.COMPLETED
    newsletter = next(o for o in result.outcomes if o.connector == "newsletter")
    assert (newsletter.status, newsletter.confirmed_by) == (OutcomeStatus.DONE, "webhook d-1")
    states = [e.state for e in fakes.events if e.state is not None]
    assert states[-4:] == [
        RequestState.NEEDS_ATTENTION,
        RequestState.AWAITING_CONFIRMATION,
        RequestState.COMPILING,
        RequestState.COMPLETED,
    ]


async def test_a_second_step_that_fails_needs_attention_and_never_completes(
    harness: Harness,
) -> None:
    fakes = harness[1]
    handle = await two_steps(harness)
    fakes.erase_failures["newsletter"] = 1  # the erase after the confirmation is refused
    try:
        await handle.execute_update(SubjectRequestWorkflow.confirm, BY_PHONE)
        await wait_state(harness, handle, RequestState.NEEDS_ATTENTION)
        assert "newsletter refused the credentials" in (await progress_of(handle)).attention
        assert fakes.proofs == []
        await handle.execute_update(SubjectRequestWorkflow.retry_failed, RetryFailed("agent"))
        result = await handle.result()
        assert result.state is RequestState.COMPLETED
        newsletter = next(o for o in result.outcomes if o.connector == "newsletter")
        assert newsletter.status is OutcomeStatus.DONE
        # After the successful retry no old error stays on the status.
        progress = await progress_of(handle)
        assert all(not c.error for c in progress.connectors)
    finally:
        await finish(handle)
