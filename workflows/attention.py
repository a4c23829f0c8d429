"""When a person must act: one counted mechanism for failures, overdue systems and decisions.

Each open reason has a key (a system's name, a pending confirmation, the officer). The
first reason moves the request to `needs_attention`; every reason is written to the audit
trail; when the last one closes the request returns once to where it was.

Requests started before this mechanism existed recorded one "resumed" event per failed
step, and let a pending system hide a failure; `workflow.patched(ONE_ATTENTION)` keeps
their histories replaying (docs/decisions/0009-changing-running-workflows.md).
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.kinds import RequestState
    from workflows.calls import enter
    from workflows.case import Reason, RequestCase, Wait

ONE_ATTENTION = "one-attention-mechanism"


async def raise_attention(
    case: RequestCase, key: str, text: str, wait: Wait, action: str, **details: Any
) -> None:
    """Open a reason: the request needs attention, and the audit trail says why."""
    attention = case.attention
    if not attention.reasons:
        attention.resume_to = case.state
    attention.reasons[key] = Reason(text, wait, case.state)
    await enter(case, RequestState.NEEDS_ATTENTION, "system", action, **details)


async def lower_attention(case: RequestCase, key: str, *, resume: bool = True) -> None:
    """Close a reason; when it was the last, return once to the state before the first.

    `resume=False` leaves the state to the caller, who moves on to a new one at once.
    """
    attention = case.attention
    reason = attention.reasons.pop(key)
    crowded = bool(attention.reasons) or reason.opened_in is not attention.resume_to
    if crowded and not workflow.patched(ONE_ATTENTION):
        await _resume_as_before_the_patch(case, reason)
        return
    if not attention.reasons and resume:
        await enter(case, attention.resume_to, "system", "resumed")


async def _resume_as_before_the_patch(case: RequestCase, reason: Reason) -> None:
    """Each failed step resumed to its own state; the last overdue system to confirm
    resumed to `awaiting_confirmation`."""
    if reason.wait is Wait.FAILURE:
        await enter(case, reason.opened_in, "system", "resumed")
    elif reason.wait is Wait.OVERDUE and not case.attention.waits_for(Wait.OVERDUE):
        await enter(case, RequestState.AWAITING_CONFIRMATION, "system", "resumed")


async def until_retried(case: RequestCase, key: str, text: str) -> None:
    """A step failed after its retries: wait for an agent's `retry`, then try it again."""
    asked_before = case.attention.retries
    await raise_attention(case, key, text, Wait.FAILURE, "needs_attention", reason=text)
    await workflow.wait_condition(lambda: case.attention.retries > asked_before)
    await lower_attention(case, key)


def awaiting_confirmation_hides_attention(case: RequestCase) -> bool:
    """Whether entering `awaiting_confirmation` now would hide open reasons.

    While reasons are open the request stays in `needs_attention` and returns to
    `awaiting_confirmation` afterwards; before the patch, only overdue systems kept it there.
    """
    attention = case.attention
    if not attention.reasons:
        return False
    if attention.waits_for(Wait.OVERDUE) or workflow.patched(ONE_ATTENTION):
        attention.resume_to = RequestState.AWAITING_CONFIRMATION
        return True
    return False
