"""The contract every outside system implements (ARCHITECTURE §4).

Connectors never import Temporal: activities call them. Personal data goes into the
`RecordSink`; what a connector returns holds only opaque references and counts.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Mapping
from datetime import date
from typing import Any, Protocol, runtime_checkable

from domain.records import (
    Confirmation,
    ConnectorPlan,
    DatasetRef,
    ExportSummary,
    Located,
    Outcome,
    Phase,
    Recipient,
)
from domain.retention import RetentionPolicy
from domain.subject import Hints, SubjectIdentifiers

Record = Mapping[str, Any]


class RecordSink(Protocol):
    """Where a connector streams the subject's records, one dataset at a time."""

    async def write(
        self, dataset: str, records: Iterable[Record] | AsyncIterable[Record]
    ) -> DatasetRef:
        """Stage all records of `dataset`, replacing an earlier copy (so retries stay exact)."""
        ...


@runtime_checkable
class Connector(Protocol):
    name: str
    phase: Phase
    recipient: Recipient

    async def locate(self, subject: SubjectIdentifiers, hints: Hints) -> Located:
        """Find the subject; primary systems also return hints for dependent systems."""
        ...

    async def export(self, located: Located, sink: RecordSink) -> ExportSummary:
        """Stream every record of the subject into `sink`."""
        ...

    async def plan_erasure(
        self, located: Located, policy: RetentionPolicy, today: date
    ) -> ConnectorPlan:
        """Say per data category what erasure will do: act, retain (why, until) or refuse."""
        ...

    async def erase(self, located: Located, plan: ConnectorPlan) -> Outcome:
        """Carry out the approved plan; idempotent, so a retry of done work is `done`."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


@runtime_checkable
class TicketPolling(Protocol):
    """A connector whose pending outcomes are confirmed by asking the system (channel TICKET)."""

    async def check_pending(self, external_ref: str) -> Confirmation | None:
        """The confirmation once the system has decided; None while it is still pending."""
        ...
