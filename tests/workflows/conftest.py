"""The workflow test harness: a worker with fake activities on the time-skipping server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.workflows.support import Fakes
from workflows.subject_request import SubjectRequestWorkflow


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
