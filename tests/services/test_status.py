"""Status from a running workflow, as `dsr status` prints it: a call being retried, the
approval given, the day an unverified request is rejected, the reason a wait stops."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from rich.console import Console
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from cli import render
from domain import names
from domain.kinds import RequestState
from domain.messages import ApprovePlan, LocateInput, ServicesChoice
from domain.records import Located
from services.requests import RequestStatus
from services.status import RetryingCall
from tests.services.desk import Desk

UNAVAILABLE = "Mailman answered 503 Service Unavailable"


@pytest_asyncio.fixture
async def desk(dev_server_env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Desk]:
    desk = Desk(dev_server_env, f"q-{uuid.uuid4()}", tmp_path)
    yield desk
    desk.close()


@pytest_asyncio.fixture
async def failing(dev_server_env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Desk]:
    """A desk whose newsletter cannot be reached for now."""

    @activity.defn(name=names.LOCATE.name)
    async def locate(arg: LocateInput) -> Located:
        if arg.connector == "newsletter":  # down for now: Temporal retries the call
            raise ApplicationError(UNAVAILABLE, type="SystemUnavailable")
        return Located(arg.connector, True, ("ref:1",), {"rows": 2})

    desk = Desk(dev_server_env, f"q-{uuid.uuid4()}", tmp_path, overrides=[locate])
    yield desk
    desk.close()


def shown(status: RequestStatus, width: int = 70) -> str:
    """What `dsr status` prints, its lines joined."""
    console = Console(width=width, record=True, color_system=None)
    render.status(console, status)
    return " ".join(console.export_text().split())


async def test_a_call_being_retried_shows_its_attempt_and_last_error(failing: Desk) -> None:
    desk = failing
    async with desk.worker():
        request_id = await desk.submit("access", "RETRY-1")
        await desk.reach("RETRY-1", RequestState.VERIFYING)
        await desk.service.verify("RETRY-1", "Sam", "called back")
        status = await desk.until("RETRY-1", lambda s: any(r.attempt >= 2 for r in s.retrying))
        (call,) = status.retrying
        assert call == RetryingCall("newsletter", "locate", call.attempt, UNAVAILABLE)
        text = shown(status)
        assert "locate (retrying)" in text
        assert f"newsletter: retrying (attempt {call.attempt}, last error: {UNAVAILABLE})" in text
    await desk.env.client.get_workflow_handle(f"dsr-{request_id}").terminate("test finished")


async def test_approval_shows_the_choice_and_never_asks_again(desk: Desk) -> None:
    desk.fakes.active_services = [("vps.example.nl",)]
    async with desk.worker():
        request_id = await desk.submit("erasure", "APPROVE-1")
        await desk.reach("APPROVE-1", RequestState.VERIFYING)
        await desk.service.verify("APPROVE-1", "Sam", "called back")
        waiting = shown(await desk.reach("APPROVE-1", RequestState.AWAITING_APPROVAL))
        assert "Erasure ends these active services: vps.example.nl" in waiting
        assert "--terminate" in waiting
        await desk.service.approve("APPROVE-1", "Olaf", "terminate")
        done = await desk.reach("APPROVE-1", RequestState.COMPLETED)
    assert done.approval == ApprovePlan("Olaf", ServicesChoice.TERMINATE)
    text = shown(done)
    assert "Approved by Olaf; the active services end with the erasure." in text
    assert "--terminate" not in text and "Approve with" not in text
    assert desk.actions(request_id)[-1] == ("system", "proof_delivered")


async def test_transfer_first_shows_that_the_erasure_waits(desk: Desk) -> None:
    desk.fakes.active_services = [("domain example.nl",), ()]
    async with desk.worker():
        request_id = await desk.submit("erasure", "TRANSFER-1")
        await desk.reach("TRANSFER-1", RequestState.VERIFYING)
        await desk.service.verify("TRANSFER-1", "Sam", "called back")
        await desk.reach("TRANSFER-1", RequestState.AWAITING_APPROVAL)
        await desk.service.approve("TRANSFER-1", "Olaf", "transfer-first")
        status = await desk.until("TRANSFER-1", lambda s: s.transfer_pending)
        text = shown(status, width=200)
        assert "the erasure waits while the subject transfers domain example.nl" in text
        assert "--terminate" not in text
    await _finish(desk, request_id)


async def test_an_unverified_request_names_the_day_it_is_rejected(desk: Desk) -> None:
    async with desk.worker():
        request_id = await desk.submit("access", "UNVERIFIED-1")
        status = await desk.reach("UNVERIFIED-1", RequestState.VERIFYING)
    assert status.rejects_unverified_on is not None
    rejects = f"{status.rejects_unverified_on:%Y-%m-%d}"
    assert f"closes as rejected on {rejects} unless the identity is verified" in shown(status)
    await _finish(desk, request_id)


async def test_waiting_stops_when_the_request_needs_attention(desk: Desk) -> None:
    desk.fakes.fail_newsletter_auth = True
    stops = {RequestState.COMPLETED, RequestState.NEEDS_ATTENTION}
    async with desk.worker():
        request_id = await desk.submit("access", "STUCK-1")
        await desk.reach("STUCK-1", RequestState.VERIFYING)
        await desk.service.verify("STUCK-1", "Sam", "called back")
        stuck = await asyncio.wait_for(desk.service.wait_for("STUCK-1", stops), 60)
    assert stuck.state is RequestState.NEEDS_ATTENTION
    assert "credentials refused" in render.stopped_short(stuck, RequestState.COMPLETED)
    await _finish(desk, request_id)


async def _finish(desk: Desk, request_id: str) -> None:
    await desk.env.client.get_workflow_handle(f"dsr-{request_id}").terminate("test finished")
