"""Status while a system's call is retried: which system, which attempt, the last error."""

from __future__ import annotations

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
from domain.messages import LocateInput
from domain.records import Located
from services.status import RetryingCall
from tests.services.desk import Desk

UNAVAILABLE = "Mailman answered 503 Service Unavailable"


@pytest_asyncio.fixture
async def desk(dev_server_env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Desk]:
    @activity.defn(name=names.LOCATE.name)
    async def locate(arg: LocateInput) -> Located:
        if arg.connector == "newsletter":  # down for now: Temporal retries the call
            raise ApplicationError(UNAVAILABLE, type="SystemUnavailable")
        return Located(arg.connector, True, ("ref:1",), {"rows": 2})

    desk = Desk(dev_server_env, f"q-{uuid.uuid4()}", tmp_path, overrides=[locate])
    yield desk
    desk.close()


async def test_a_call_being_retried_shows_its_attempt_and_last_error(desk: Desk) -> None:
    async with desk.worker():
        request_id = await desk.submit("access", "RETRY-1")
        await desk.reach("RETRY-1", RequestState.VERIFYING)
        await desk.service.verify("RETRY-1", "Sam", "called back")
        status = await desk.until("RETRY-1", lambda s: any(r.attempt >= 2 for r in s.retrying))
        (call,) = status.retrying
        assert call == RetryingCall("newsletter", "locate", call.attempt, UNAVAILABLE)
        console = Console(width=70, record=True, color_system=None)
        render.status(console, status)
        shown = " ".join(console.export_text().split())
        assert "locate (retrying)" in shown
        assert f"newsletter: retrying (attempt {call.attempt}, last error: {UNAVAILABLE})" in shown
    await desk.env.client.get_workflow_handle(f"dsr-{request_id}").terminate("test finished")
