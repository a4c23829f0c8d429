"""The daily retention sweep: the workflow, the activity, and the schedule the worker creates."""

from __future__ import annotations

import uuid
from datetime import date

from temporalio import activity
from temporalio.client import Client, ScheduleActionStartWorkflow, ScheduleRange
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from activities.connector_ops import ConnectorActivities
from connectors.base import Connector
from domain import names
from domain.messages import SweepInput, SweepResult
from domain.names import SWEEP_WORKFLOW, SWEEP_WORKFLOW_ID
from domain.retention import RetentionPolicy
from worker import ensure_sweep_schedule
from workflows.sweep import RetentionSweepWorkflow


async def test_the_sweep_deletes_as_of_the_workflow_day(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    asked: list[SweepInput] = []

    @activity.defn(name=names.DELETE_EXPIRED.name)
    async def delete_expired(arg: SweepInput) -> SweepResult:
        asked.append(arg)
        assert arg.today is not None
        return SweepResult(arg.today, {"billing": 3})

    queue = f"q-{uuid.uuid4()}"
    env = time_skipping_env
    today = (await env.get_current_time()).date()
    async with Worker(
        env.client, task_queue=queue, workflows=[RetentionSweepWorkflow],
        activities=[delete_expired],
    ):  # fmt: skip
        result = await env.client.execute_workflow(
            RetentionSweepWorkflow.run, SweepInput(), id=f"sweep-{queue}", task_queue=queue
        )
    assert asked == [SweepInput(today)]
    assert result == SweepResult(today, {"billing": 3})


class _Keeper:
    """A connector-shaped double that keeps data past erasure (unit test of the activity)."""

    name = "keeper"

    def __init__(self) -> None:
        self.days: list[date] = []

    async def delete_expired(self, today: date) -> int:
        self.days.append(today)
        return 2

    async def aclose(self) -> None:
        return None


class _Forgetter:
    """A connector-shaped double that keeps nothing: it has no delete_expired."""

    name = "forgetter"

    async def aclose(self) -> None:
        return None


async def test_the_activity_asks_only_systems_that_keep_data() -> None:
    keeper = _Keeper()
    connectors: dict[str, Connector] = {
        "keeper": keeper,  # type: ignore[dict-item]
        "forgetter": _Forgetter(),  # type: ignore[dict-item]
    }
    ops = ConnectorActivities(connectors, RetentionPolicy(), lambda *_: None)  # type: ignore[arg-type]
    result = await ActivityEnvironment().run(ops.delete_expired, SweepInput(date(2033, 3, 1)))
    assert result == SweepResult(date(2033, 3, 1), {"keeper": 2})
    assert keeper.days == [date(2033, 3, 1)]


async def test_the_worker_schedules_the_sweep_daily_once(
    dev_server_env: WorkflowEnvironment,
) -> None:
    # The time-skipping test server has no schedules; the dev server has.
    client: Client = dev_server_env.client
    await ensure_sweep_schedule(client, "dsr")
    await ensure_sweep_schedule(client, "dsr")  # a restarted worker leaves it alone
    handle = client.get_schedule_handle(SWEEP_WORKFLOW_ID)
    described = await handle.describe()
    await handle.delete()
    action = described.schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert action.workflow == SWEEP_WORKFLOW
    # The server keeps the cron expression as a calendar: every day at 02:00.
    (calendar,) = described.schedule.spec.calendars
    assert (calendar.hour, calendar.minute) == ((ScheduleRange(2),), (ScheduleRange(0),))
    assert calendar.day_of_month == (ScheduleRange(1, 31),)
