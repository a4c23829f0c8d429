"""A subject asking again within 12 months: the officer proceeds, announces a fee, or refuses."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.kinds import RequestKind, RequestState
from domain.messages import Choice, Decision, NoticeKind, Progress, VerifyIdentity
from tests.workflows.support import Harness, start
from tests.workflows.test_confirmations import wait_state
from workflows.subject_request import SubjectRequestWorkflow


async def test_a_refused_repeat_is_rejected_and_the_subject_told_why(harness: Harness) -> None:
    env, fakes, queue = harness
    handle = await start(env, queue, RequestKind.ACCESS, earlier_requests=2)
    await wait_state(harness, handle, RequestState.NEEDS_ATTENTION)
    progress: Progress = await handle.query(SubjectRequestWorkflow.progress)
    assert "2 time(s) in the last 12 months" in progress.attention
    with pytest.raises(WorkflowUpdateFailedError) as no_reason:
        await handle.execute_update(SubjectRequestWorkflow.decide, Decision("o", Choice.REFUSE))
    assert "Give the reason" in str(no_reason.value.cause)
    await handle.execute_update(
        SubjectRequestWorkflow.decide, Decision("officer", Choice.REFUSE, "third copy this month")
    )
    assert (await handle.result()).state is RequestState.REJECTED
    refusal = [n for n in fakes.notices if n.notice is NoticeKind.REFUSAL]
    assert len(refusal) == 1 and refusal[0].reason == "third copy this month"
    assert fakes.hints_seen == []  # no system was touched


async def test_a_fee_is_announced_then_the_officer_lets_it_proceed(harness: Harness) -> None:
    env, fakes, queue = harness
    handle = await start(env, queue, RequestKind.ACCESS, earlier_requests=1)
    await wait_state(harness, handle, RequestState.NEEDS_ATTENTION)
    await handle.execute_update(
        SubjectRequestWorkflow.decide, Decision("officer", Choice.FEE, "further copy: EUR 10")
    )
    await env.sleep(60)
    assert (await handle.query(SubjectRequestWorkflow.progress)).state is (
        RequestState.NEEDS_ATTENTION
    )
    await handle.execute_update(SubjectRequestWorkflow.decide, Decision("officer", Choice.PROCEED))
    await wait_state(harness, handle, RequestState.VERIFYING)
    await handle.execute_update(SubjectRequestWorkflow.verify_identity, VerifyIdentity("a", "x"))
    assert (await handle.result()).state is RequestState.COMPLETED
    assert [e.action for e in fakes.events if e.action.startswith("decided_")] == [
        "decided_fee",
        "decided_proceed",
    ]


async def test_a_first_request_needs_no_decision(harness: Harness) -> None:
    env, _, queue = harness
    handle = await start(env, queue, RequestKind.ACCESS)
    await wait_state(harness, handle, RequestState.VERIFYING)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(SubjectRequestWorkflow.decide, Decision("o", Choice.PROCEED))
    assert "not waiting for an officer" in str(refused.value.cause)
