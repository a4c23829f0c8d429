"""With the worker gone (Temporal up), status and actions answer at once and tell the truth;
the audit trail afterwards agrees with what the agent was told."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.kinds import RequestKind, RequestState
from domain.messages import Progress
from services import updates
from services.errors import ActionQueued, WorkerUnavailable
from tests.services.desk import Desk

# What the issue asks of agent actions and status without a worker (issue 14, Must show 2).
STATUS_WITHIN = 5.0
ACTION_WITHIN = 10.0


@pytest_asyncio.fixture
async def desk(dev_server_env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Desk]:
    desk = Desk(dev_server_env, f"q-{uuid.uuid4()}", tmp_path)
    yield desk
    desk.close()


async def verifying_request(desk: Desk, ref: str) -> str:
    """A request waiting for its identity to be verified, then the worker gone."""
    async with desk.worker():
        request_id = await desk.submit("access", ref)
        await desk.reach(ref, RequestState.VERIFYING)
    return request_id


async def test_without_a_worker_status_is_the_last_known_state_and_says_so(desk: Desk) -> None:
    await verifying_request(desk, "DOWN-1")
    started = time.monotonic()
    status = await desk.service.status("DOWN-1")
    assert time.monotonic() - started < STATUS_WITHIN
    assert (status.live, status.state) == (False, RequestState.VERIFYING)
    assert status.agent_ref == "DOWN-1"
    assert "worker is unreachable" in status.worker and "Temporal itself is up" in status.worker
    assert status.kind is RequestKind.ACCESS and status.recorded_at is not None


async def test_an_action_without_a_worker_is_not_sent_and_never_applied(desk: Desk) -> None:
    request_id = await verifying_request(desk, "DOWN-2")
    started = time.monotonic()
    with pytest.raises(WorkerUnavailable, match=r"^Not applied: .*not sent"):
        await desk.service.verify("DOWN-2", "Sam", "called back")
    assert time.monotonic() - started < ACTION_WITHIN
    async with desk.worker():  # the worker is back: nothing waits to be applied
        status = await desk.until("DOWN-2", lambda s: s.live)
        assert (status.live, status.state) == (True, RequestState.VERIFYING)
        assert ("Sam", "identity_verified") not in desk.actions(request_id)
        applied = await desk.service.verify("DOWN-2", "Sam", "called back")
        assert "verified" in applied.message
        await desk.until("DOWN-2", lambda s: s.state is not RequestState.VERIFYING)
    assert desk.actions(request_id).count(("Sam", "identity_verified")) == 1
    await _finish(desk, request_id)


async def test_an_action_sent_as_the_worker_died_is_queued_then_applied(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker answered the probe, then died before taking the action: the agent hears
    it is queued, and it is applied when the worker is back, as they were told."""
    request_id = await verifying_request(desk, "DOWN-3")

    async def answered(_: WorkflowHandle[object, object]) -> Progress:
        return Progress(request_id, RequestKind.ACCESS, RequestState.VERIFYING, date.today())

    monkeypatch.setattr(updates, "ask_progress", answered)
    started = time.monotonic()
    with pytest.raises(ActionQueued) as queued:
        await desk.service.verify("DOWN-3", "Sam", "called back")
    assert time.monotonic() - started < ACTION_WITHIN
    assert str(queued.value) == updates.SENT_NOT_ACCEPTED
    assert ("Sam", "identity_verified") not in desk.actions(request_id)
    async with desk.worker():
        await desk.until("DOWN-3", lambda s: s.live and s.state is not RequestState.VERIFYING)
    assert desk.actions(request_id).count(("Sam", "identity_verified")) == 1
    await _finish(desk, request_id)


async def _finish(desk: Desk, request_id: str) -> None:
    await desk.env.client.get_workflow_handle(f"dsr-{request_id}").terminate("test finished")
