"""The daily retention sweep: every record goes on the day its retention ends.

A Temporal schedule (`dsr-retention-sweep`, created by the worker) starts this workflow
every day; `dsr sweep` starts it at once. Each system deletes what the policy's retention
rules no longer allow it to keep (docs/law.md); every deletion is written to the audit
trail `retention-sweep-<day>`. Running it twice on one day deletes nothing more.
"""

from __future__ import annotations

from datetime import date, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.messages import RecordEventInput, SweepInput, SweepResult


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
        await _audit(today, result)
        return result


# Ids listed in one audit event; beyond this the event gives the count only.
AUDIT_IDS = 200


async def _audit(today: date, result: SweepResult) -> None:
    """One audit event per system and rule, in the trail of the day's sweep."""
    trail = f"retention-sweep-{today.isoformat()}"
    run = workflow.info().run_id
    for index, swept in enumerate(result.swept):
        ids = swept.ids if len(swept.ids) <= AUDIT_IDS else ()
        await workflow.execute_activity(
            names.RECORD_EVENT.name,
            RecordEventInput(
                request_id=trail,
                event_key=f"{run}:{index}",
                actor="retention sweep",
                action="retention_deleted",
                details={
                    "system": swept.system,
                    "rule": swept.category,
                    "records": len(swept.ids),
                    "ids": ",".join(ids) or None,
                },
            ),
            result_type=names.RECORD_EVENT.result,
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
        )
