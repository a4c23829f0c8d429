"""Rectification, restriction and objection: act in every system, settle, prove, tell.

Each system that holds the subject's data is also a recipient in the sense of Art. 19: the
change is made in its own interface, and the proof lists each recipient and what it said.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.kinds import RequestKind, RequestState
    from domain.messages import NoticeKind, RequestResult, RightInput
    from domain.records import Located, Outcome
    from domain.rights import Purpose
    from workflows.calls import enter
    from workflows.case import RequestCase
    from workflows.confirming import apply
    from workflows.officer import weigh_objection
    from workflows.proof import act_and_prove

OPERATIONS: dict[RequestKind, names.Activity[RightInput, Outcome]] = {
    RequestKind.RECTIFICATION: names.RECTIFY,
    RequestKind.RESTRICTION: names.RESTRICT,
    RequestKind.OBJECTION: names.OBJECT_TO,
}


async def carry_out_right(case: RequestCase, everywhere: list[Located]) -> RequestResult:
    kind = case.req.kind
    purposes = case.req.purposes
    if kind is RequestKind.OBJECTION and Purpose.OTHER in purposes:
        purposes = await weigh_objection(case, purposes)
        if not purposes:
            decider = case.decision.agent if case.decision else "system"
            await enter(case, RequestState.REJECTED, decider, "objection_refused")
            return RequestResult(case.request_id, RequestState.REJECTED)
    operation = OPERATIONS[kind]

    async def act(loc: Located) -> Outcome:
        arg = RightInput(
            case.request_id, loc.connector, loc, changes=case.req.changes, purposes=purposes
        )
        return await apply(case, loc, operation, arg)

    return await act_and_prove(
        case,
        everywhere,
        act,
        notice=NoticeKind.RIGHT_DONE,
        started=f"{kind.value}_started",
        purposes=purposes,
        kind=kind,
    )
