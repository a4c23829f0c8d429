"""SubjectRequestWorkflow on the time-skipping test server, with fake activities."""

from __future__ import annotations

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain import names
from domain.kinds import RequestKind, RequestState
from domain.messages import (
    ActionResult,
    ApprovePlan,
    CancelRequest,
    NoticeKind,
    Progress,
    RequestResult,
    RetryFailed,
    VerifyIdentity,
)
from domain.subject import Hints
from tests.workflows.support import Harness, start, state_of
from workflows.subject_request import SubjectRequestWorkflow


async def meaningful_events(
    handle: WorkflowHandle[SubjectRequestWorkflow, RequestResult],
) -> list[int]:
    """History events apart from workflow-task bookkeeping (which the test server keeps even for
    rejected updates, while a real server drops those speculative tasks)."""
    history = await handle.fetch_history()
    return [e.event_type for e in history.events if e.event_type not in WORKFLOW_TASK_EVENTS]


WORKFLOW_TASK_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
}


async def test_access_completes_with_archive_after_verification(harness: Harness) -> None:
    env, fakes, queue = harness
    handle = await start(env, queue, RequestKind.ACCESS)
    await handle.execute_update(
        SubjectRequestWorkflow.verify_identity, VerifyIdentity("agent-a", "called back")
    )
    result = await handle.result()
    assert result.state is RequestState.COMPLETED
    assert result.archive is not None and result.archive.records == 4
    # Dependent systems search with what the primary system found.
    assert Hints(customer_ids=("7",)) in fakes.hints_seen
    states = [e.state for e in fakes.events if e.state]
    assert states == [
        RequestState.RECEIVED,
        RequestState.VERIFYING,
        RequestState.DISCOVERING,
        RequestState.COMPILING,
        RequestState.COMPLETED,
    ]
    assert len({e.event_key for e in fakes.events}) == len(fakes.events)
    assert [n.notice for n in fakes.notices] == [NoticeKind.ARCHIVE_READY]
    assert fakes.notices[0].name == "Jan"  # the email greets the subject by name


async def test_erasure_waits_for_plan_approval(harness: Harness) -> None:
    env, fakes, queue = harness
    handle = await start(env, queue, RequestKind.ERASURE)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(SubjectRequestWorkflow.approve_plan, ApprovePlan("a"))
    assert "no plan to approve" in str(refused.value.cause)
    await handle.execute_update(
        SubjectRequestWorkflow.verify_identity, VerifyIdentity("agent-a", "called back")
    )
    while await state_of(handle) is not RequestState.AWAITING_APPROVAL:
        await env.sleep(1)
    assert fakes.erased == []
    result: ActionResult = await handle.execute_update(
        SubjectRequestWorkflow.approve_plan, ApprovePlan("officer")
    )
    assert "approved" in result.message
    final = await handle.result()
    assert final.state is RequestState.COMPLETED
    assert sorted(fakes.erased) == ["billing", "newsletter"]
    assert final.proof is not None and final.proof.records == 2
    assert [n.notice for n in fakes.notices] == [NoticeKind.ERASURE_DONE]


async def test_refused_actions_leave_no_trace_in_history(harness: Harness) -> None:
    env, _fakes, queue = harness
    handle = await start(env, queue, RequestKind.ACCESS)
    while await state_of(handle) is not RequestState.VERIFYING:
        await env.sleep(1)
    await env.sleep(5)
    before = await meaningful_events(handle)
    for update, arg in [
        (names.VERIFY_IDENTITY.name, VerifyIdentity("", "called back")),
        (names.VERIFY_IDENTITY.name, VerifyIdentity("a", " ")),
        (names.APPROVE_PLAN.name, ApprovePlan("a")),
        (names.CANCEL.name, CancelRequest("a", "")),
        (names.RETRY_FAILED.name, RetryFailed("a")),
    ]:
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(update, arg)
    assert await meaningful_events(handle) == before
    await handle.execute_update(SubjectRequestWorkflow.cancel, CancelRequest("a", "duplicate"))
    assert (await handle.result()).state is RequestState.CANCELLED


async def test_cancel_before_verification_ends_cancelled(harness: Harness) -> None:
    env, fakes, queue = harness
    handle = await start(env, queue, RequestKind.ERASURE)
    await handle.execute_update(SubjectRequestWorkflow.cancel, CancelRequest("a", "withdrawn"))
    result = await handle.result()
    assert result.state is RequestState.CANCELLED
    assert fakes.erased == []
    assert fakes.events[-1].action == "request_cancelled"


async def test_authentication_failure_needs_attention_then_retry(harness: Harness) -> None:
    env, fakes, queue = harness
    fakes.fail_newsletter_auth = True
    handle = await start(env, queue, RequestKind.ACCESS)
    await handle.execute_update(
        SubjectRequestWorkflow.verify_identity, VerifyIdentity("agent-a", "called back")
    )
    while await state_of(handle) is not RequestState.NEEDS_ATTENTION:
        await env.sleep(1)
    progress: Progress = await handle.query(SubjectRequestWorkflow.progress)
    assert "credentials refused" in progress.attention
    fakes.fail_newsletter_auth = False
    await handle.execute_update(SubjectRequestWorkflow.retry_failed, RetryFailed("agent-a"))
    assert (await handle.result()).state is RequestState.COMPLETED
