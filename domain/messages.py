"""Arguments and results that cross the workflow boundary: one dataclass per call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from domain.deadlines import ClockRules
from domain.kinds import RequestKind, RequestState
from domain.records import (
    Confirmation,
    ConnectorInfo,
    ConnectorPlan,
    DatasetRef,
    ExportSummary,
    Located,
    Outcome,
)
from domain.rights import Changes, Purpose
from domain.subject import Hints, SubjectIdentifiers


@dataclass(frozen=True)
class RequestInput:
    request_id: str
    kind: RequestKind
    subject: SubjectIdentifiers
    agent_ref: str
    received_at: datetime
    due_on: date
    subject_hash: str
    received_on: date | None = None
    clock: ClockRules = field(default_factory=ClockRules)
    # Requests about the same subject in the 12 months before this one (Art. 12(5)).
    earlier_requests: int = 0
    # Rectification: the corrected values (personal data; history is encrypted by the codec).
    changes: Changes | None = None
    # Objection: what the subject objects to.
    purposes: tuple[Purpose, ...] = ()
    # Portability: another controller's HTTPS endpoint to send the archive to (Art. 20(2)).
    push_to: str | None = None

    @property
    def receipt_date(self) -> date:
        return self.received_on or self.received_at.date()


@dataclass(frozen=True)
class RequestResult:
    request_id: str
    state: RequestState
    archive: DeliveryRef | None = None
    proof: DeliveryRef | None = None
    outcomes: tuple[Outcome, ...] = ()
    receipt: PushReceipt | None = None


# --- agent actions (updates) ---


@dataclass(frozen=True)
class VerifyIdentity:
    agent: str
    method: str


@dataclass(frozen=True)
class SendCode:
    """Email a one-time code to the subject's address on file."""

    agent: str


@dataclass(frozen=True)
class EnterCode:
    """The code the subject read back to the agent (or typed in)."""

    agent: str
    code: str


@dataclass(frozen=True)
class IssueCodeInput:
    request_id: str
    subject: SubjectIdentifiers


@dataclass(frozen=True)
class IssuedCode:
    """When the emailed code expires; the code itself never leaves the activity."""

    expires_at: datetime


@dataclass(frozen=True)
class CheckCodeInput:
    request_id: str
    code: str


@dataclass(frozen=True)
class CodeVerdict:
    accepted: bool
    message: str


class ServicesChoice(StrEnum):
    """What happens to active services and domains that erasure would end."""

    UNSET = ""
    TERMINATE = "terminate"  # end them with the erasure
    TRANSFER_FIRST = "transfer_first"  # wait until the subject moved them, then plan anew


@dataclass(frozen=True)
class ApprovePlan:
    agent: str
    services: ServicesChoice = ServicesChoice.UNSET


@dataclass(frozen=True)
class CancelRequest:
    agent: str
    reason: str


@dataclass(frozen=True)
class ExtendDeadline:
    agent: str
    reason: str


class Choice(StrEnum):
    PROCEED = "proceed"
    FEE = "fee"
    REFUSE = "refuse"


@dataclass(frozen=True)
class Decision:
    """The officer's decision on a repeated or excessive request."""

    agent: str
    choice: Choice
    reason: str = ""


@dataclass(frozen=True)
class RetryFailed:
    agent: str


@dataclass(frozen=True)
class ChangePushAddress:
    """Portability: the other controller's corrected endpoint, while the push waits for a
    person; the push runs again to it. Personal-ish data, encrypted like `push_to`."""

    agent: str
    url: str


@dataclass(frozen=True)
class ActionResult:
    state: RequestState
    message: str


# --- progress (query) ---


@dataclass(frozen=True)
class ConnectorProgress:
    connector: str
    phase: str
    step: str
    records: int = 0
    outcome: Outcome | None = None
    error: str = ""


@dataclass(frozen=True)
class Progress:
    request_id: str
    kind: RequestKind
    state: RequestState
    due_on: date
    connectors: tuple[ConnectorProgress, ...] = ()
    plans: tuple[ConnectorPlan, ...] = ()
    attention: str = ""
    archive: DeliveryRef | None = None
    proof: DeliveryRef | None = None
    overdue: bool = False
    extended: bool = False
    receipt: PushReceipt | None = None
    # Erasure: the approval given (who, and the choice about active services), and whether
    # the erasure waits for the subject to transfer services first.
    approval: ApprovePlan | None = None
    transfer_pending: bool = False
    # While the identity is unverified: the day the request closes as rejected unless verified.
    rejects_unverified_on: date | None = None


# --- activities ---


@dataclass(frozen=True)
class ListConnectorsInput:
    request_id: str


@dataclass(frozen=True)
class LocateInput:
    request_id: str
    connector: str
    subject: SubjectIdentifiers
    hints: Hints = field(default_factory=Hints)


@dataclass(frozen=True)
class ExportInput:
    request_id: str
    connector: str
    located: Located
    # Portability: stage only the datasets Art. 20 covers (the connector's `portable`).
    portable_only: bool = False


@dataclass(frozen=True)
class RightInput:
    """Rectify, restrict or object in one system; only the field the kind needs is set."""

    request_id: str
    connector: str
    located: Located
    changes: Changes | None = None
    purposes: tuple[Purpose, ...] = ()


@dataclass(frozen=True)
class PlanInput:
    request_id: str
    connector: str
    located: Located
    today: date


@dataclass(frozen=True)
class EraseInput:
    request_id: str
    connector: str
    located: Located
    plan: ConnectorPlan


@dataclass(frozen=True)
class CheckPendingInput:
    request_id: str
    connector: str
    external_ref: str


@dataclass(frozen=True)
class PendingCheck:
    """The answer of a ticket poll: a confirmation, or None while the system still decides."""

    confirmation: Confirmation | None = None


@dataclass(frozen=True)
class RegisterPendingInput:
    request_id: str
    connector: str
    external_ref: str


@dataclass(frozen=True)
class RecordEventInput:
    """One audit row and, when `state` is set, the registry's copy of the state."""

    request_id: str
    event_key: str
    actor: str
    action: str
    details: dict[str, str | int | bool | None] = field(default_factory=dict)
    state: RequestState | None = None


@dataclass(frozen=True)
class CompileArchiveInput:
    request_id: str
    kind: RequestKind
    language: str
    received_at: datetime
    connectors: tuple[ConnectorInfo, ...]
    exports: tuple[ExportSummary, ...]


@dataclass(frozen=True)
class CompileProofInput:
    request_id: str
    language: str
    received_at: datetime
    approved_by: str
    connectors: tuple[ConnectorInfo, ...]
    plans: tuple[ConnectorPlan, ...]
    outcomes: tuple[Outcome, ...]
    kind: RequestKind = RequestKind.ERASURE
    # Names only, never the values: which fields were corrected, what was objected to.
    fields: tuple[str, ...] = ()
    purposes: tuple[Purpose, ...] = ()


@dataclass(frozen=True)
class PushInput:
    """Send a portability archive to another controller (Art. 20(2))."""

    request_id: str
    archive: DeliveryRef
    url: str


@dataclass(frozen=True)
class PushReceipt:
    """What the other controller answered: its receipt id and the digest it computed."""

    receipt: str
    sha256: str
    status: int
    at: datetime


class NoticeKind(StrEnum):
    ARCHIVE_READY = "archive_ready"
    ERASURE_DONE = "erasure_done"
    # Rectification, restriction, objection: the proof of what each system did is ready.
    RIGHT_DONE = "right_done"
    EXTENSION = "extension"
    REJECTED_UNVERIFIED = "rejected_unverified"
    REFUSAL = "refusal"


@dataclass(frozen=True)
class NotifyInput:
    """What to tell the subject; the address travels only inside encrypted payloads."""

    request_id: str
    notice: NoticeKind
    to: str
    language: str
    link: str = ""
    received_on: date | None = None
    due_on: date | None = None
    reason: str = ""
    kind: RequestKind | None = None
    # Objection: what was stopped, so the email names it.
    purposes: tuple[Purpose, ...] = ()
    # The subject's name when the request gives one: the email greets them by it.
    name: str = ""


@dataclass(frozen=True)
class DeliveryRef:
    """A delivered document in the blob store; `link` expires."""

    key: str
    sha256: str
    size: int
    records: int = 0
    link: str | None = None
    datasets: tuple[DatasetRef, ...] = ()
    # When `link` stops working (None in requests delivered before this was recorded).
    expires_at: datetime | None = None


# --- the daily retention sweep ---


@dataclass(frozen=True)
class SweepInput:
    """Delete what was kept after erasure once its retention ends; `today` from the workflow."""

    today: date | None = None


@dataclass(frozen=True)
class SweptRecords:
    """What one system's sweep deleted under one retention rule (opaque ids only)."""

    system: str
    category: str
    ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class SweepResult:
    today: date
    # Records deleted per system; systems that keep nothing are left out.
    deleted: dict[str, int] = field(default_factory=dict)
    # The same, per system and rule, for the audit trail.
    swept: tuple[SweptRecords, ...] = ()
