"""Rectification, restriction and objection: act in every system, settle, prove, tell.

Each system that holds the subject's data is also a recipient in the sense of Art. 19: the
change is made in its own interface, and the proof lists each recipient and what it said.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.kinds import RequestKind, RequestState
    from domain.messages import (
        Choice,
        CompileProofInput,
        Decision,
        DeliveryRef,
        NoticeKind,
        RequestResult,
        RightInput,
    )
    from domain.records import Located, Outcome, OutcomeStatus
    from domain.rights import Purpose
    from workflows.confirming import ConfirmationWaiting

OPERATIONS = {
    RequestKind.RECTIFICATION: "rectify",
    RequestKind.RESTRICTION: "restrict",
    RequestKind.OBJECTION: "object_to",
}


class RightSteps(ConfirmationWaiting):
    """Plain methods the workflow class inherits; its Temporal handlers stay on that class."""

    _proof: DeliveryRef | None
    _decision: Decision | None
    _decision_wanted: str

    async def _carry_out_right(self, everywhere: list[Located]) -> RequestResult:
        kind = self._req.kind
        purposes = self._req.purposes
        if kind is RequestKind.OBJECTION and Purpose.OTHER in purposes:
            purposes = await self._weigh_objection(purposes)
            if not purposes:
                await self._enter(RequestState.REJECTED, self._decider(), "objection_refused")
                return RequestResult(self._req.request_id, RequestState.REJECTED)
        located = [loc for loc in everywhere if loc.found]
        nothing_found = [
            Outcome(loc.connector, OutcomeStatus.NOT_FOUND, "No data of the subject was found.")
            for loc in everywhere
            if not loc.found
        ]
        await self._enter(RequestState.EXECUTING, "system", f"{kind.value}_started")
        operation = OPERATIONS[kind]
        applied = await self._gather(
            located,
            lambda loc: self._apply(
                loc,
                operation,
                RightInput(
                    self._req.request_id,
                    loc.connector,
                    loc,
                    changes=self._req.changes,
                    purposes=purposes,
                ),
            ),
        )
        outcomes = applied + nothing_found
        await self._enter(RequestState.COMPILING, "system", "compiling_proof")
        changes = self._req.changes
        proof = await self._call(
            "compile_proof",
            CompileProofInput(
                request_id=self._req.request_id,
                language=self._req.subject.language,
                received_at=self._req.received_at,
                approved_by="",
                connectors=self._connectors,
                plans=(),
                outcomes=tuple(outcomes),
                kind=kind,
                fields=tuple(f.value for f in changes.fields) if changes else (),
                purposes=purposes,
            ),
            DeliveryRef,
        )
        self._proof = proof
        await self._notify(
            NoticeKind.RIGHT_DONE, link=proof.link or "", kind=kind, purposes=purposes
        )
        await self._enter(RequestState.COMPLETED, "system", "proof_delivered", sha256=proof.sha256)
        return RequestResult(
            self._req.request_id, RequestState.COMPLETED, proof=proof, outcomes=tuple(outcomes)
        )

    async def _weigh_objection(self, purposes: tuple[Purpose, ...]) -> tuple[Purpose, ...]:
        """Art. 21(1): the officer weighs an objection to processing other than marketing.

        Upheld: every system stops that processing too. Refused: the subject is told why
        (with the right to complain), and only the absolute purposes are carried out.
        """
        self._decision = None
        self._decision_wanted = "objection"
        self._attention = (
            "The subject objects to processing other than direct marketing; an officer weighs "
            "it: dsr decide <request> proceed (uphold) or refuse --reason '...'."
        )
        await self._enter(RequestState.NEEDS_ATTENTION, "system", "objection_to_weigh")
        await workflow.wait_condition(lambda: self._decision is not None)
        decision = self._decision
        assert decision is not None
        self._decision_wanted = ""
        self._attention = ""
        if decision.choice is Choice.PROCEED:
            return purposes
        await self._notify(NoticeKind.REFUSAL, reason=decision.reason)
        return tuple(p for p in purposes if p.absolute)

    def _decider(self) -> str:
        return self._decision.agent if self._decision else "system"
