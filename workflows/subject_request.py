"""SubjectRequestWorkflow: one durable workflow per subject request (ARCHITECTURE §3).

Deterministic orchestration only. Systems are reached through activities named by string,
so this module never imports connectors, and adding a system changes nothing here.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from domain import attributes
    from domain.deadlines import end_of_day
    from domain.kinds import RequestKind, RequestState
    from domain.messages import (
        WORKFLOW_NAME,
        ActionResult,
        ApprovePlan,
        CancelRequest,
        Choice,
        CompileArchiveInput,
        ConnectorProgress,
        Decision,
        DeliveryRef,
        ExportInput,
        ExtendDeadline,
        ListConnectorsInput,
        LocateInput,
        NoticeKind,
        Progress,
        PushReceipt,
        RequestInput,
        RequestResult,
        RetryFailed,
        ServicesChoice,
    )
    from domain.records import (
        Confirmation,
        ConnectorInfo,
        ConnectorPlan,
        ExportSummary,
        Located,
        Phase,
    )
    from domain.rights import Changes, Purpose
    from domain.subject import Hints
    from workflows.clock import DeadlineKeeping
    from workflows.erasure import ErasureSteps
    from workflows.identity import IdentitySteps, require_agent
    from workflows.pending import PendingBook
    from workflows.portability import Portability
    from workflows.rights import RightSteps

T = TypeVar("T")
# Named here so the sandbox knows the types inside RequestInput when it decodes it.
_PAYLOAD_TYPES = (Changes, Purpose)


@workflow.defn(name=WORKFLOW_NAME)
class SubjectRequestWorkflow(IdentitySteps, ErasureSteps, RightSteps, Portability, DeadlineKeeping):
    @workflow.init
    def __init__(self, req: RequestInput) -> None:
        self._req = req
        self._state = RequestState.RECEIVED
        self._verified_by = ""
        self._approved_by = ""
        self._approval: ApprovePlan | None = None
        self._transfer_pending = False
        self._cancel: CancelRequest | None = None
        self._retry_requested = False
        self._attention = ""
        self._events = 0
        self._connectors: tuple[ConnectorInfo, ...] = ()
        self._progress: dict[str, ConnectorProgress] = {}
        self._plans: tuple[ConnectorPlan, ...] = ()
        self._archive: DeliveryRef | None = None
        self._proof: DeliveryRef | None = None
        self._book = PendingBook()
        self._escalations = 0
        self._start_clock()
        self._decision: Decision | None = None
        self._decision_wanted = ""
        self._receipt: PushReceipt | None = None

    @workflow.run
    async def run(self, req: RequestInput) -> RequestResult:
        workflow.upsert_search_attributes(
            [
                attributes.DSR_KIND.value_set(req.kind.value),
                attributes.DSR_DEADLINE.value_set(end_of_day(req.due_on)),
                attributes.DSR_SUBJECT.value_set(req.subject_hash),
                attributes.DSR_OVERDUE.value_set(False),
            ]
        )
        await self._enter(RequestState.RECEIVED, "system", "request_received")
        # The clock runs beside the work; it ends with the request.
        asyncio.create_task(self._watch_deadline())  # noqa: RUF006
        work = asyncio.create_task(self._carry_out())
        await workflow.wait_condition(lambda: work.done() or self._cancel is not None)
        if work.done() or self._cancel is None:
            return await work
        # Cancelling the task also cancels the activities it is waiting for.
        work.cancel()
        with contextlib.suppress(asyncio.CancelledError, ActivityError):
            await work
        await self._enter(
            RequestState.CANCELLED,
            self._cancel.agent,
            "request_cancelled",
            reason=self._cancel.reason,
        )
        return RequestResult(request_id=req.request_id, state=RequestState.CANCELLED)

    async def _carry_out(self) -> RequestResult:
        if self._req.earlier_requests and not await self._officer_lets_it_proceed():
            return RequestResult(self._req.request_id, RequestState.REJECTED)
        await self._enter(RequestState.VERIFYING, "system", "awaiting_identity")
        if not await self._identity_in_time():
            await self._notify(NoticeKind.REJECTED_UNVERIFIED, received_on=self._req.receipt_date)
            await self._enter(RequestState.REJECTED, "system", "rejected_unverified",
                              reason="The identity was not verified in time.")  # fmt: skip
            return RequestResult(self._req.request_id, RequestState.REJECTED)
        listed = await self._call(
            "list_connectors", ListConnectorsInput(self._req.request_id), list[ConnectorInfo]
        )
        self._connectors = tuple(listed)
        self._progress = {
            c.name: ConnectorProgress(c.name, c.phase.value, "waiting") for c in self._connectors
        }
        await self._enter(RequestState.DISCOVERING, "system", "discovery_started")
        located = await self._discover()
        kind = self._req.kind
        if kind is RequestKind.ACCESS or kind is RequestKind.PORTABILITY:
            return await self._deliver_access([loc for loc in located if loc.found])
        if kind is RequestKind.ERASURE:
            return await self._carry_out_erasure(located)
        return await self._carry_out_right(located)

    async def _officer_lets_it_proceed(self) -> bool:
        """A repeated request waits for the officer: proceed, announce a fee, or refuse."""
        self._decision_wanted = "repeated"
        self._attention = (
            f"The same subject asked {self._req.earlier_requests} time(s) in the last 12 months; "
            "an officer decides: dsr decide <request> proceed|fee|refuse."
        )
        await self._enter(RequestState.NEEDS_ATTENTION, "system", "repeated_request",
                          earlier=self._req.earlier_requests)  # fmt: skip
        await workflow.wait_condition(
            lambda: self._decision is not None and self._decision.choice is not Choice.FEE
        )
        assert self._decision is not None
        self._attention = ""
        self._decision_wanted = ""
        if self._decision.choice is Choice.PROCEED:
            return True
        await self._notify(NoticeKind.REFUSAL, reason=self._decision.reason)
        await self._enter(RequestState.REJECTED, self._decision.agent, "request_refused",
                          reason=self._decision.reason)  # fmt: skip
        return False

    # --- discovery ---

    async def _discover(self) -> list[Located]:
        """Primary systems first; their hints let dependent systems find the subject."""
        primary = [c for c in self._connectors if c.phase is Phase.PRIMARY]
        dependent = [c for c in self._connectors if c.phase is Phase.DEPENDENT]
        found = await self._gather(primary, lambda c: self._locate(c, Hints()))
        hints = Hints()
        for loc in found:
            hints = hints.merge(loc.hints)
        found += await self._gather(dependent, lambda c: self._locate(c, hints))
        return found

    async def _locate(self, c: ConnectorInfo, hints: Hints) -> Located:
        loc = await self._connector_call(
            c.name,
            "locate",
            LocateInput(self._req.request_id, c.name, self._req.subject, hints),
            Located,
        )
        self._step(c.name, "located" if loc.found else "not_found", sum(loc.record_counts.values()))
        return loc

    # --- access ---

    async def _deliver_access(self, located: list[Located]) -> RequestResult:
        """Access and portability: stage every (portable) dataset, then one archive."""
        exports = await self._gather(located, self._export)
        await self._enter(RequestState.COMPILING, "system", "compiling_archive")
        archive = await self._call(
            "compile_archive",
            CompileArchiveInput(
                request_id=self._req.request_id,
                kind=self._req.kind,
                language=self._req.subject.language,
                received_at=self._req.received_at,
                connectors=self._connectors,
                exports=tuple(exports),
            ),
            DeliveryRef,
        )
        self._archive = archive
        if self._req.push_to:
            self._receipt = await self._push(archive, self._req.push_to)
        await self._notify(NoticeKind.ARCHIVE_READY, link=archive.link or "", kind=self._req.kind)
        await self._enter(
            RequestState.COMPLETED,
            "system",
            "archive_delivered",
            records=archive.records,
            sha256=archive.sha256,
        )
        return RequestResult(
            self._req.request_id, RequestState.COMPLETED, archive=archive, receipt=self._receipt
        )

    async def _export(self, loc: Located) -> ExportSummary:
        summary = await self._connector_call(
            loc.connector,
            "export",
            ExportInput(
                self._req.request_id,
                loc.connector,
                loc,
                portable_only=self._req.kind is RequestKind.PORTABILITY,
            ),
            ExportSummary,
        )
        self._step(loc.connector, "exported", summary.records)
        return summary

    # --- agent actions ---

    @workflow.update
    async def approve_plan(self, action: ApprovePlan) -> ActionResult:
        transfer_pending = self._transfer_pending
        self._approval = action
        if action.services is ServicesChoice.TRANSFER_FIRST and not transfer_pending:
            return ActionResult(
                self._state,
                "The erasure waits while the subject transfers: "
                + "; ".join(self._active_services())
                + ". When the transfers are done, run dsr approve again: the plan is made anew.",
            )
        if transfer_pending:
            return ActionResult(self._state, "The plan is made anew after the transfers.")
        return ActionResult(self._state, "Plan approved; erasure starts now.")

    @approve_plan.validator
    def _validate_approve(self, action: ApprovePlan) -> None:
        require_agent(action.agent)
        self._require_open()
        if self._req.kind is not RequestKind.ERASURE:
            raise ValueError("Only erasure requests have a plan to approve.")
        if self._state is not RequestState.AWAITING_APPROVAL or self._approval is not None:
            raise ValueError(
                f"There is no plan to approve yet: the request is {self._state.value}."
            )
        active = self._active_services()
        if active and not action.services and not self._transfer_pending:
            raise ValueError(
                "The erasure ends active services (" + "; ".join(active) + "); approve with "
                "--terminate to end them, or --transfer-first to let the subject move them."
            )

    @workflow.update
    async def cancel(self, action: CancelRequest) -> ActionResult:
        self._cancel = action
        return ActionResult(self._state, "Cancellation accepted; the request stops now.")

    @cancel.validator
    def _validate_cancel(self, action: CancelRequest) -> None:
        require_agent(action.agent)
        if not action.reason.strip():
            raise ValueError("Give a reason for cancelling; it goes into the audit trail.")
        self._require_open()
        if self._approved_by:
            raise ValueError("The erasure is under way and can no longer be cancelled.")

    @workflow.update
    async def confirm(self, confirmation: Confirmation) -> ActionResult:
        key = self._book.resolve(confirmation.connector, confirmation.external_ref)
        self._book.arrived[key] = replace(confirmation, at=confirmation.at or workflow.now())
        await self._record(
            confirmation.confirmed_by,
            "confirmation_received",
            connector=confirmation.connector,
            succeeded=confirmation.succeeded,
        )
        return ActionResult(self._state, f"Confirmation of {confirmation.connector} recorded.")

    @confirm.validator
    def _validate_confirm(self, confirmation: Confirmation) -> None:
        require_agent(confirmation.confirmed_by)
        if self._state.is_final:
            raise ValueError(f"The request is already {self._state.value}.")
        self._book.resolve(confirmation.connector, confirmation.external_ref)

    @workflow.update
    async def extend_deadline(self, action: ExtendDeadline) -> ActionResult:
        due = self._extend()
        await self._record(action.agent, "deadline_extended", reason=action.reason,
                           due_on=due.isoformat())  # fmt: skip
        # Art. 12(3): the subject is told of the extension and why, within the first month.
        await self._notify(NoticeKind.EXTENSION, received_on=self._req.receipt_date,
                           due_on=due, reason=action.reason)  # fmt: skip
        return ActionResult(self._state, f"Deadline extended to {due:%Y-%m-%d}.")

    @extend_deadline.validator
    def _validate_extend(self, action: ExtendDeadline) -> None:
        require_agent(action.agent)
        self._require_open()
        self._check_extension(action)

    @workflow.update
    async def decide(self, decision: Decision) -> ActionResult:
        self._decision = decision
        await self._record(decision.agent, f"decided_{decision.choice.value}",
                           reason=decision.reason)  # fmt: skip
        if decision.choice is Choice.FEE:
            return ActionResult(self._state, "Fee announcement recorded; decide again once paid.")
        return ActionResult(self._state, f"Decision recorded: {decision.choice.value}.")

    @decide.validator
    def _validate_decide(self, decision: Decision) -> None:
        require_agent(decision.agent)
        self._require_open()
        if not self._decision_wanted or self._state is not RequestState.NEEDS_ATTENTION:
            raise ValueError("This request is not waiting for an officer's decision.")
        if self._decision_wanted == "objection" and decision.choice is Choice.FEE:
            raise ValueError("An objection is upheld (proceed) or refused; no fee applies.")
        if decision.choice is not Choice.PROCEED and not decision.reason.strip():
            raise ValueError("Give the reason; the subject is told it (Art. 12(4)).")

    @workflow.update
    async def retry_failed(self, action: RetryFailed) -> ActionResult:
        self._retry_requested = True
        await self._record(action.agent, "retry_requested")
        return ActionResult(self._state, "The failed step is tried again now.")

    @retry_failed.validator
    def _validate_retry(self, action: RetryFailed) -> None:
        require_agent(action.agent)
        if self._state is not RequestState.NEEDS_ATTENTION:
            raise ValueError(f"Nothing to retry: the request is {self._state.value}.")

    @workflow.query
    def progress(self) -> Progress:
        return Progress(
            request_id=self._req.request_id,
            kind=self._req.kind,
            state=self._state,
            due_on=self._due_on,
            connectors=tuple(self._progress.values()),
            plans=self._plans,
            attention=self._attention,
            archive=self._archive,
            proof=self._proof,
            overdue=self._overdue,
            extended=self._extended,
            receipt=self._receipt,
        )

    def _require_open(self) -> None:
        if self._state.is_final:
            raise ValueError(f"The request is already {self._state.value}.")
        if self._cancel is not None:
            raise ValueError("The request is being cancelled.")
