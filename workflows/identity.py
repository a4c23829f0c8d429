"""Identity: an agent attests what was checked, or the subject reads back an emailed code.

The policy says whether the clock pauses meanwhile, and when an unverified request closes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.deadlines import end_of_day
    from workflows.calls import call, record
    from workflows.case import RequestCase
    from workflows.clock import identity_confirmed

A = TypeVar("A")
R = TypeVar("R")
CODE_DIGITS = 6
CODE_METHOD = "one-time code emailed to the address on file"


async def identity_in_time(case: RequestCase) -> bool:
    """Wait for verification until the policy closes unverified requests."""
    closes = end_of_day(case.req.clock.unverified_deadline(case.req.receipt_date))
    try:
        await workflow.wait_condition(
            lambda: bool(case.verified_by), timeout=max(closes - workflow.now(), timedelta(0))
        )
    except TimeoutError:
        return bool(case.verified_by)
    return True


async def confirm_identity(case: RequestCase, agent: str, method: str) -> None:
    """The identity is verified: the clock starts (if paused) and the trail says how."""
    case.verified_by = agent
    identity_confirmed(case)
    await record(case, agent, "identity_verified", method=method,
                 due_on=case.deadline.due_on.isoformat())  # fmt: skip


async def code_call(activity: names.Activity[A, R], arg: A) -> R:
    """A code activity inside an update: its refusal becomes the update's refusal."""
    try:
        return await call(activity, arg)
    except ActivityError as err:
        cause = err.cause
        raise ApplicationError(
            cause.message if isinstance(cause, ApplicationError) else "The code step failed."
        ) from None
