"""Consequences of erasure: with active services, the agent terminates them or lets the
subject transfer first, and the plan is made anew after the transfers."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain.kinds import RequestKind, RequestState
from domain.messages import (
    ApprovePlan,
    Progress,
    RequestResult,
    ServicesChoice,
    VerifyIdentity,
)
from domain.records import Confirmation, ConfirmationChannel
from tests.workflows.support import Harness, start, state_of
from tests.workflows.test_confirmations import wait_state
from workflows.subject_request import SubjectRequestWorkflow

HOSTING = ("hosting: business (active)", "domain zon-bikes-3.nl (active)")


async def _to_plan(harness: Harness) -> WorkflowHandle[SubjectRequestWorkflow, RequestResult]:
    env, _, queue = harness
    handle = await start(env, queue, RequestKind.ERASURE)
    await handle.execute_update(
        SubjectRequestWorkflow.verify_identity, VerifyIdentity("agent", "called back")
    )
    await wait_state(harness, handle, RequestState.AWAITING_APPROVAL)
    return handle


async def test_active_services_need_a_choice_and_terminate_ends_them(harness: Harness) -> None:
    _, fakes, _ = harness
    fakes.active_services = [HOSTING]
    handle = await _to_plan(harness)
    with pytest.raises(WorkflowUpdateFailedError) as no_choice:
        await handle.execute_update(SubjectRequestWorkflow.approve_plan, ApprovePlan("officer"))
    assert "--terminate" in str(no_choice.value.cause)
    assert "zon-bikes-3.nl" in str(no_choice.value.cause)
    await handle.execute_update(
        SubjectRequestWorkflow.approve_plan, ApprovePlan("officer", ServicesChoice.TERMINATE)
    )
    assert (await handle.result()).state is RequestState.COMPLETED
    assert sorted(fakes.erased) == ["billing", "newsletter"]


async def test_transfer_first_waits_then_plans_anew(harness: Harness) -> None:
    env, fakes, _ = harness
    fakes.active_services = [HOSTING]  # after the transfer, the new plan shows none
    handle = await _to_plan(harness)
    chosen = await handle.execute_update(
        SubjectRequestWorkflow.approve_plan, ApprovePlan("officer", ServicesChoice.TRANSFER_FIRST)
    )
    assert "transfers" in chosen.message and "zon-bikes-3.nl" in chosen.message
    await env.sleep(3600)
    assert await state_of(handle) is RequestState.AWAITING_APPROVAL
    assert fakes.erased == []  # nothing is erased while the subject transfers
    # The transfers are done: the next approval plans anew; nothing active is left.
    await handle.execute_update(SubjectRequestWorkflow.approve_plan, ApprovePlan("officer"))
    assert (await handle.result()).state is RequestState.COMPLETED
    actions = [e.action for e in fakes.events]
    assert actions.index("transfer_first_chosen") < actions.index("replanning_after_transfer")
    progress: Progress = await handle.query(SubjectRequestWorkflow.progress)
    assert not [s for p in progress.plans for s in p.active_services]


async def test_services_still_active_after_transfer_need_a_new_choice(harness: Harness) -> None:
    env, fakes, _ = harness
    fakes.active_services = [HOSTING, HOSTING[:1]]  # the domain moved, the hosting did not
    handle = await _to_plan(harness)
    await handle.execute_update(
        SubjectRequestWorkflow.approve_plan, ApprovePlan("officer", ServicesChoice.TRANSFER_FIRST)
    )
    await handle.execute_update(SubjectRequestWorkflow.approve_plan, ApprovePlan("officer"))
    await env.sleep(60)
    assert fakes.erased == []
    with pytest.raises(WorkflowUpdateFailedError) as again:
        await handle.execute_update(SubjectRequestWorkflow.approve_plan, ApprovePlan("officer"))
    assert "hosting: business" in str(again.value.cause)
    assert "zon-bikes-3.nl" not in str(again.value.cause)
    await handle.execute_update(
        SubjectRequestWorkflow.approve_plan, ApprovePlan("officer", ServicesChoice.TERMINATE)
    )
    assert (await handle.result()).state is RequestState.COMPLETED


async def test_a_second_approval_says_who_approved_and_with_which_choice(
    harness: Harness,
) -> None:
    _, fakes, _ = harness
    fakes.active_services = [HOSTING]
    fakes.pending["newsletter"] = ConfirmationChannel.WEBHOOK
    handle = await _to_plan(harness)
    terminate = ApprovePlan("officer Olaf", ServicesChoice.TERMINATE)
    await handle.execute_update(SubjectRequestWorkflow.approve_plan, terminate)
    await wait_state(harness, handle, RequestState.AWAITING_CONFIRMATION)

    with pytest.raises(WorkflowUpdateFailedError) as again:
        await handle.execute_update(SubjectRequestWorkflow.approve_plan, ApprovePlan("Sam"))

    refusal = str(again.value.cause)
    assert "already approved by officer Olaf with --terminate" in refusal
    assert "awaiting_confirmation" in refusal and "no plan to approve yet" not in refusal
    progress: Progress = await handle.query(SubjectRequestWorkflow.progress)
    assert progress.approval == terminate and not progress.transfer_pending
    done = Confirmation("newsletter", "job-1", True, "job completed", "webhook d-1")
    await handle.execute_update(SubjectRequestWorkflow.confirm, done)
    assert (await handle.result()).state is RequestState.COMPLETED
