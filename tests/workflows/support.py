"""Fakes of the activities and helpers shared by the workflow tests."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain import names
from domain.deadlines import due_date
from domain.kinds import RequestKind, RequestState
from domain.messages import (
    CheckCodeInput,
    CheckPendingInput,
    CodeVerdict,
    CompileArchiveInput,
    CompileProofInput,
    DeliveryRef,
    EraseInput,
    ExportInput,
    IssueCodeInput,
    IssuedCode,
    ListConnectorsInput,
    LocateInput,
    NotifyInput,
    PendingCheck,
    PlanInput,
    Progress,
    PushInput,
    PushReceipt,
    RecordEventInput,
    RegisterPendingInput,
    RequestInput,
    RequestResult,
    RightInput,
)
from domain.records import (
    Confirmation,
    ConfirmationChannel,
    ConfirmationTiming,
    ConnectorInfo,
    ConnectorPlan,
    DatasetRef,
    ExportSummary,
    Located,
    Outcome,
    OutcomeStatus,
    Phase,
    PlanAction,
    PlanItem,
    Recipient,
)
from domain.rights import Changes, Purpose
from domain.subject import Hints, SubjectIdentifiers
from workflows.subject_request import SubjectRequestWorkflow

# The newsletter must confirm within 48 hours; we remind every 12 and poll every 30 minutes.
TIMING = ConfirmationTiming(confirm_within_hours=48, remind_every_hours=12, poll_every_seconds=1800)
CONNECTORS = [
    ConnectorInfo("billing", Phase.PRIMARY, Recipient("Billing", "own system")),
    ConnectorInfo("newsletter", Phase.DEPENDENT, Recipient("Mailman", "processor"), TIMING),
]


@dataclass
class Fakes:
    """Stand-ins for the activities, registered under the real activity names."""

    events: list[RecordEventInput] = field(default_factory=list)
    hints_seen: list[Hints] = field(default_factory=list)
    erased: list[str] = field(default_factory=list)
    fail_newsletter_auth: bool = False
    # connector -> channel: its first erase answers pending through that channel.
    pending: dict[str, ConfirmationChannel] = field(default_factory=dict)
    ticket_answers: list[Confirmation | None] = field(default_factory=list)
    pending_ref: str = "job-1"
    # connector -> references its erase answers pending with after the first, one per call
    # (a second step, as the registrar's deletion once the owner changed); then done.
    pending_next: dict[str, list[str]] = field(default_factory=dict)
    channels: dict[str, ConfirmationChannel] = field(default_factory=dict)
    notices: list[NotifyInput] = field(default_factory=list)
    registered: list[RegisterPendingInput] = field(default_factory=list)
    # (operation, connector, input) of every rectify/restrict/object_to call.
    rights: list[tuple[str, str, RightInput]] = field(default_factory=list)
    exports: list[ExportInput] = field(default_factory=list)
    proofs: list[CompileProofInput] = field(default_factory=list)
    pushes: list[PushInput] = field(default_factory=list)
    # How many push attempts answer with a refusal before one succeeds.
    push_refusals: int = 0
    codes_sent: int = 0
    # Active services billing's plan shows, one entry per planning round (then none).
    active_services: list[tuple[str, ...]] = field(default_factory=list)
    email_on_file: bool = True
    # connector -> how many erase calls fail (non-retryably) before one succeeds.
    erase_failures: dict[str, int] = field(default_factory=dict)
    # connector -> seconds its erase takes (wall clock), to order parallel steps.
    erase_delays: dict[str, float] = field(default_factory=dict)

    def activities(self) -> list[Callable[..., Any]]:
        @activity.defn(name=names.LIST_CONNECTORS.name)
        async def list_connectors(_: ListConnectorsInput) -> list[ConnectorInfo]:
            return CONNECTORS

        @activity.defn(name=names.LOCATE.name)
        async def locate(arg: LocateInput) -> Located:
            self.hints_seen.append(arg.hints)
            if arg.connector == "newsletter" and self.fail_newsletter_auth:
                raise ApplicationError(
                    "credentials refused", type="AuthenticationFailed", non_retryable=True
                )
            hints = Hints(customer_ids=("7",)) if arg.connector == "billing" else Hints()
            return Located(arg.connector, True, ("ref:1",), {"rows": 2}, hints)

        @activity.defn(name=names.EXPORT.name)
        async def export(arg: ExportInput) -> ExportSummary:
            self.exports.append(arg)
            ref = DatasetRef(arg.connector, "rows", f"k/{arg.connector}", 2, "0" * 64)
            return ExportSummary(arg.connector, (ref,))

        async def apply_right(operation: str, arg: RightInput) -> Outcome:
            self.rights.append((operation, arg.connector, arg))
            channel = self.pending.pop(arg.connector, None)
            if channel is not None:
                return Outcome(
                    arg.connector,
                    OutcomeStatus.PENDING,
                    "change requested",
                    external_ref=self.pending_ref,
                    channel=channel,
                )
            return Outcome(arg.connector, OutcomeStatus.DONE, f"{operation} done")

        @activity.defn(name=names.RECTIFY.name)
        async def rectify(arg: RightInput) -> Outcome:
            return await apply_right("rectify", arg)

        @activity.defn(name=names.RESTRICT.name)
        async def restrict(arg: RightInput) -> Outcome:
            return await apply_right("restrict", arg)

        @activity.defn(name=names.OBJECT_TO.name)
        async def object_to(arg: RightInput) -> Outcome:
            return await apply_right("object_to", arg)

        @activity.defn(name=names.ISSUE_VERIFICATION_CODE.name)
        async def issue_verification_code(arg: IssueCodeInput) -> IssuedCode:
            if not self.email_on_file:
                raise ApplicationError("not on file", type="NotOnFile", non_retryable=True)
            self.codes_sent += 1
            return IssuedCode(datetime(2030, 1, 1, 12, 30, tzinfo=UTC))

        @activity.defn(name=names.CHECK_VERIFICATION_CODE.name)
        async def check_verification_code(arg: CheckCodeInput) -> CodeVerdict:
            if arg.code == "123456":
                return CodeVerdict(True, "The code is right.")
            return CodeVerdict(False, "The code is wrong; 4 attempt(s) left.")

        @activity.defn(name=names.PUSH_ARCHIVE.name)
        async def push_archive(arg: PushInput) -> PushReceipt:
            self.pushes.append(arg)
            if self.push_refusals:
                self.push_refusals -= 1
                raise ApplicationError("refused with 404", type="PushRefused", non_retryable=True)
            return PushReceipt("imp-1", arg.archive.sha256, 201, datetime.now(UTC))

        @activity.defn(name=names.PLAN_ERASURE.name)
        async def plan_erasure(arg: PlanInput) -> ConnectorPlan:
            active: tuple[str, ...] = ()
            if arg.connector == "billing" and self.active_services:
                active = self.active_services.pop(0)
            return ConnectorPlan(arg.connector, (PlanItem("rows", PlanAction.ACT, 2),), active)

        @activity.defn(name=names.ERASE.name)
        async def erase(arg: EraseInput) -> Outcome:
            await asyncio.sleep(self.erase_delays.get(arg.connector, 0))
            if self.erase_failures.get(arg.connector):
                self.erase_failures[arg.connector] -= 1
                raise ApplicationError(
                    f"{arg.connector} refused the credentials",
                    type="AuthenticationFailed",
                    non_retryable=True,
                )
            self.erased.append(arg.connector)
            channel = self.pending.pop(arg.connector, None)
            ref = self.pending_ref
            if channel is not None:
                self.channels[arg.connector] = channel
            elif self.pending_next.get(arg.connector):
                channel = self.channels.get(arg.connector, ConfirmationChannel.WEBHOOK)
                ref = self.pending_next[arg.connector].pop(0)
            if channel is not None:
                return Outcome(
                    arg.connector,
                    OutcomeStatus.PENDING,
                    "deletion requested",
                    external_ref=ref,
                    channel=channel,
                )
            return Outcome(arg.connector, OutcomeStatus.DONE, "2 rows erased")

        @activity.defn(name=names.CHECK_PENDING.name)
        async def check_pending(arg: CheckPendingInput) -> PendingCheck:
            return PendingCheck(self.ticket_answers.pop(0) if self.ticket_answers else None)

        @activity.defn(name=names.NOTIFY_SUBJECT.name)
        async def notify_subject(arg: NotifyInput) -> str:
            self.notices.append(arg)
            return f"<{arg.notice.value}@test>"

        @activity.defn(name=names.REGISTER_PENDING.name)
        async def register_pending(arg: RegisterPendingInput) -> None:
            self.registered.append(arg)

        @activity.defn(name=names.RECORD_EVENT.name)
        async def record_event(arg: RecordEventInput) -> None:
            self.events.append(arg)

        @activity.defn(name=names.COMPILE_ARCHIVE.name)
        async def compile_archive(arg: CompileArchiveInput) -> DeliveryRef:
            records = sum(e.records for e in arg.exports)
            return DeliveryRef("archive.zip", "a" * 64, 10, records=records)

        @activity.defn(name=names.COMPILE_PROOF.name)
        async def compile_proof(arg: CompileProofInput) -> DeliveryRef:
            self.proofs.append(arg)
            return DeliveryRef("proof.json", "b" * 64, 10, records=len(arg.outcomes))

        return [
            list_connectors,
            locate,
            export,
            plan_erasure,
            erase,
            record_event,
            compile_archive,
            compile_proof,
            check_pending,
            register_pending,
            notify_subject,
            rectify,
            restrict,
            object_to,
            push_archive,
            issue_verification_code,
            check_verification_code,
        ]


Harness = tuple[WorkflowEnvironment, "Fakes", str]


async def start(
    env: WorkflowEnvironment,
    queue: str,
    kind: RequestKind,
    *,
    earlier_requests: int = 0,
    changes: Changes | None = None,
    purposes: tuple[Purpose, ...] = (),
    push_to: str | None = None,
    subject: SubjectIdentifiers | None = None,
) -> WorkflowHandle[SubjectRequestWorkflow, RequestResult]:
    request_id = str(uuid.uuid4())
    # The test server's clock, not the wall clock: it moves when a test skips time.
    received_at = await env.get_current_time()
    req = RequestInput(
        request_id=request_id,
        kind=kind,
        subject=subject or SubjectIdentifiers(email="jan@example.nl", name="Jan"),
        agent_ref=f"T-{request_id[:8]}",
        received_at=received_at,
        due_on=due_date(received_at.date()),
        subject_hash="h" * 32,
        earlier_requests=earlier_requests,
        changes=changes,
        purposes=purposes,
        push_to=push_to,
    )
    return await env.client.start_workflow(
        SubjectRequestWorkflow.run, req, id=f"dsr-{request_id}", task_queue=queue
    )


async def state_of(handle: WorkflowHandle[SubjectRequestWorkflow, RequestResult]) -> RequestState:
    progress: Progress = await handle.query(SubjectRequestWorkflow.progress)
    return progress.state
