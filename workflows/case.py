"""Everything one request's workflow knows, in one object: the case it works on.

The workflow class owns one `RequestCase`; its handlers and the step functions in this
package read and change it. Nothing here does I/O or talks to Temporal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.kinds import RequestState
    from domain.messages import (
        ApprovePlan,
        CancelRequest,
        ConnectorProgress,
        Decision,
        DeliveryRef,
        PushReceipt,
        RequestInput,
    )
    from domain.records import ConnectorInfo, ConnectorPlan
    from workflows.pending import PendingBook


class OfficerQuestion(StrEnum):
    """What the officer is asked to decide, while the request waits for them."""

    REPEATED = "repeated"  # a repeated request (Art. 12(5)): proceed, announce a fee, refuse
    OBJECTION = "objection"  # an objection to processing other than marketing (Art. 21(1))


class Wait(StrEnum):
    """Why a reason for attention is open, and so what lets it go."""

    FAILURE = "failure"  # a step failed after its retries: an agent's `retry` tries again
    OVERDUE = "overdue"  # a system did not confirm in time: its confirmation lets it go
    OFFICER = "officer"  # the officer decides (`decide`)
    # A system still reports a confirmed step pending: a new confirmation of it lets it go.
    CONTRADICTED = "contradicted"


@dataclass
class Reason:
    text: str
    wait: Wait
    # The state the request was in when this reason opened.
    opened_in: RequestState


@dataclass
class Attention:
    """Everything a person must look at now, each with its own reason.

    The request is in `needs_attention` while any reason is open, and returns to the state
    it was in before the first one opened when the last one closes: two systems failing in
    one parallel step are two reasons, one retry, and one return.
    """

    reasons: dict[str, Reason] = field(default_factory=dict)
    resume_to: RequestState = RequestState.RECEIVED
    # How many times an agent asked to retry; a failed step waits for this to grow.
    retries: int = 0

    @property
    def text(self) -> str:
        return "; ".join(r.text for r in self.reasons.values())

    def waits_for(self, wait: Wait) -> bool:
        return any(r.wait is wait for r in self.reasons.values())


@dataclass
class Deadline:
    """The law's clock for this request (Art. 12(3))."""

    due_on: date
    paused_days: int = 0
    extended: bool = False
    overdue: bool = False


@dataclass
class RequestCase:
    """The state of one request, as its workflow holds it."""

    req: RequestInput
    deadline: Deadline
    state: RequestState = RequestState.RECEIVED
    # Audit events recorded so far; each event's key is the request id and this number.
    events: int = 0
    # --- people ---
    verified_by: str = ""
    approval: ApprovePlan | None = None
    approved_by: str = ""
    # "Transfer first" was chosen: the next approval plans anew.
    transfer_pending: bool = False
    cancel: CancelRequest | None = None
    question: OfficerQuestion | None = None
    decision: Decision | None = None
    attention: Attention = field(default_factory=Attention)
    # --- systems ---
    connectors: tuple[ConnectorInfo, ...] = ()
    progress: dict[str, ConnectorProgress] = field(default_factory=dict)
    plans: tuple[ConnectorPlan, ...] = ()
    book: PendingBook = field(default_factory=PendingBook)
    # --- what the subject gets ---
    archive: DeliveryRef | None = None
    proof: DeliveryRef | None = None
    receipt: PushReceipt | None = None
    # Portability: where the archive is pushed; an agent may correct it while it fails.
    push_to: str | None = None

    @classmethod
    def open(cls, req: RequestInput) -> RequestCase:
        return cls(req=req, deadline=Deadline(due_on=req.due_on), push_to=req.push_to)

    @property
    def request_id(self) -> str:
        return self.req.request_id
