"""SubjectRequestWorkflow: one durable workflow per subject request.

Deterministic orchestration only. The workflow holds everything it knows in one
`RequestCase`; every agent action (update), the progress query and the run live on this
class, and the steps are plain functions in this package that receive the case. Systems
are reached through activities named in `domain.names`, so this package never imports a
connector, and adding a system changes nothing here (docs/architecture.md).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, ParamSpec, TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.workflow import UpdateMethodMultiParam

with workflow.unsafe.imports_passed_through():
    from domain import attributes, names
    from domain.deadlines import end_of_day
    from domain.kinds import RequestKind, RequestState
    from domain.messages import (
        ActionResult,
        ApprovePlan,
        CancelRequest,
        ChangePushAddress,
        CheckCodeInput,
        Choice,
        ConnectorProgress,
        Decision,
        EnterCode,
        ExtendDeadline,
        IssueCodeInput,
        ListConnectorsInput,
        NoticeKind,
        Progress,
        RequestInput,
        RequestResult,
        RetryFailed,
        SendCode,
        ServicesChoice,
        VerifyIdentity,
    )
    from domain.records import Confirmation
    from domain.rights import Changes, Purpose
    from workflows import clock
    from workflows.access import corrected_push_address, deliver_archive, discover
    from workflows.calls import call, enter, notify, record
    from workflows.case import OfficerQuestion, RequestCase, Wait
    from workflows.checks import require_agent, require_open, require_unverified
    from workflows.erasure import active_services, already_approved, carry_out_erasure
    from workflows.identity import (
        CODE_DIGITS,
        CODE_METHOD,
        code_call,
        confirm_identity,
        identity_in_time,
    )
    from workflows.officer import lets_repeated_request_proceed
    from workflows.rights import carry_out_right

# Named here so the sandbox knows the types inside RequestInput when it decodes it.
_PAYLOAD_TYPES = (Changes, Purpose)
P = ParamSpec("P")
R = TypeVar("R")


def _update(
    spec: names.Update[Any],
) -> Callable[[Callable[P, Awaitable[R]]], UpdateMethodMultiParam[P, R]]:
    """An update handler registered under its name in `domain.names`."""
    # The SDK's overload with `name=` types the handler's result as the coroutine itself.
    return workflow.update(name=spec.name)  # type: ignore[return-value]


@workflow.defn(name=names.REQUEST_WORKFLOW)
class SubjectRequestWorkflow:
    @workflow.init
    def __init__(self, req: RequestInput) -> None:
        self._case = RequestCase.open(req)

    @workflow.run
    async def run(self, req: RequestInput) -> RequestResult:
        case = self._case
        workflow.upsert_search_attributes(
            [
                attributes.DSR_KIND.value_set(req.kind.value),
                attributes.DSR_DEADLINE.value_set(end_of_day(req.due_on)),
                attributes.DSR_SUBJECT.value_set(req.subject_hash),
                attributes.DSR_OVERDUE.value_set(False),
            ]
        )
        await enter(case, RequestState.RECEIVED, "system", "request_received")
        # The clock runs beside the work; it ends with the request.
        asyncio.create_task(clock.watch_deadline(case))  # noqa: RUF006
        work = asyncio.create_task(self._carry_out())
        await workflow.wait_condition(lambda: work.done() or case.cancel is not None)
        if work.done() or case.cancel is None:
            result = await work
        else:
            result = await self._stop_cancelled(work, case.cancel)
        # Updates still recording their audit event finish before the workflow does.
        await workflow.wait_condition(workflow.all_handlers_finished)
        return result

    async def _carry_out(self) -> RequestResult:
        case = self._case
        if case.req.earlier_requests and not await lets_repeated_request_proceed(case):
            return RequestResult(case.request_id, RequestState.REJECTED)
        await enter(case, RequestState.VERIFYING, "system", "awaiting_identity")
        if not await identity_in_time(case):
            await notify(case, NoticeKind.REJECTED_UNVERIFIED, received_on=case.req.receipt_date)
            await enter(case, RequestState.REJECTED, "system", "rejected_unverified",
                        reason="The identity was not verified in time.")  # fmt: skip
            return RequestResult(case.request_id, RequestState.REJECTED)
        listed = await call(names.LIST_CONNECTORS, ListConnectorsInput(case.request_id))
        case.connectors = tuple(listed)
        case.progress = {
            c.name: ConnectorProgress(c.name, c.phase.value, "waiting") for c in case.connectors
        }
        await enter(case, RequestState.DISCOVERING, "system", "discovery_started")
        located = await discover(case)
        kind = case.req.kind
        if kind is RequestKind.ACCESS or kind is RequestKind.PORTABILITY:
            return await deliver_archive(case, [loc for loc in located if loc.found])
        if kind is RequestKind.ERASURE:
            return await carry_out_erasure(case, located)
        return await carry_out_right(case, located)

    async def _stop_cancelled(
        self, work: asyncio.Task[RequestResult], cancel: CancelRequest
    ) -> RequestResult:
        # Cancelling the task also cancels the activities it is waiting for.
        work.cancel()
        with contextlib.suppress(asyncio.CancelledError, ActivityError):
            await work
        await enter(self._case, RequestState.CANCELLED, cancel.agent, "request_cancelled",
                    reason=cancel.reason)  # fmt: skip
        return RequestResult(request_id=self._case.request_id, state=RequestState.CANCELLED)

    # --- identity ---

    @_update(names.VERIFY_IDENTITY)
    async def verify_identity(self, action: VerifyIdentity) -> ActionResult:
        await confirm_identity(self._case, action.agent, action.method)
        return ActionResult(self._case.state, "Identity verified; discovery starts now.")

    @verify_identity.validator
    def _validate_verify(self, action: VerifyIdentity) -> None:
        require_agent(action.agent)
        if not action.method.strip():
            raise ValueError("Say how the identity was checked (for example 'called back').")
        if self._case.verified_by:
            raise ValueError("The identity of this request is already verified.")
        require_open(self._case)

    @_update(names.SEND_CODE)
    async def send_code(self, action: SendCode) -> ActionResult:
        case = self._case
        issued = await code_call(
            names.ISSUE_VERIFICATION_CODE, IssueCodeInput(case.request_id, case.req.subject)
        )
        await record(case, action.agent, "verification_code_sent",
                     expires_at=issued.expires_at.isoformat())  # fmt: skip
        return ActionResult(
            case.state,
            "A one-time code was emailed to the subject's address on file; it is valid until "
            f"{issued.expires_at:%Y-%m-%d %H:%M} UTC. Then: dsr verify <request> --code <code>.",
        )

    @send_code.validator
    def _validate_send_code(self, action: SendCode) -> None:
        require_agent(action.agent)
        require_unverified(self._case)
        if not self._case.req.subject.email:
            raise ValueError("The request has no email address to send a code to.")

    @_update(names.ENTER_CODE)
    async def enter_code(self, action: EnterCode) -> ActionResult:
        case = self._case
        verdict = await code_call(
            names.CHECK_VERIFICATION_CODE, CheckCodeInput(case.request_id, action.code)
        )
        if not verdict.accepted:
            await record(case, action.agent, "verification_code_refused")
            raise ApplicationError(verdict.message)
        if case.verified_by:  # verified another way while the code was checked
            return ActionResult(case.state, "The identity was already verified.")
        await confirm_identity(case, action.agent, CODE_METHOD)
        return ActionResult(case.state, "Code accepted; identity verified, discovery starts now.")

    @enter_code.validator
    def _validate_enter_code(self, action: EnterCode) -> None:
        require_agent(action.agent)
        if not action.code.strip().isdigit() or len(action.code.strip()) != CODE_DIGITS:
            raise ValueError(f"The code has {CODE_DIGITS} digits, as in the email.")
        require_unverified(self._case)

    # --- erasure plan, confirmations ---

    @_update(names.APPROVE_PLAN)
    async def approve_plan(self, action: ApprovePlan) -> ActionResult:
        case = self._case
        transfer_pending = case.transfer_pending
        case.approval = action
        if action.services is ServicesChoice.TRANSFER_FIRST and not transfer_pending:
            return ActionResult(
                case.state,
                "The erasure waits while the subject transfers: "
                + "; ".join(active_services(case))
                + ". When the transfers are done, run dsr approve again: the plan is made anew.",
            )
        if transfer_pending:
            return ActionResult(case.state, "The plan is made anew after the transfers.")
        return ActionResult(case.state, "Plan approved; erasure starts now.")

    @approve_plan.validator
    def _validate_approve(self, action: ApprovePlan) -> None:
        case = self._case
        require_agent(action.agent)
        require_open(case)
        if case.req.kind is not RequestKind.ERASURE:
            raise ValueError("Only erasure requests have a plan to approve.")
        if case.approval is not None or case.approved_by:
            raise ValueError(already_approved(case))
        if case.state is not RequestState.AWAITING_APPROVAL:
            raise ValueError(f"There is no plan to approve yet: the request is {case.state.value}.")
        active = active_services(case)
        if active and not action.services and not case.transfer_pending:
            raise ValueError(
                "The erasure ends active services (" + "; ".join(active) + "); approve with "
                "--terminate to end them, or --transfer-first to let the subject move them."
            )

    @_update(names.CONFIRM)
    async def confirm(self, confirmation: Confirmation) -> ActionResult:
        case = self._case
        key = case.book.resolve(confirmation.connector, confirmation.external_ref)
        case.book.arrived[key] = replace(confirmation, at=confirmation.at or workflow.now())
        await record(
            case,
            confirmation.confirmed_by,
            "confirmation_received",
            connector=confirmation.connector,
            succeeded=confirmation.succeeded,
        )
        if not confirmation.succeeded:
            return ActionResult(case.state, f"Confirmation of {confirmation.connector} recorded.")
        return ActionResult(
            case.state,
            f"Confirmation of {confirmation.connector} recorded; it is asked again now, so any "
            "step that remains there runs, and the request completes only when it is done.",
        )

    @confirm.validator
    def _validate_confirm(self, confirmation: Confirmation) -> None:
        require_agent(confirmation.confirmed_by)
        if self._case.state.is_final:
            raise ValueError(f"The request is already {self._case.state.value}.")
        self._case.book.resolve(confirmation.connector, confirmation.external_ref)

    # --- the officer and the clock ---

    @_update(names.EXTEND_DEADLINE)
    async def extend_deadline(self, action: ExtendDeadline) -> ActionResult:
        case = self._case
        due = clock.extend(case)
        await record(case, action.agent, "deadline_extended", reason=action.reason,
                     due_on=due.isoformat())  # fmt: skip
        # Art. 12(3): the subject is told of the extension and why, within the first month.
        await notify(case, NoticeKind.EXTENSION, received_on=case.req.receipt_date,
                     due_on=due, reason=action.reason)  # fmt: skip
        return ActionResult(case.state, f"Deadline extended to {due:%Y-%m-%d}.")

    @extend_deadline.validator
    def _validate_extend(self, action: ExtendDeadline) -> None:
        require_agent(action.agent)
        require_open(self._case)
        clock.check_extension(self._case, action)

    @_update(names.DECIDE)
    async def decide(self, decision: Decision) -> ActionResult:
        case = self._case
        case.decision = decision
        await record(case, decision.agent, f"decided_{decision.choice.value}",
                     reason=decision.reason)  # fmt: skip
        if decision.choice is Choice.FEE:
            return ActionResult(case.state, "Fee announcement recorded; decide again once paid.")
        return ActionResult(case.state, f"Decision recorded: {decision.choice.value}.")

    @decide.validator
    def _validate_decide(self, decision: Decision) -> None:
        case = self._case
        require_agent(decision.agent)
        require_open(case)
        if case.question is None or case.state is not RequestState.NEEDS_ATTENTION:
            raise ValueError("This request is not waiting for an officer's decision.")
        if case.question is OfficerQuestion.OBJECTION and decision.choice is Choice.FEE:
            raise ValueError("An objection is upheld (proceed) or refused; no fee applies.")
        if decision.choice is not Choice.PROCEED and not decision.reason.strip():
            raise ValueError("Give the reason; the subject is told it (Art. 12(4)).")

    # --- steering ---

    @_update(names.CANCEL)
    async def cancel(self, action: CancelRequest) -> ActionResult:
        self._case.cancel = action
        return ActionResult(self._case.state, "Cancellation accepted; the request stops now.")

    @cancel.validator
    def _validate_cancel(self, action: CancelRequest) -> None:
        require_agent(action.agent)
        if not action.reason.strip():
            raise ValueError("Give a reason for cancelling; it goes into the audit trail.")
        require_open(self._case)
        if self._case.approved_by:
            raise ValueError("The erasure is under way and can no longer be cancelled.")

    @_update(names.RETRY_FAILED)
    async def retry_failed(self, action: RetryFailed) -> ActionResult:
        self._case.attention.retries += 1
        await record(self._case, action.agent, "retry_requested")
        return ActionResult(self._case.state, "The failed step is tried again now.")

    @retry_failed.validator
    def _validate_retry(self, action: RetryFailed) -> None:
        require_agent(action.agent)
        case = self._case
        if case.state is not RequestState.NEEDS_ATTENTION:
            raise ValueError(f"Nothing to retry: the request is {case.state.value}.")
        if not case.attention.waits_for(Wait.FAILURE):
            raise ValueError(f"Nothing failed to retry; the request waits: {case.attention.text}")

    @_update(names.CHANGE_PUSH_ADDRESS)
    async def change_push_address(self, action: ChangePushAddress) -> ActionResult:
        case = self._case
        case.push_to = corrected_push_address(case, action.url)
        await record(case, action.agent, "push_address_changed")
        case.attention.retries += 1  # the failed push runs again, to the new address
        return ActionResult(case.state, "Push address corrected; the archive is sent there now.")

    @change_push_address.validator
    def _validate_push_address(self, action: ChangePushAddress) -> None:
        require_agent(action.agent)
        require_open(self._case)
        corrected_push_address(self._case, action.url)

    @workflow.query(name=names.PROGRESS.name)
    def progress(self) -> Progress:
        case = self._case
        return Progress(
            request_id=case.request_id,
            kind=case.req.kind,
            state=case.state,
            due_on=case.deadline.due_on,
            connectors=tuple(case.progress.values()),
            plans=case.plans,
            attention=case.attention.text,
            archive=case.archive,
            proof=case.proof,
            overdue=case.deadline.overdue,
            extended=case.deadline.extended,
            receipt=case.receipt,
            approval=case.approval,
            transfer_pending=case.transfer_pending,
            rejects_unverified_on=(
                None
                if case.verified_by or case.state.is_final
                else case.req.clock.unverified_deadline(case.req.receipt_date)
            ),
        )
