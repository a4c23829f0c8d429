"""The law's clock on the time-skipping server: months pass in milliseconds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain import attributes
from domain.deadlines import due_date, extended_due_date
from domain.kinds import RequestKind, RequestState
from domain.messages import ExtendDeadline, NoticeKind, Progress, VerifyIdentity
from tests.workflows.support import Harness, start, state_of
from tests.workflows.test_confirmations import wait_state
from workflows.subject_request import SubjectRequestWorkflow


async def progress_of(handle: object) -> Progress:
    return await handle.query(SubjectRequestWorkflow.progress)  # type: ignore[attr-defined, no-any-return]


async def erasure_waiting_for_approval(harness: Harness) -> object:
    env = harness[0]
    handle = await start(env, harness[2], RequestKind.ERASURE)
    await handle.execute_update(SubjectRequestWorkflow.verify_identity, VerifyIdentity("a", "x"))
    await wait_state(harness, handle, RequestState.AWAITING_APPROVAL)
    return handle


async def test_extension_before_the_first_period_ends_moves_the_deadline(
    harness: Harness,
) -> None:
    env, fakes, _ = harness
    received = (await env.get_current_time()).date()
    handle = await erasure_waiting_for_approval(harness)
    result = await handle.execute_update(  # type: ignore[attr-defined]
        SubjectRequestWorkflow.extend_deadline, ExtendDeadline("officer", "many systems involved")
    )
    assert extended_due_date(received).isoformat() in str(result.message)
    progress = await progress_of(handle)
    assert progress.extended and progress.due_on == extended_due_date(received)
    assert any(e.action == "deadline_extended" for e in fakes.events)
    # The subject is told, with the reason and the new date (Art. 12(3)).
    told = [n for n in fakes.notices if n.notice is NoticeKind.EXTENSION]
    assert len(told) == 1 and told[0].reason == "many systems involved"
    assert told[0].due_on == extended_due_date(received) and told[0].to == "jan@example.nl"
    with pytest.raises(WorkflowUpdateFailedError) as twice:
        await handle.execute_update(  # type: ignore[attr-defined]
            SubjectRequestWorkflow.extend_deadline, ExtendDeadline("officer", "again")
        )
    assert "already extended" in str(twice.value.cause)


async def test_extension_asked_after_the_first_period_is_refused(harness: Harness) -> None:
    env = harness[0]
    handle = await erasure_waiting_for_approval(harness)
    await env.sleep(timedelta(days=40))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(  # type: ignore[attr-defined]
            SubjectRequestWorkflow.extend_deadline, ExtendDeadline("officer", "too late")
        )
    assert "had to be decided before then" in str(refused.value.cause)
    assert not (await progress_of(handle)).extended


async def test_reminders_fire_and_the_overdue_flag_is_set(harness: Harness) -> None:
    env, fakes, _ = harness
    handle = await erasure_waiting_for_approval(harness)
    await env.sleep(timedelta(days=20))
    assert not [e for e in fakes.events if e.action == "deadline_reminder"]
    await env.sleep(timedelta(days=20))
    await wait_until_overdue(harness, handle)
    reminders = [e.details["days_left"] for e in fakes.events if e.action == "deadline_reminder"]
    assert reminders == [7, 2]
    assert any(e.action == "deadline_passed" for e in fakes.events)
    described = await handle.describe()  # type: ignore[attr-defined]
    assert described.typed_search_attributes.get(attributes.DSR_OVERDUE) is True


async def wait_until_overdue(harness: Harness, handle: object) -> None:
    for _ in range(100):
        if (await progress_of(handle)).overdue:
            return
        await harness[0].sleep(timedelta(minutes=1))
    pytest.fail("the request was never flagged overdue")


async def test_an_unverified_request_is_rejected_when_its_period_ends(harness: Harness) -> None:
    env, fakes, queue = harness
    received = (await env.get_current_time()).date()
    handle = await start(env, queue, RequestKind.ACCESS)
    await env.sleep(timedelta(days=15))
    assert await state_of(handle) is RequestState.VERIFYING
    result = await handle.result()
    assert result.state is RequestState.REJECTED
    assert [n.notice for n in fakes.notices] == [NoticeKind.REJECTED_UNVERIFIED]
    rejected = next(e for e in fakes.events if e.action == "rejected_unverified")
    assert rejected.state is RequestState.REJECTED
    # It waited for the whole first period, not less.
    assert (await env.get_current_time()).date() >= due_date(received)


async def test_the_clock_pauses_until_identity_is_verified(harness: Harness) -> None:
    env, _, queue = harness
    received = (await env.get_current_time()).date()
    handle = await start(env, queue, RequestKind.ERASURE)
    await env.sleep(timedelta(days=10))
    await handle.execute_update(SubjectRequestWorkflow.verify_identity, VerifyIdentity("a", "x"))
    paused = ((await env.get_current_time()).date() - received).days
    assert paused >= 10
    assert (await progress_of(handle)).due_on == due_date(received, paused_days=paused)
