"""Questions only the privacy officer answers: repeated requests and weighed objections."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.kinds import RequestState
    from domain.messages import Choice, Decision, NoticeKind
    from domain.rights import Purpose
    from workflows.attention import lower_attention, raise_attention
    from workflows.calls import enter, notify
    from workflows.case import OfficerQuestion, RequestCase, Wait

OFFICER = "officer"


async def ask_officer(
    case: RequestCase, question: OfficerQuestion, text: str, action: str, **details: Any
) -> Decision:
    """Wait for the officer's decision (a fee announcement is not one: they decide again)."""
    case.decision = None
    case.question = question
    await raise_attention(case, OFFICER, text, Wait.OFFICER, action, **details)
    await workflow.wait_condition(
        lambda: case.decision is not None and case.decision.choice is not Choice.FEE
    )
    decision = case.decision
    assert decision is not None
    case.question = None
    await lower_attention(case, OFFICER, resume=False)
    return decision


async def lets_repeated_request_proceed(case: RequestCase) -> bool:
    """A repeated request (Art. 12(5)) waits for the officer: proceed, fee, or refuse."""
    earlier = case.req.earlier_requests
    decision = await ask_officer(
        case,
        OfficerQuestion.REPEATED,
        f"The same subject asked {earlier} time(s) in the last 12 months; "
        "an officer decides: dsr decide <request> proceed|fee|refuse.",
        "repeated_request",
        earlier=earlier,
    )
    if decision.choice is Choice.PROCEED:
        return True
    await notify(case, NoticeKind.REFUSAL, reason=decision.reason)
    await enter(case, RequestState.REJECTED, decision.agent, "request_refused",
                reason=decision.reason)  # fmt: skip
    return False


async def weigh_objection(case: RequestCase, purposes: tuple[Purpose, ...]) -> tuple[Purpose, ...]:
    """Art. 21(1): the officer weighs an objection to processing other than marketing.

    Upheld: every system stops that processing too. Refused: the subject is told why
    (with the right to complain), and only the absolute purposes are carried out.
    """
    decision = await ask_officer(
        case,
        OfficerQuestion.OBJECTION,
        "The subject objects to processing other than direct marketing; an officer weighs "
        "it: dsr decide <request> proceed (uphold) or refuse --reason '...'.",
        "objection_to_weigh",
    )
    if decision.choice is Choice.PROCEED:
        return purposes
    await notify(case, NoticeKind.REFUSAL, reason=decision.reason)
    return tuple(p for p in purposes if p.absolute)
