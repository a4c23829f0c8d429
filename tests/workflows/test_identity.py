"""Identity by an emailed one-time code, through the workflow's updates (fake activities)."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.kinds import RequestKind, RequestState
from domain.messages import EnterCode, SendCode, VerifyIdentity
from tests.fixtures.temporal import finish
from tests.workflows.support import Harness, start, state_of
from tests.workflows.test_confirmations import wait_state
from workflows.identity import CODE_METHOD
from workflows.subject_request import SubjectRequestWorkflow


async def test_the_right_code_verifies_and_the_request_goes_on(harness: Harness) -> None:
    env, fakes, queue = harness
    handle = await start(env, queue, RequestKind.ACCESS)
    await wait_state(harness, handle, RequestState.VERIFYING)
    sent = await handle.execute_update(SubjectRequestWorkflow.send_code, SendCode("agent"))
    assert "address on file" in sent.message and "2030-01-01 12:30 UTC" in sent.message
    assert fakes.codes_sent == 1

    with pytest.raises(WorkflowUpdateFailedError) as wrong:
        await handle.execute_update(SubjectRequestWorkflow.enter_code, EnterCode("a", "654321"))
    assert "4 attempt(s) left" in str(wrong.value.cause)
    assert await state_of(handle) is RequestState.VERIFYING

    await handle.execute_update(SubjectRequestWorkflow.enter_code, EnterCode("agent", "123456"))
    assert (await handle.result()).state is RequestState.COMPLETED
    verified = [e for e in fakes.events if e.action == "identity_verified"]
    assert [e.details["method"] for e in verified] == [CODE_METHOD]
    assert "verification_code_refused" in [e.action for e in fakes.events]


async def test_a_code_is_refused_when_the_email_is_not_on_file(harness: Harness) -> None:
    env, fakes, queue = harness
    fakes.email_on_file = False
    handle = await start(env, queue, RequestKind.ACCESS)
    await wait_state(harness, handle, RequestState.VERIFYING)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(SubjectRequestWorkflow.send_code, SendCode("agent"))
    assert "not on file" in str(refused.value.cause)
    assert await state_of(handle) is RequestState.VERIFYING
    await finish(handle)


@pytest.mark.parametrize("code", ["12345", "1234567", "12a456", ""])
async def test_a_malformed_code_is_refused_before_anything_runs(
    harness: Harness, code: str
) -> None:
    env, fakes, queue = harness
    handle = await start(env, queue, RequestKind.ACCESS)
    await wait_state(harness, handle, RequestState.VERIFYING)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(SubjectRequestWorkflow.enter_code, EnterCode("a", code))
    assert "6 digits" in str(refused.value.cause)
    assert not [e for e in fakes.events if "code" in e.action]
    await finish(handle)


async def test_no_code_once_the_identity_is_verified(harness: Harness) -> None:
    env, fakes, queue = harness
    handle = await start(env, queue, RequestKind.ACCESS)
    await wait_state(harness, handle, RequestState.VERIFYING)
    await handle.execute_update(
        SubjectRequestWorkflow.verify_identity, VerifyIdentity("agent", "called back")
    )
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(SubjectRequestWorkflow.send_code, SendCode("agent"))
    assert "already verified" in str(refused.value.cause)
    assert fakes.codes_sent == 0
    await finish(handle)
