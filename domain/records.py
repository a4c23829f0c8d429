"""What connectors hand back to the workflow: references and counts, never personal data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from domain.subject import Hints


class Phase(StrEnum):
    """Primary systems resolve the subject; dependent ones search by what primaries found."""

    PRIMARY = "primary"
    DEPENDENT = "dependent"


@dataclass(frozen=True)
class Recipient:
    """Who a system's operator is, for the Art. 15 and Art. 19 texts."""

    name: str
    role: str
    country: str = "NL"
    outside_eu: bool = False
    # Our own systems are not recipients in the sense of Art. 19.
    in_house: bool = False


@dataclass(frozen=True)
class ConfirmationTiming:
    """How long a system may take to confirm, and how often we remind or ask (policy.toml)."""

    confirm_within_hours: int = 7 * 24
    remind_every_hours: int = 24
    poll_every_seconds: int = 3600


@dataclass(frozen=True)
class ConnectorInfo:
    name: str
    phase: Phase
    recipient: Recipient
    timing: ConfirmationTiming = field(default_factory=ConfirmationTiming)


@dataclass(frozen=True)
class Located:
    """Where a system holds the subject's records: opaque ids, never names or emails."""

    connector: str
    found: bool
    refs: tuple[str, ...] = ()
    record_counts: dict[str, int] = field(default_factory=dict)
    hints: Hints = field(default_factory=Hints)


@dataclass(frozen=True)
class DatasetRef:
    """One staged dataset: JSON Lines in the blob store."""

    connector: str
    dataset: str
    key: str
    records: int
    sha256: str


@dataclass(frozen=True)
class ExportSummary:
    connector: str
    datasets: tuple[DatasetRef, ...] = ()

    @property
    def records(self) -> int:
        return sum(d.records for d in self.datasets)


class PlanAction(StrEnum):
    ACT = "act"
    RETAIN = "retain"
    REFUSE = "refuse"


@dataclass(frozen=True)
class PlanItem:
    """One data category in one system: what erasure will do with it and why."""

    category: str
    action: PlanAction
    records: int
    basis: str = ""
    until: date | None = None


@dataclass(frozen=True)
class ConnectorPlan:
    connector: str
    items: tuple[PlanItem, ...] = ()
    # Services the subject still has that erasure would end (e.g. an active hosting contract).
    active_services: tuple[str, ...] = ()


class ConfirmationChannel(StrEnum):
    """How a pending outcome gets confirmed later."""

    WEBHOOK = "webhook"  # the system calls our signed webhook (registrar REST)
    POLL_QUEUE = "poll_queue"  # a message in the system's queue (EPP poll)
    TICKET = "ticket"  # we ask the system about a ticket/request id (`check_pending`)
    MANUAL = "manual"  # only an agent can confirm (`dsr confirm`)


class OutcomeStatus(StrEnum):
    DONE = "done"
    PENDING = "pending"
    RETAINED = "retained"
    NOT_FOUND = "not_found"
    # Objection: the system holds the subject's data but does not process it for the
    # purposes objected to, so nothing had to stop (the detail names the purposes).
    NOT_PROCESSED = "not_processed"
    REFUSED = "refused"
    # The system cannot do what the right asks (e.g. a public registry cannot restrict);
    # the detail says so and why, and the subject is told.
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class Outcome:
    connector: str
    status: OutcomeStatus
    detail: str = ""
    retained: tuple[PlanItem, ...] = ()
    external_ref: str | None = None
    expected_by: datetime | None = None
    confirmed_by: str = ""
    at: datetime | None = None
    channel: ConfirmationChannel | None = None


@dataclass(frozen=True)
class Confirmation:
    """A later answer to a pending outcome, from the system itself or from an agent."""

    connector: str
    external_ref: str
    succeeded: bool
    detail: str
    confirmed_by: str
    at: datetime | None = None
