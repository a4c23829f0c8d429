"""SubjectRequestWorkflow on the time-skipping test server, with fake activities."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
import pytest_asyncio
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.kinds import RequestKind, RequestState
from domain.messages import (
    ActionResult,
    ApprovePlan,
    CancelRequest,
    CompileArchiveInput,
    CompileProofInput,
    DeliveryRef,
    EraseInput,
    ExportInput,
    ListConnectorsInput,
    LocateInput,
    PlanInput,
    Progress,
    RecordEventInput,
    RequestInput,
    RequestResult,
    RetryFailed,
    VerifyIdentity,
)
from domain.records import (
    ConnectorInfo,
    ConnectorPlan,
    DatasetRef,
    ExportSummary,
    Located,
    Outcome,
    OutcomeStatus,
    Phase,
    PlanAction,
    PlanItem,
    Recipient,
)
from domain.subject import Hints, SubjectIdentifiers
from workflows.subject_request import SubjectRequestWorkflow

CONNECTORS = [
    ConnectorInfo("billing", Phase.PRIMARY, Recipient("Billing", "own system")),
    ConnectorInfo("newsletter", Phase.DEPENDENT, Recipient("Mailman", "processor")),
]


@dataclass
class Fakes:
    """Stand-ins for the activities, registered under the real activity names."""

    events: list[RecordEventInput] = field(default_factory=list)
    hints_seen: list[Hints] = field(default_factory=list)
    erased: list[str] = field(default_factory=list)
    fail_newsletter_auth: bool = False

    def activities(self) -> list[Callable[..., Any]]:
        @activity.defn(name="list_connectors")
        async def list_connectors(_: ListConnectorsInput) -> list[ConnectorInfo]:
            return CONNECTORS

        @activity.defn(name="locate")
        async def locate(arg: LocateInput) -> Located:
            self.hints_seen.append(arg.hints)
            if arg.connector == "newsletter" and self.fail_newsletter_auth:
                raise ApplicationError(
                    "credentials refused", type="AuthenticationFailed", non_retryable=True
                )
            hints = Hints(customer_ids=("7",)) if arg.connector == "billing" else Hints()
            return Located(arg.connector, True, ("ref:1",), {"rows": 2}, hints)

        @activity.defn(name="export")
        async def export(arg: ExportInput) -> ExportSummary:
            ref = DatasetRef(arg.connector, "rows", f"k/{arg.connector}", 2, "0" * 64)
            return ExportSummary(arg.connector, (ref,))

        @activity.defn(name="plan_erasure")
        async def plan_erasure(arg: PlanInput) -> ConnectorPlan:
            return ConnectorPlan(arg.connector, (PlanItem("rows", PlanAction.ACT, 2),))

        @activity.defn(name="erase")
        async def erase(arg: EraseInput) -> Outcome:
            self.erased.append(arg.connector)
            return Outcome(arg.connector, OutcomeStatus.DONE, "2 rows erased")

        @activity.defn(name="record_event")
        async def record_event(arg: RecordEventInput) -> None:
            self.events.append(arg)

        @activity.defn(name="compile_archive")
        async def compile_archive(arg: CompileArchiveInput) -> DeliveryRef:
            records = sum(e.records for e in arg.exports)
            return DeliveryRef("archive.zip", "a" * 64, 10, records=records)

        @activity.defn(name="compile_proof")
        async def compile_proof(arg: CompileProofInput) -> DeliveryRef:
            return DeliveryRef("proof.json", "b" * 64, 10, records=len(arg.outcomes))

        return [
            list_connectors,
            locate,
            export,
            plan_erasure,
            erase,
            record_event,
            compile_archive,
            compile_proof,
        ]


Harness = tuple[WorkflowEnvironment, "Fakes", str]


@pytest_asyncio.fixture
async def harness(
    time_skipping_env: WorkflowEnvironment,
) -> AsyncIterator[tuple[WorkflowEnvironment, Fakes, str]]:
    fakes = Fakes()
    queue = f"q-{uuid.uuid4()}"
    async with Worker(
        time_skipping_env.client,
        task_queue=queue,
        workflows=[SubjectRequestWorkflow],
        activities=fakes.activities(),
    ):
        yield time_skipping_env, fakes, queue


async def start(
    env: WorkflowEnvironment, queue: str, kind: RequestKind
) -> WorkflowHandle[SubjectRequestWorkflow, RequestResult]:
    request_id = str(uuid.uuid4())
    req = RequestInput(
        request_id=request_id,
        kind=kind,
        subject=SubjectIdentifiers(email="jan@example.nl", name="Jan"),
        agent_ref=f"T-{request_id[:8]}",
        received_at=datetime(2026, 1, 31, 9, tzinfo=UTC),
        due_on=date(2026, 3, 2),
        subject_hash="h" * 32,
    )
    return await env.client.start_workflow(
        SubjectRequestWorkflow.run, req, id=f"dsr-{request_id}", task_queue=queue
    )


async def state_of(handle: WorkflowHandle[SubjectRequestWorkflow, RequestResult]) -> RequestState:
    progress: Progress = await handle.query(SubjectRequestWorkflow.progress)
    return progress.state


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


async def test_refused_actions_leave_no_trace_in_history(harness: Harness) -> None:
    env, _fakes, queue = harness
    handle = await start(env, queue, RequestKind.ACCESS)
    while await state_of(handle) is not RequestState.VERIFYING:
        await env.sleep(1)
    await env.sleep(5)
    before = await meaningful_events(handle)
    for update, arg in [
        ("verify_identity", VerifyIdentity("", "called back")),
        ("verify_identity", VerifyIdentity("a", " ")),
        ("approve_plan", ApprovePlan("a")),
        ("cancel", CancelRequest("a", "")),
        ("retry_failed", RetryFailed("a")),
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
