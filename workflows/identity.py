"""Identity: an agent attests what was checked, or the subject reads back an emailed code.

The policy says whether the clock pauses meanwhile, and when an unverified request closes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.deadlines import end_of_day
    from domain.kinds import RequestState
    from domain.messages import (
        ActionResult,
        CheckCodeInput,
        CodeVerdict,
        EnterCode,
        IssueCodeInput,
        IssuedCode,
        SendCode,
        VerifyIdentity,
    )
    from workflows.clock import DeadlineKeeping

T = TypeVar("T")
CODE_DIGITS = 6
CODE_METHOD = "one-time code emailed to the address on file"


class IdentitySteps(DeadlineKeeping):
    """The identity updates; the workflow class inherits them with their validators."""

    _verified_by: str

    def _require_open(self) -> None:
        raise NotImplementedError  # the workflow class defines it

    async def _identity_in_time(self) -> bool:
        """Wait for verification until the policy closes unverified requests."""
        closes = end_of_day(self._req.clock.unverified_deadline(self._req.receipt_date))
        try:
            await workflow.wait_condition(
                lambda: bool(self._verified_by), timeout=max(closes - workflow.now(), timedelta(0))
            )
        except TimeoutError:
            return bool(self._verified_by)
        return True

    @workflow.update
    async def verify_identity(self, action: VerifyIdentity) -> ActionResult:
        self._verified_by = action.agent
        self._identity_confirmed()
        await self._record(action.agent, "identity_verified", method=action.method,
                           due_on=self._due_on.isoformat())  # fmt: skip
        return ActionResult(self._state, "Identity verified; discovery starts now.")

    @verify_identity.validator
    def _validate_verify(self, action: VerifyIdentity) -> None:
        require_agent(action.agent)
        if not action.method.strip():
            raise ValueError("Say how the identity was checked (for example 'called back').")
        if self._verified_by:
            raise ValueError("The identity of this request is already verified.")
        self._require_open()

    @workflow.update
    async def send_code(self, action: SendCode) -> ActionResult:
        issued = await self._code_call(
            "issue_verification_code", IssueCodeInput(self._req.request_id, self._req.subject),
            IssuedCode,
        )  # fmt: skip
        await self._record(action.agent, "verification_code_sent",
                           expires_at=issued.expires_at.isoformat())  # fmt: skip
        return ActionResult(
            self._state,
            "A one-time code was emailed to the subject's address on file; it is valid until "
            f"{issued.expires_at:%Y-%m-%d %H:%M} UTC. Then: dsr verify <request> --code <code>.",
        )

    @send_code.validator
    def _validate_send_code(self, action: SendCode) -> None:
        require_agent(action.agent)
        self._require_unverified()
        if not self._req.subject.email:
            raise ValueError("The request has no email address to send a code to.")

    @workflow.update
    async def enter_code(self, action: EnterCode) -> ActionResult:
        verdict = await self._code_call(
            "check_verification_code", CheckCodeInput(self._req.request_id, action.code),
            CodeVerdict,
        )  # fmt: skip
        if not verdict.accepted:
            await self._record(action.agent, "verification_code_refused")
            raise ApplicationError(verdict.message)
        if self._verified_by:  # verified another way while the code was checked
            return ActionResult(self._state, "The identity was already verified.")
        self._verified_by = action.agent
        self._identity_confirmed()
        await self._record(action.agent, "identity_verified", method=CODE_METHOD,
                           due_on=self._due_on.isoformat())  # fmt: skip
        return ActionResult(self._state, "Code accepted; identity verified, discovery starts now.")

    @enter_code.validator
    def _validate_enter_code(self, action: EnterCode) -> None:
        require_agent(action.agent)
        if not action.code.strip().isdigit() or len(action.code.strip()) != CODE_DIGITS:
            raise ValueError(f"The code has {CODE_DIGITS} digits, as in the email.")
        self._require_unverified()

    async def _code_call(self, activity: str, arg: object, result_type: type[T]) -> T:
        """A code activity inside an update: its refusal becomes the update's refusal."""
        try:
            return await self._call(activity, arg, result_type)
        except ActivityError as err:
            cause = err.cause
            raise ApplicationError(
                cause.message if isinstance(cause, ApplicationError) else "The code step failed."
            ) from None

    def _require_unverified(self) -> None:
        if self._verified_by:
            raise ValueError("The identity of this request is already verified.")
        self._require_open()
        if self._state is not RequestState.VERIFYING:
            raise ValueError(f"The request is not waiting for identity: it is {self._state.value}.")


def require_agent(agent: str) -> None:
    if not agent.strip():
        raise ValueError("Say who you are: the agent name goes into the audit trail.")
