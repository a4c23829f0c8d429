"""The request workflow against real systems: the real connector and push activities reach
the simulators over the network, the fakes stand in only for bookkeeping (audit trail,
routing table, documents, email). On the dev server, so time passes as it does in production:
a retry waits its real backoff."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from domain.kinds import RequestState
from domain.messages import Progress, RequestResult
from tests.workflows.support import Fakes
from workflows.subject_request import SubjectRequestWorkflow

Handle = WorkflowHandle[SubjectRequestWorkflow, RequestResult]


def activity_name(fn: Callable[..., Any]) -> str:
    return str(getattr(fn, "__temporal_activity_definition").name)


def activities_of(*holders: object) -> list[Callable[..., Any]]:
    """The activity methods of the given objects (ConnectorActivities, PushActivities, ...)."""
    found = []
    for holder in holders:
        for name in dir(type(holder)):
            method = getattr(holder, name)
            if callable(method) and hasattr(method, "__temporal_activity_definition"):
                found.append(method)
    return found


@asynccontextmanager
async def real_worker(client: Client, fakes: Fakes, *holders: object) -> AsyncIterator[str]:
    """A worker on a fresh task queue: the holders' activities, the fakes for the others."""
    real = activities_of(*holders)
    taken = {activity_name(fn) for fn in real}
    rest = [fn for fn in fakes.activities() if activity_name(fn) not in taken]
    queue = f"q-{uuid.uuid4()}"
    async with Worker(
        client, task_queue=queue, workflows=[SubjectRequestWorkflow], activities=real + rest
    ):
        yield queue


async def progress_of(handle: Handle) -> Progress:
    progress: Progress = await handle.query(SubjectRequestWorkflow.progress)
    return progress


async def until_state(handle: Handle, state: RequestState, within: float = 30.0) -> float:
    """Poll until the request is in `state`; the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if (await progress_of(handle)).state is state:
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    current = (await progress_of(handle)).state.value
    pytest.fail(f"the request did not reach {state.value} in {within:g} s; it is {current}")
