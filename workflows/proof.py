"""The ending every right with a proof shares: act where the subject was found, then prove.

Erasure, rectification, restriction and objection all end the same way: the systems that
hold nothing appear as `not_found`, the others act (and settle), the proof is compiled and
linked in a notice to the subject, and the request completes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.kinds import RequestState
    from domain.messages import CompileProofInput, NoticeKind, RequestResult
    from domain.records import Located, Outcome, OutcomeStatus
    from domain.rights import Purpose
    from workflows.calls import call, enter, gather, notify
    from workflows.case import RequestCase

Act = Callable[[Located], Awaitable[Outcome]]


async def act_and_prove(
    case: RequestCase,
    everywhere: list[Located],
    act: Act,
    *,
    notice: NoticeKind,
    started: str,
    purposes: tuple[Purpose, ...] = (),
    **notice_fields: Any,
) -> RequestResult:
    """Act in every system that holds the subject's data, then prove it and tell them."""
    located = [loc for loc in everywhere if loc.found]
    # Systems that hold nothing still appear in the proof: the subject sees all we checked.
    nothing_found = [
        Outcome(loc.connector, OutcomeStatus.NOT_FOUND, "No data of the subject was found.")
        for loc in everywhere
        if not loc.found
    ]
    await enter(case, RequestState.EXECUTING, case.approved_by or "system", started)
    outcomes = tuple(await gather(located, act) + nothing_found)
    await enter(case, RequestState.COMPILING, "system", "compiling_proof")
    changes = case.req.changes
    proof = await call(
        names.COMPILE_PROOF,
        CompileProofInput(
            request_id=case.request_id,
            language=case.req.subject.language,
            received_at=case.req.received_at,
            approved_by=case.approved_by,
            connectors=case.connectors,
            plans=case.plans,
            outcomes=outcomes,
            kind=case.req.kind,
            fields=tuple(f.value for f in changes.fields) if changes else (),
            purposes=purposes,
        ),
    )
    case.proof = proof
    await notify(case, notice, link=proof.link or "", purposes=purposes, **notice_fields)
    await enter(case, RequestState.COMPLETED, "system", "proof_delivered", sha256=proof.sha256)
    return RequestResult(case.request_id, RequestState.COMPLETED, proof=proof, outcomes=outcomes)
