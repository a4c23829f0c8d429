"""The daily retention sweep: the workflow, the activity, and the schedule the worker creates."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert
from temporalio import activity
from temporalio.client import Client, ScheduleActionStartWorkflow, ScheduleRange
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from activities.bookkeeping import BookkeepingActivities
from activities.connector_ops import ConnectorActivities
from connectors.base import Connector
from connectors.billing import BillingConnector
from connectors.billing import wire as schema
from domain import names
from domain.deadlines import add_months
from domain.messages import SweepInput, SweepResult, SweptRecords
from domain.names import SWEEP_WORKFLOW, SWEEP_WORKFLOW_ID
from domain.retention import Deletion, RetentionPolicy
from store.audit import AuditTrail
from store.confirmations import PendingConfirmations
from store.db import make_engine, upgrade
from store.registry import RequestRegistry
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

    async def delete_expired(self, today: date, policy: RetentionPolicy) -> tuple[Deletion, ...]:
        self.days.append(today)
        return (Deletion("invoices", ("invoices:1", "invoices:2")),)

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
    swept = (SweptRecords("keeper", "invoices", ("invoices:1", "invoices:2")),)
    assert result == SweepResult(date(2033, 3, 1), {"keeper": 2}, swept)
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


async def test_the_daily_sweep_with_the_clock_moved_on_deletes_and_audits_each_rule(
    time_skipping_env: WorkflowEnvironment, admin_engine: Engine, tmp_path: Path
) -> None:
    """Must show: the sweep, run after the clock moved 29 days, removes a call recording then
    31 days old, a web log line 2 years and 1 day old and an account inactive 7 years and 1
    day; keeps their siblings a day or two younger; and writes each deletion to the audit
    trail."""
    env = time_skipping_env
    start = (await env.get_current_time()).date()
    sweep_day = start + timedelta(days=29)
    rows = _retention_rows(admin_engine, start, sweep_day)
    store = make_engine(f"sqlite:///{tmp_path / 'dsr.sqlite3'}")
    upgrade(store)
    trail = AuditTrail(store)
    billing = BillingConnector(admin_engine)
    ops = ConnectorActivities({"billing": billing}, RetentionPolicy(), lambda *_: None)  # type: ignore[arg-type]
    books = BookkeepingActivities(RequestRegistry(store), trail, PendingConfirmations(store))
    queue = f"q-{uuid.uuid4()}"
    async with Worker(
        env.client, task_queue=queue, workflows=[RetentionSweepWorkflow],
        activities=[ops.delete_expired, books.record_event],
    ):  # fmt: skip
        await env.sleep(timedelta(days=29))
        result = await env.client.execute_workflow(
            RetentionSweepWorkflow.run, SweepInput(), id=f"sweep-{queue}", task_queue=queue
        )
    assert result.today == sweep_day
    gone = {i for s in result.swept for i in s.ids}
    for name, row in rows.items():
        assert (row in gone) is name.startswith("old"), name
    events = trail.events(f"retention-sweep-{sweep_day.isoformat()}")
    audited = {e.details["rule"]: e.details for e in events if e.action == "retention_deleted"}
    for name, rule in (("old call", "call_recordings"), ("old log", "web_logs"),
                       ("old account", "inactive_accounts")):  # fmt: skip
        assert rows[name] in str(audited[rule]["ids"]).split(","), rule
    assert trail.verify(f"retention-sweep-{sweep_day.isoformat()}").ok
    store.dispose()


def _retention_rows(engine: Engine, start: date, sweep_day: date) -> dict[str, str]:
    """A sibling just past each rule's limit on `sweep_day` ("old …"), one just short of it."""

    def add(table: Any, **values: Any) -> str:
        with engine.begin() as conn:
            key = conn.execute(insert(table).values(**values)).inserted_primary_key
        assert key is not None
        return f"{table.name}:{key[0]}"

    def noon(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 12)

    host = add(schema.customers, customer_number="T-HOST", name="T", email="t@example.test",
               language="en", created_at=noon(start))  # fmt: skip
    cid = int(host.split(":")[1])
    two_years, seven_years = add_months(sweep_day, -24), add_months(sweep_day, -84)
    rows = {
        "old call": add(schema.call_recordings, customer_id=cid, duration_s=5, storage_ref="a",
                        recorded_at=noon(start - timedelta(days=2))),
        "young call": add(schema.call_recordings, customer_id=cid, duration_s=5, storage_ref="b",
                          recorded_at=noon(start)),
        "old log": add(schema.web_logs, customer_id=cid, site="t.test", path="/",
                       client_ip="192.0.2.1", logged_at=noon(two_years - timedelta(days=1))),
        "young log": add(schema.web_logs, customer_id=cid, site="t.test", path="/",
                         client_ip="192.0.2.1", logged_at=noon(two_years + timedelta(days=1))),
    }  # fmt: skip
    for name, day in (("old account", seven_years - timedelta(days=1)),
                      ("young account", seven_years + timedelta(days=1))):  # fmt: skip
        rows[name] = add(schema.customers, customer_number=f"T-{name[:3]}", name="T",
                         email=f"{name[:3]}@example.test", language="en",
                         created_at=noon(day), closed_at=noon(day))  # fmt: skip
    return rows
