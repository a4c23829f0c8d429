"""Record the histories that test_replay.py replays: `python -m tests.workflows.record_histories`.

`python -m tests.workflows.record_histories restriction` records only the scenarios named.

Run it after a deliberate change of the workflow's commands (and say so in the commit):
a history recorded before the change that no longer replays means running requests would
break on deploy. The data is synthetic and the payloads are not encrypted, so the files
stay readable in review.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.kinds import RequestKind
from domain.messages import (
    ApprovePlan,
    Choice,
    Decision,
    EnterCode,
    RequestResult,
    RetryFailed,
    SendCode,
    ServicesChoice,
    VerifyIdentity,
)
from domain.records import Confirmation, ConfirmationChannel
from domain.rights import Changes, Field, Purpose
from runtime.temporal import ensure_search_attributes
from stack import BIN
from tests.workflows.support import Fakes, start
from workflows.subject_request import SubjectRequestWorkflow

HISTORIES = Path(__file__).parent / "histories"
Handle = WorkflowHandle[SubjectRequestWorkflow, RequestResult]
VERIFY = VerifyIdentity("agent", "called back")


async def _verified(handle: Handle) -> None:
    await handle.execute_update(SubjectRequestWorkflow.verify_identity, VERIFY)


async def access(env: WorkflowEnvironment, fakes: Fakes, queue: str) -> Handle:
    handle = await start(env, queue, RequestKind.ACCESS)
    await _until(handle, "verifying")
    await handle.execute_update(SubjectRequestWorkflow.send_code, SendCode("agent"))
    await handle.execute_update(SubjectRequestWorkflow.enter_code, EnterCode("agent", "123456"))
    return handle


async def erasure(env: WorkflowEnvironment, fakes: Fakes, queue: str) -> Handle:
    fakes.active_services = [("hosting: business (active)",)]
    fakes.pending["newsletter"] = ConfirmationChannel.WEBHOOK
    handle = await start(env, queue, RequestKind.ERASURE)
    await _verified(handle)
    await _until(handle, "awaiting_approval")
    choice = ApprovePlan("officer", ServicesChoice.TRANSFER_FIRST)
    await handle.execute_update(SubjectRequestWorkflow.approve_plan, choice)
    await handle.execute_update(SubjectRequestWorkflow.approve_plan, ApprovePlan("officer"))
    await _until(handle, "awaiting_confirmation")
    done = Confirmation("newsletter", "job-1", True, "job completed", "registrar webhook d-1")
    await handle.execute_update(SubjectRequestWorkflow.confirm, done)
    return handle


async def rectification(env: WorkflowEnvironment, fakes: Fakes, queue: str) -> Handle:
    changes = Changes({Field.CITY: "Utrecht", Field.PHONE: "+31.301234567"})
    handle = await start(env, queue, RequestKind.RECTIFICATION, changes=changes)
    await _verified(handle)
    return handle


async def objection(env: WorkflowEnvironment, fakes: Fakes, queue: str) -> Handle:
    purposes = (Purpose.DIRECT_MARKETING, Purpose.OTHER)
    handle = await start(env, queue, RequestKind.OBJECTION, purposes=purposes, earlier_requests=1)
    await _until(handle, "needs_attention")
    await handle.execute_update(SubjectRequestWorkflow.decide, Decision("o", Choice.PROCEED))
    await _verified(handle)
    await _until(handle, "needs_attention")
    refuse = Decision("officer", Choice.REFUSE, "fraud prevention outweighs it")
    await handle.execute_update(SubjectRequestWorkflow.decide, refuse)
    return handle


async def portability(env: WorkflowEnvironment, fakes: Fakes, queue: str) -> Handle:
    url = "https://other.example/dsr/v1/imports"
    handle = await start(env, queue, RequestKind.PORTABILITY, push_to=url)
    await _verified(handle)
    return handle


async def restriction(env: WorkflowEnvironment, fakes: Fakes, queue: str) -> Handle:
    fakes.pending["newsletter"] = ConfirmationChannel.TICKET
    fakes.ticket_answers = [None, Confirmation("newsletter", "job-1", True, "done", "ticket")]
    handle = await start(env, queue, RequestKind.RESTRICTION)
    await _verified(handle)
    return handle


async def two_failures(env: WorkflowEnvironment, fakes: Fakes, queue: str) -> Handle:
    fakes.erase_failures = {"billing": 1, "newsletter": 1}
    handle = await start(env, queue, RequestKind.ERASURE)
    await _verified(handle)
    await _until(handle, "awaiting_approval")
    await handle.execute_update(SubjectRequestWorkflow.approve_plan, ApprovePlan("officer"))
    await _until(handle, "needs_attention")
    for _ in range(400):
        if len([e for e in fakes.events if e.action == "needs_attention"]) == 2:
            break
        await asyncio.sleep(0.05)
    await handle.execute_update(SubjectRequestWorkflow.retry_failed, RetryFailed("agent"))
    return handle


async def escalation(env: WorkflowEnvironment, fakes: Fakes, queue: str) -> Handle:
    fakes.pending["newsletter"] = ConfirmationChannel.POLL_QUEUE
    handle = await start(env, queue, RequestKind.ERASURE)
    await _verified(handle)
    await _until(handle, "awaiting_approval")
    await handle.execute_update(SubjectRequestWorkflow.approve_plan, ApprovePlan("officer"))
    await _until(handle, "awaiting_confirmation")
    await env.sleep(timedelta(hours=49))
    await _until(handle, "needs_attention")
    manual = Confirmation("newsletter", "", True, "confirmed by phone", "agent Sam")
    await handle.execute_update(SubjectRequestWorkflow.confirm, manual)
    return handle


async def manual_confirmation(env: WorkflowEnvironment, fakes: Fakes, queue: str) -> Handle:
    """An agent confirms the first of two pending steps; the system confirms the second."""
    fakes.pending["newsletter"] = ConfirmationChannel.WEBHOOK
    fakes.pending_next["newsletter"] = ["job-2"]
    handle = await start(env, queue, RequestKind.ERASURE)
    await _verified(handle)
    await _until(handle, "awaiting_approval")
    await handle.execute_update(SubjectRequestWorkflow.approve_plan, ApprovePlan("officer"))
    await _until(handle, "awaiting_confirmation")
    manual = Confirmation("newsletter", "job-1", True, "confirmed by phone", "agent Sam")
    await handle.execute_update(SubjectRequestWorkflow.confirm, manual)
    for _ in range(400):
        if (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
            return handle  # before `agent-confirms-one-step`: the agent's word was final
        if fakes.erased.count("newsletter") == 2 and len(fakes.registered) == 2:
            done = Confirmation("newsletter", "job-2", True, "job completed", "webhook d-2")
            await handle.execute_update(SubjectRequestWorkflow.confirm, done)
            return handle
        await asyncio.sleep(0.05)
    raise RuntimeError("the second step never became pending")


async def contradicted(env: WorkflowEnvironment, fakes: Fakes, queue: str) -> Handle:
    """The system still reports the step an agent confirmed as pending, then confirms it."""
    fakes.pending["newsletter"] = ConfirmationChannel.WEBHOOK
    fakes.pending_next["newsletter"] = ["job-1"]
    handle = await start(env, queue, RequestKind.ERASURE)
    await _verified(handle)
    await _until(handle, "awaiting_approval")
    await handle.execute_update(SubjectRequestWorkflow.approve_plan, ApprovePlan("officer"))
    await _until(handle, "awaiting_confirmation")
    manual = Confirmation("newsletter", "job-1", True, "confirmed by phone", "agent Sam")
    await handle.execute_update(SubjectRequestWorkflow.confirm, manual)
    await _until(handle, "needs_attention")
    done = Confirmation("newsletter", "job-1", True, "job completed", "webhook d-1")
    await handle.execute_update(SubjectRequestWorkflow.confirm, done)
    return handle


async def _until(handle: Handle, state: str) -> None:
    for _ in range(400):
        if (await handle.query(SubjectRequestWorkflow.progress)).state.value == state:
            return
        await asyncio.sleep(0.05)
    raise RuntimeError(f"never reached {state}")


SCENARIOS: dict[str, Callable[[WorkflowEnvironment, Fakes, str], Awaitable[Handle]]] = {
    "access": access,
    "erasure": erasure,
    "rectification": rectification,
    "objection": objection,
    "portability": portability,
    "restriction": restriction,
    "two_failures": two_failures,
    "escalation": escalation,
    "manual_confirmation": manual_confirmation,
    "contradicted": contradicted,
}


async def main(wanted: set[str]) -> None:
    HISTORIES.mkdir(exist_ok=True)
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    try:
        await ensure_search_attributes(env.client)
        for name, scenario in SCENARIOS.items():
            if wanted and name not in wanted:
                continue
            fakes, queue = Fakes(), f"q-{uuid.uuid4()}"
            async with Worker(
                env.client, task_queue=queue, workflows=[SubjectRequestWorkflow],
                activities=fakes.activities(),
            ):  # fmt: skip
                handle = await scenario(env, fakes, queue)
                await handle.result()
                history = await handle.fetch_history()
            (HISTORIES / f"{name}.json").write_text(history.to_json())
            print(f"recorded {name}: {len(history.events)} events")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main(set(sys.argv[1:])))
