"""Rectification, restriction, objection and portability through the workflow (fakes)."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.kinds import RequestKind, RequestState
from domain.messages import (
    Choice,
    Decision,
    NoticeKind,
    Progress,
    RetryFailed,
    VerifyIdentity,
)
from domain.records import Confirmation, ConfirmationChannel, OutcomeStatus
from domain.rights import Changes, Field, Purpose
from tests.workflows.support import Harness, start
from tests.workflows.test_confirmations import wait_state
from workflows.subject_request import SubjectRequestWorkflow

CHANGES = Changes({Field.CITY: "Utrecht", Field.PHONE: "+31.301234567"})


async def verify(handle: object) -> None:
    await handle.execute_update(  # type: ignore[attr-defined]
        SubjectRequestWorkflow.verify_identity, VerifyIdentity("agent", "called back")
    )


async def test_rectification_changes_every_system_and_proves_it(harness: Harness) -> None:
    env, fakes, queue = harness
    handle = await start(env, queue, RequestKind.RECTIFICATION, changes=CHANGES)
    await verify(handle)
    result = await handle.result()

    assert result.state is RequestState.COMPLETED
    assert sorted((op, c) for op, c, _ in fakes.rights) == [
        ("rectify", "billing"),
        ("rectify", "newsletter"),
    ]
    assert all(arg.changes == CHANGES for _, _, arg in fakes.rights)
    assert fakes.erased == []  # nothing is erased by a rectification
    (proof,) = fakes.proofs
    assert proof.kind is RequestKind.RECTIFICATION
    assert proof.fields == ("phone", "city")  # names only, in the order of Field
    assert {o.status for o in result.outcomes} == {OutcomeStatus.DONE}
    (done,) = [n for n in fakes.notices if n.notice is NoticeKind.RIGHT_DONE]
    assert done.kind is RequestKind.RECTIFICATION


async def test_a_pending_rectification_waits_for_its_confirmation(harness: Harness) -> None:
    env, fakes, queue = harness
    fakes.pending["newsletter"] = ConfirmationChannel.WEBHOOK
    handle = await start(env, queue, RequestKind.RECTIFICATION, changes=CHANGES)
    await verify(handle)
    await wait_state(harness, handle, RequestState.AWAITING_CONFIRMATION)
    await handle.execute_update(
        SubjectRequestWorkflow.confirm,
        Confirmation("newsletter", "job-1", True, "changed", "webhook:registrar"),
    )
    result = await handle.result()
    assert result.state is RequestState.COMPLETED
    newsletter = next(o for o in result.outcomes if o.connector == "newsletter")
    assert newsletter.status is OutcomeStatus.DONE
    assert newsletter.confirmed_by == "webhook:registrar"
    # Called again after the confirmation, to complete what depended on it.
    assert [c for op, c, _ in fakes.rights if c == "newsletter"] == ["newsletter"] * 2


async def test_restriction_asks_every_system(harness: Harness) -> None:
    env, fakes, queue = harness
    handle = await start(env, queue, RequestKind.RESTRICTION)
    await verify(handle)
    assert (await handle.result()).state is RequestState.COMPLETED
    assert sorted(c for op, c, _ in fakes.rights if op == "restrict") == ["billing", "newsletter"]
    assert fakes.proofs[0].kind is RequestKind.RESTRICTION


async def test_objection_to_marketing_needs_no_officer(harness: Harness) -> None:
    env, fakes, queue = harness
    purposes = (Purpose.DIRECT_MARKETING, Purpose.PROFILING)
    handle = await start(env, queue, RequestKind.OBJECTION, purposes=purposes)
    await verify(handle)
    assert (await handle.result()).state is RequestState.COMPLETED
    assert {arg.purposes for _, _, arg in fakes.rights} == {purposes}
    assert fakes.proofs[0].purposes == purposes


async def test_an_upheld_objection_to_another_purpose_reaches_every_system(
    harness: Harness,
) -> None:
    env, fakes, queue = harness
    purposes = (Purpose.DIRECT_MARKETING, Purpose.OTHER)
    handle = await start(env, queue, RequestKind.OBJECTION, purposes=purposes)
    await verify(handle)
    await wait_state(harness, handle, RequestState.NEEDS_ATTENTION)
    progress: Progress = await handle.query(SubjectRequestWorkflow.progress)
    assert "officer weighs it" in progress.attention
    assert fakes.rights == []  # nothing happens before the officer decides
    with pytest.raises(WorkflowUpdateFailedError) as fee:
        await handle.execute_update(SubjectRequestWorkflow.decide, Decision("o", Choice.FEE, "x"))
    assert "no fee applies" in str(fee.value.cause)
    await handle.execute_update(SubjectRequestWorkflow.decide, Decision("officer", Choice.PROCEED))
    assert (await handle.result()).state is RequestState.COMPLETED
    assert {arg.purposes for _, _, arg in fakes.rights} == {purposes}


async def test_a_refused_objection_keeps_marketing_stopped_and_says_why(harness: Harness) -> None:
    env, fakes, queue = harness
    handle = await start(
        env, queue, RequestKind.OBJECTION, purposes=(Purpose.DIRECT_MARKETING, Purpose.OTHER)
    )
    await verify(handle)
    await wait_state(harness, handle, RequestState.NEEDS_ATTENTION)
    await handle.execute_update(
        SubjectRequestWorkflow.decide,
        Decision("officer", Choice.REFUSE, "fraud prevention outweighs the objection"),
    )
    assert (await handle.result()).state is RequestState.COMPLETED
    assert {arg.purposes for _, _, arg in fakes.rights} == {(Purpose.DIRECT_MARKETING,)}
    (refusal,) = [n for n in fakes.notices if n.notice is NoticeKind.REFUSAL]
    assert refusal.reason == "fraud prevention outweighs the objection"


async def test_an_objection_only_to_another_purpose_can_be_refused_outright(
    harness: Harness,
) -> None:
    env, fakes, queue = harness
    handle = await start(env, queue, RequestKind.OBJECTION, purposes=(Purpose.OTHER,))
    await verify(handle)
    await wait_state(harness, handle, RequestState.NEEDS_ATTENTION)
    await handle.execute_update(
        SubjectRequestWorkflow.decide, Decision("officer", Choice.REFUSE, "legal obligation")
    )
    assert (await handle.result()).state is RequestState.REJECTED
    assert fakes.rights == []
    assert [e.action for e in fakes.events][-1] == "objection_refused"


async def test_portability_exports_only_portable_data_and_pushes_it(harness: Harness) -> None:
    env, fakes, queue = harness
    handle = await start(
        env, queue, RequestKind.PORTABILITY, push_to="https://other.example/dsr/v1/imports"
    )
    await verify(handle)
    result = await handle.result()
    assert result.state is RequestState.COMPLETED
    assert fakes.exports and all(e.portable_only for e in fakes.exports)
    (push,) = fakes.pushes
    assert push.url == "https://other.example/dsr/v1/imports"
    assert result.receipt is not None and result.receipt.receipt == "imp-1"
    pushed = [e for e in fakes.events if e.action == "archive_pushed"]
    assert pushed[0].details["sha256_matches"] is True
    (ready,) = [n for n in fakes.notices if n.notice is NoticeKind.ARCHIVE_READY]
    assert ready.kind is RequestKind.PORTABILITY


async def test_a_refused_push_waits_for_an_agent_then_is_tried_again(harness: Harness) -> None:
    env, fakes, queue = harness
    fakes.push_refusals = 1
    handle = await start(env, queue, RequestKind.PORTABILITY, push_to="https://x.example/in")
    await verify(handle)
    await wait_state(harness, handle, RequestState.NEEDS_ATTENTION)
    progress: Progress = await handle.query(SubjectRequestWorkflow.progress)
    assert "other-controller push_archive failed" in progress.attention
    await handle.execute_update(SubjectRequestWorkflow.retry_failed, RetryFailed("agent"))
    result = await handle.result()
    assert result.state is RequestState.COMPLETED
    assert len(fakes.pushes) == 2


async def test_access_exports_everything(harness: Harness) -> None:
    env, fakes, queue = harness
    handle = await start(env, queue, RequestKind.ACCESS)
    await verify(handle)
    await handle.result()
    assert fakes.exports and not any(e.portable_only for e in fakes.exports)
    assert fakes.pushes == []
