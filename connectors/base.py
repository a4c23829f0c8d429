"""The contract every outside system implements (docs/architecture.md, "The connector contract").

Connectors never import Temporal: activities call them. Personal data goes into the
`RecordSink`; what a connector returns holds only opaque references and counts.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Mapping
from datetime import date
from typing import Any, Protocol, runtime_checkable

from domain.datasets import Dataset
from domain.records import (
    Confirmation,
    ConnectorPlan,
    DatasetRef,
    ExportSummary,
    Located,
    Outcome,
    OutcomeStatus,
    Phase,
    Recipient,
)
from domain.retention import Deletion, RetentionPolicy
from domain.rights import Changes, Purpose
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
    # Every dataset `export` writes, with its category, source, basis, retention and whether
    # Art. 20 covers it; the letters, portability and the policy read these declarations.
    datasets: tuple[Dataset, ...]

    async def locate(self, subject: SubjectIdentifiers, hints: Hints) -> Located:
        """Find the subject; primary systems also return hints for dependent systems."""
        ...

    async def export(self, located: Located, sink: RecordSink) -> ExportSummary:
        """Stream every record of the subject into `sink`, only into declared datasets."""
        ...

    async def plan_erasure(
        self, located: Located, policy: RetentionPolicy, today: date
    ) -> ConnectorPlan:
        """Say per data category what erasure will do: act, retain (why, until) or refuse."""
        ...

    async def erase(self, located: Located, plan: ConnectorPlan) -> Outcome:
        """Carry out the approved plan; idempotent, so a retry of done work is `done`."""
        ...

    async def rectify(self, located: Located, changes: Changes) -> Outcome:
        """Change the corrected fields wherever this system holds them (Art. 16, 19).

        Fields the system does not hold are ignored; what it cannot change (an issued
        invoice, a name inside an issued certificate) is named in the outcome's detail.
        """
        ...

    async def restrict(self, located: Located) -> Outcome:
        """Mark the subject's data as stored-only (Art. 18), or say why the system cannot."""
        ...

    async def object_to(self, located: Located, purposes: tuple[Purpose, ...]) -> Outcome:
        """Stop processing for the purposes objected to (Art. 21); idempotent.

        A system that does not process for a purpose answers NOT_PROCESSED and says so.
        """
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


@runtime_checkable
class RetentionSweeping(Protocol):
    """A system whose records have retention periods (kept past an erasure, or kept at most
    so long); the daily sweep asks it to delete what has expired."""

    name: str

    async def delete_expired(self, today: date, policy: RetentionPolicy) -> tuple[Deletion, ...]:
        """Delete every record whose retention ended on or before `today`; what went."""
        ...


@runtime_checkable
class TicketPolling(Protocol):
    """A connector whose pending outcomes are confirmed by asking the system (channel TICKET)."""

    async def check_pending(self, external_ref: str) -> Confirmation | None:
        """The confirmation once the system has decided; None while it is still pending."""
        ...


class QueuedConfirmation(Protocol):
    """One message of a system's queue that confirms (or refuses) a pending outcome."""

    @property
    def id(self) -> str: ...

    @property
    def external_ref(self) -> str | None:
        """The `Outcome.external_ref` it answers; None for a message about something else."""
        ...

    @property
    def succeeded(self) -> bool: ...

    @property
    def confirmed_by(self) -> str:
        """Who confirmed, as the proof names it (the message and its queue)."""
        ...


class PollQueue(Protocol):
    """Reading a system's message queue; a message stays queued until acknowledged."""

    async def read(self) -> QueuedConfirmation | None:
        """The oldest message, or None when the queue is empty."""
        ...

    async def ack(self, msg_id: str) -> bool:
        """Remove the message; False if it was acknowledged before."""
        ...

    async def aclose(self) -> None: ...


@runtime_checkable
class PollQueueReading(Protocol):
    """A connector whose pending outcomes are confirmed by messages in the system's own
    queue (channel POLL_QUEUE); the worker runs one consumer per such connector."""

    name: str

    def poll_queue(self) -> PollQueue:
        """A reader of the queue, with its own session."""
        ...


def unsupported(connector: str, detail: str) -> Outcome:
    """The answer of a system that cannot do what a right asks; the detail says why."""
    return Outcome(connector, OutcomeStatus.UNSUPPORTED, detail)


def not_processed_for(connector: str, purposes: tuple[Purpose, ...]) -> Outcome:
    """The answer to an objection from a system that does not process for those purposes."""
    names = ", ".join(p.value.replace("_", " ") for p in purposes)
    return Outcome(
        connector, OutcomeStatus.NOT_PROCESSED, f"This system does not process data for: {names}."
    )
