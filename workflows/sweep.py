"""The daily retention sweep: data kept after erasure is deleted the day its retention ends.

A Temporal schedule (`dsr-retention-sweep`, created by the worker) starts this workflow
every day; `dsr sweep` starts it at once. It only ever deletes what erasure already
restricted and dated (`delete_after`), so running it twice on one day changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.messages import SweepInput, SweepResult


@workflow.defn(name=names.SWEEP_WORKFLOW)
class RetentionSweepWorkflow:
    @workflow.run
    async def run(self, arg: SweepInput | None = None) -> SweepResult:
        today = (arg.today if arg and arg.today else None) or workflow.now().date()
        result: SweepResult = await workflow.execute_activity(
            names.DELETE_EXPIRED.name,
            SweepInput(today),
            result_type=names.DELETE_EXPIRED.result,
            start_to_close_timeout=timedelta(hours=1),
            heartbeat_timeout=timedelta(seconds=20),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=10), maximum_attempts=10),
        )
        return result
