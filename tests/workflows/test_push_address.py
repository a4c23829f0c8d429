"""A wrong push address is corrected while the push waits for a person, without cancelling."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.kinds import RequestKind, RequestState
from domain.messages import ChangePushAddress, Progress
from tests.fixtures.temporal import finish
from tests.workflows.support import Harness, start
from tests.workflows.test_confirmations import wait_state
from tests.workflows.test_rights import verify
from workflows.subject_request import SubjectRequestWorkflow

WRONG = "https://old-host.example/dsr/v1/imports"
RIGHT = "https://new-host.example/dsr/v1/imports"


async def test_a_corrected_address_is_pushed_to_and_the_request_completes(
    harness: Harness,
) -> None:
    env, fakes, queue = harness
    fakes.push_refusals = 1
    handle = await start(env, queue, RequestKind.PORTABILITY, push_to=WRONG)
    await verify(handle)
    await wait_state(harness, handle, RequestState.NEEDS_ATTENTION)

    answer = await handle.execute_update(
        SubjectRequestWorkflow.change_push_address, ChangePushAddress("agent Sam", RIGHT)
    )

    assert "sent there now" in answer.message
    result = await handle.result()
    assert result.state is RequestState.COMPLETED
    assert [p.url for p in fakes.pushes] == [WRONG, RIGHT]
    changed = [e for e in fakes.events if e.action == "push_address_changed"]
    assert [e.actor for e in changed] == ["agent Sam"]
    # The address stays out of the audit trail; it travels only in encrypted payloads.
    assert not any("new-host" in str(e.details) for e in fakes.events)
    progress: Progress = await handle.query(SubjectRequestWorkflow.progress)
    assert all(not c.error for c in progress.connectors)


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("http://new-host.example/in", "https:// address"),
        ("https://user:pw@new-host.example/in", "no credentials"),
        (WRONG, "the push failed at"),
    ],
)
async def test_an_unusable_correction_is_refused_and_leaves_no_trace(
    harness: Harness, url: str, refusal: str
) -> None:
    env, fakes, queue = harness
    fakes.push_refusals = 1
    handle = await start(env, queue, RequestKind.PORTABILITY, push_to=WRONG)
    try:
        await verify(handle)
        await wait_state(harness, handle, RequestState.NEEDS_ATTENTION)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(
                SubjectRequestWorkflow.change_push_address, ChangePushAddress("agent", url)
            )
        assert refusal in str(refused.value.cause)
        assert not any(e.action == "push_address_changed" for e in fakes.events)
    finally:
        await finish(handle)


async def test_no_correction_while_the_push_is_not_failing(harness: Harness) -> None:
    env, _, queue = harness
    handle = await start(env, queue, RequestKind.PORTABILITY, push_to=WRONG)
    access = await start(env, queue, RequestKind.ACCESS)
    try:
        for request, refusal in ((handle, "not failing now"), (access, "Only a portability")):
            with pytest.raises(WorkflowUpdateFailedError) as refused:
                await request.execute_update(
                    SubjectRequestWorkflow.change_push_address, ChangePushAddress("agent", RIGHT)
                )
            assert refusal in str(refused.value.cause)
    finally:
        await finish(handle)
        await finish(access)
