"""Activities that run one connector operation, under the names in `domain.names`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
)
from datetime import date, timedelta
from typing import TypeVar

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from connectors.base import Connector, Record, RecordSink, RetentionSweeping, TicketPolling
from connectors.errors import AuthenticationFailed, ConnectorError, RateLimited
from domain import names
from domain.datasets import Dataset, portable_names
from domain.messages import (
    CheckPendingInput,
    EraseInput,
    ExportInput,
    ListConnectorsInput,
    LocateInput,
    PendingCheck,
    PlanInput,
    RightInput,
    SweepInput,
    SweepResult,
    SweptRecords,
)
from domain.records import (
    ConfirmationTiming,
    ConnectorInfo,
    ConnectorPlan,
    DatasetRef,
    ExportSummary,
    Located,
    Outcome,
)
from domain.retention import Deletion, RetentionPolicy

T = TypeVar("T")
log = structlog.get_logger()
HEARTBEAT_EVERY = 5.0


class ConnectorActivities:
    """Holds the built connectors; one instance per worker."""

    def __init__(
        self,
        connectors: dict[str, Connector],
        retention: RetentionPolicy,
        sink_for: Callable[[str, str], RecordSink],
        timings: Mapping[str, ConfirmationTiming] | None = None,
    ) -> None:
        self._connectors = connectors
        self._retention = retention
        self._sink_for = sink_for
        self._timings = timings or {}

    @activity.defn(name=names.LIST_CONNECTORS.name)
    async def list_connectors(self, _: ListConnectorsInput) -> list[ConnectorInfo]:
        return [
            ConnectorInfo(
                c.name, c.phase, c.recipient, self._timings.get(c.name, ConfirmationTiming())
            )
            for c in self._connectors.values()
        ]

    @activity.defn(name=names.LOCATE.name)
    async def locate(self, arg: LocateInput) -> Located:
        conn = self._get(arg.connector)
        return await _run(
            arg.request_id, arg.connector, lambda: conn.locate(arg.subject, arg.hints)
        )

    @activity.defn(name=names.EXPORT.name)
    async def export(self, arg: ExportInput) -> ExportSummary:
        conn = self._get(arg.connector)
        inner = self._sink_for(arg.request_id, arg.connector)
        sink = DeclaredSink(inner, arg.connector, conn.datasets, arg.portable_only)
        summary = await _run(arg.request_id, arg.connector, lambda: conn.export(arg.located, sink))
        if arg.portable_only:
            portable = portable_names(conn.datasets)
            kept = tuple(d for d in summary.datasets if d.dataset in portable)
            summary = ExportSummary(summary.connector, kept)
        return summary

    @activity.defn(name=names.RECTIFY.name)
    async def rectify(self, arg: RightInput) -> Outcome:
        conn = self._get(arg.connector)
        if arg.changes is None:
            raise ApplicationError(
                "A rectification needs the corrected fields.", type="BadInput", non_retryable=True
            )
        changes = arg.changes
        return await _run(arg.request_id, arg.connector, lambda: conn.rectify(arg.located, changes))

    @activity.defn(name=names.RESTRICT.name)
    async def restrict(self, arg: RightInput) -> Outcome:
        conn = self._get(arg.connector)
        return await _run(arg.request_id, arg.connector, lambda: conn.restrict(arg.located))

    @activity.defn(name=names.OBJECT_TO.name)
    async def object_to(self, arg: RightInput) -> Outcome:
        conn = self._get(arg.connector)
        return await _run(
            arg.request_id,
            arg.connector,
            lambda: conn.object_to(arg.located, arg.purposes),
        )

    @activity.defn(name=names.PLAN_ERASURE.name)
    async def plan_erasure(self, arg: PlanInput) -> ConnectorPlan:
        conn = self._get(arg.connector)
        return await _run(
            arg.request_id,
            arg.connector,
            lambda: conn.plan_erasure(arg.located, self._retention, arg.today),
        )

    @activity.defn(name=names.ERASE.name)
    async def erase(self, arg: EraseInput) -> Outcome:
        conn = self._get(arg.connector)
        return await _run(arg.request_id, arg.connector, lambda: conn.erase(arg.located, arg.plan))

    @activity.defn(name=names.DELETE_EXPIRED.name)
    async def delete_expired(self, arg: SweepInput) -> SweepResult:
        """The retention sweep: every system that keeps data deletes what has expired."""
        today = arg.today or date.today()
        deleted: dict[str, int] = {}
        swept: list[SweptRecords] = []
        for name, conn in self._connectors.items():
            if isinstance(conn, RetentionSweeping):
                gone = await _run("retention-sweep", name, _sweeper(conn, today, self._retention))
                deleted[name] = sum(len(d.ids) for d in gone)
                swept += [SweptRecords(name, d.category, d.ids) for d in gone]
        log.info("retention_sweep_finished", today=today.isoformat(), deleted=deleted)
        return SweepResult(today, deleted, tuple(swept))

    @activity.defn(name=names.CHECK_PENDING.name)
    async def check_pending(self, arg: CheckPendingInput) -> PendingCheck:
        """Ask a ticket-polling system whether a pending outcome has been decided."""
        conn = self._get(arg.connector)
        if not isinstance(conn, TicketPolling):
            raise ApplicationError(
                f"Connector {arg.connector!r} cannot be polled for confirmations.",
                type="ConnectorMisconfigured",
                non_retryable=True,
            )
        found = await _run(
            arg.request_id,
            arg.connector,
            lambda: conn.check_pending(arg.external_ref),
        )
        return PendingCheck(found)

    def _get(self, name: str) -> Connector:
        try:
            return self._connectors[name]
        except KeyError:
            raise ApplicationError(
                f"Connector {name!r} is not configured on this worker; check policy.toml.",
                type="ConnectorMissing",
                non_retryable=True,
            ) from None

    async def aclose(self) -> None:
        for conn in self._connectors.values():
            await conn.aclose()


def _sweeper(
    conn: RetentionSweeping, today: date, policy: RetentionPolicy
) -> Callable[[], Awaitable[tuple[Deletion, ...]]]:
    return lambda: conn.delete_expired(today, policy)


class DeclaredSink:
    """Stages only declared datasets, and for portability only the ones Art. 20 covers.

    A dataset the connector did not declare would reach the subject with no category,
    source or basis to state, so writing one fails the call (not retried: a developer must
    declare it).
    """

    def __init__(
        self,
        inner: RecordSink,
        connector: str,
        datasets: tuple[Dataset, ...],
        portable_only: bool,
    ) -> None:
        self._inner = inner
        self._connector = connector
        self._declared = {d.name: d for d in datasets}
        self._portable_only = portable_only

    async def write(
        self, dataset: str, records: Iterable[Record] | AsyncIterable[Record]
    ) -> DatasetRef:
        declared = self._declared.get(dataset)
        if declared is None:
            raise ApplicationError(
                f"Connector {self._connector!r} exports dataset {dataset!r}, which it does not "
                f"declare; declare it in connectors/{self._connector}'s datasets.py.",
                type="UndeclaredDataset",
                non_retryable=True,
            )
        if declared.portable or not self._portable_only:
            return await self._inner.write(dataset, records)
        if isinstance(records, AsyncGenerator):
            await records.aclose()
        return DatasetRef(self._connector, dataset, "", 0, "")


async def _run(request_id: str, connector: str, call: Callable[[], Awaitable[T]]) -> T:
    """Run a connector call with heartbeats, logging, and Temporal-shaped errors."""
    info = activity.info()
    bound = log.bind(
        request_id=request_id,
        connector=connector,
        operation=info.activity_type,
        attempt=info.attempt,
    )
    bound.info("connector_call_started")
    async with _heartbeating():
        try:
            result = await call()
        except AuthenticationFailed as err:
            bound.warning("connector_auth_failed")
            raise ApplicationError(
                str(err), type="AuthenticationFailed", non_retryable=True
            ) from None
        except RateLimited as err:
            bound.info("connector_rate_limited", retry_after=err.retry_after)
            raise ApplicationError(
                str(err), type="RateLimited", next_retry_delay=timedelta(seconds=err.retry_after)
            ) from None
        except ConnectorError as err:
            bound.warning("connector_call_failed", error_type=type(err).__name__, final=err.final)
            # A final error is not retried: the request needs attention with it at once.
            raise ApplicationError(
                str(err), type=type(err).__name__, non_retryable=err.final
            ) from None
    bound.info("connector_call_finished")
    return result


@contextlib.asynccontextmanager
async def _heartbeating() -> AsyncIterator[None]:
    """Heartbeat while the call runs, so a dead worker's call is retried quickly elsewhere."""

    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(HEARTBEAT_EVERY)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
