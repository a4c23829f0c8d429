"""The erasure path: plan, wait for approval, erase everywhere, settle pending outcomes, prove."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.kinds import RequestState
    from domain.messages import EraseInput, NoticeKind, PlanInput, RequestResult, ServicesChoice
    from domain.records import Located, Outcome
    from workflows.calls import enter, gather, record
    from workflows.case import RequestCase
    from workflows.confirming import apply
    from workflows.proof import act_and_prove
    from workflows.systems import connector_call, step


async def carry_out_erasure(case: RequestCase, everywhere: list[Located]) -> RequestResult:
    located = [loc for loc in everywhere if loc.found]
    await enter(case, RequestState.PLANNING, "system", "planning_erasure")
    await _plan(case, located)
    await enter(case, RequestState.AWAITING_APPROVAL, "system", "plan_ready")
    await _until_approved(case, located)
    plans = {p.connector: p for p in case.plans}

    async def erase(loc: Located) -> Outcome:
        """Erase in one system, then wait for its confirmation when the answer is pending."""
        arg = EraseInput(case.request_id, loc.connector, loc, plans[loc.connector])
        return await apply(case, loc, names.ERASE, arg)

    return await act_and_prove(
        case, everywhere, erase, notice=NoticeKind.ERASURE_DONE, started="erasure_started"
    )


async def _plan(case: RequestCase, located: list[Located]) -> None:
    today = workflow.now().date()
    case.plans = tuple(
        await gather(
            located,
            lambda loc: connector_call(
                case,
                loc.connector,
                names.PLAN_ERASURE,
                PlanInput(case.request_id, loc.connector, loc, today),
            ),
        )
    )
    for plan in case.plans:
        step(case, plan.connector, "planned")


async def _until_approved(case: RequestCase, located: list[Located]) -> None:
    """Approval, after the agent chose what happens to active services.

    "Transfer first": the subject moves domains and services elsewhere; the next
    approval plans anew, so what was transferred is no longer ended by the erasure.
    """
    while True:
        await workflow.wait_condition(lambda: case.approval is not None)
        approval = case.approval
        assert approval is not None
        if approval.services is not ServicesChoice.TRANSFER_FIRST:
            case.approved_by = approval.agent
            return
        case.approval = None
        case.transfer_pending = True
        await record(case, approval.agent, "transfer_first_chosen")
        await workflow.wait_condition(lambda: case.approval is not None)
        case.transfer_pending = False
        await record(case, "system", "replanning_after_transfer")
        await _plan(case, located)
        again = case.approval
        if again is not None and (
            not active_services(case) or again.services is ServicesChoice.TERMINATE
        ):
            case.approved_by = again.agent
            return
        # Services remain: the agent sees the new plan and chooses again.
        case.approval = None


def active_services(case: RequestCase) -> tuple[str, ...]:
    return tuple(s for plan in case.plans for s in plan.active_services)


def already_approved(case: RequestCase) -> str:
    """Why a second approval is refused: who approved, and the choice about active services."""
    approval = case.approval
    agent = case.approved_by or (approval.agent if approval else "")
    services = approval.services if approval else ServicesChoice.UNSET
    return (
        f"The plan was already approved by {agent}{_CHOICES[services]}; "
        f"the request is {case.state.value}."
    )


_CHOICES = {
    ServicesChoice.UNSET: "",
    ServicesChoice.TERMINATE: " with --terminate (active services end with the erasure)",
    ServicesChoice.TRANSFER_FIRST: " with --transfer-first (the subject moves services first)",
}
