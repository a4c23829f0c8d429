"""The erasure path: plan, wait for approval, erase everywhere, settle pending outcomes, prove."""

from __future__ import annotations

from dataclasses import replace

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.kinds import RequestState
    from domain.messages import (
        CompileProofInput,
        DeliveryRef,
        EraseInput,
        NoticeKind,
        PlanInput,
        RequestResult,
    )
    from domain.records import ConnectorPlan, Located, Outcome, OutcomeStatus
    from workflows.confirming import ConfirmationWaiting, settled


class ErasureSteps(ConfirmationWaiting):
    """Plain methods the workflow class inherits; its Temporal handlers stay on that class."""

    _approved_by: str
    _plans: tuple[ConnectorPlan, ...]
    _proof: DeliveryRef | None

    async def _carry_out_erasure(self, everywhere: list[Located]) -> RequestResult:
        located = [loc for loc in everywhere if loc.found]
        # Systems that hold nothing still appear in the proof: the subject sees all we checked.
        nothing_found = [
            Outcome(loc.connector, OutcomeStatus.NOT_FOUND, "No data of the subject was found.")
            for loc in everywhere
            if not loc.found
        ]
        await self._enter(RequestState.PLANNING, "system", "planning_erasure")
        today = workflow.now().date()
        self._plans = tuple(
            await self._gather(
                located,
                lambda loc: self._connector_call(
                    loc.connector,
                    "plan_erasure",
                    PlanInput(self._req.request_id, loc.connector, loc, today),
                    ConnectorPlan,
                ),
            )
        )
        for plan in self._plans:
            self._step(plan.connector, "planned")
        await self._enter(RequestState.AWAITING_APPROVAL, "system", "plan_ready")
        await self._wait_for(lambda: bool(self._approved_by))
        await self._enter(RequestState.EXECUTING, self._approved_by, "erasure_started")
        plans = {p.connector: p for p in self._plans}
        erased = await self._gather(located, lambda loc: self._erase(loc, plans[loc.connector]))
        outcomes = erased + nothing_found
        await self._enter(RequestState.COMPILING, "system", "compiling_proof")
        proof = await self._call(
            "compile_proof",
            CompileProofInput(
                request_id=self._req.request_id,
                language=self._req.subject.language,
                received_at=self._req.received_at,
                approved_by=self._approved_by,
                connectors=self._connectors,
                plans=self._plans,
                outcomes=tuple(outcomes),
            ),
            DeliveryRef,
        )
        self._proof = proof
        await self._notify(NoticeKind.ERASURE_DONE, link=proof.link or "")
        await self._enter(RequestState.COMPLETED, "system", "proof_delivered", sha256=proof.sha256)
        return RequestResult(
            self._req.request_id, RequestState.COMPLETED, proof=proof, outcomes=tuple(outcomes)
        )

    async def _erase(self, loc: Located, plan: ConnectorPlan) -> Outcome:
        """Erase in one system, then wait for its confirmation when the answer is pending."""
        outcome = await self._erase_once(loc, plan)
        while outcome.status is OutcomeStatus.PENDING:
            confirmation = await self._confirmation_of(outcome)
            if not confirmation.succeeded or confirmation.confirmed_by.startswith("agent "):
                outcome = settled(outcome, confirmation)
                break
            # The system finished its part; erase again to complete what depended on it.
            again = await self._erase_once(loc, plan)
            if again.status is OutcomeStatus.PENDING:
                outcome = again
            else:
                outcome = replace(
                    again,
                    confirmed_by=confirmation.confirmed_by,
                    at=confirmation.at or again.at,
                    external_ref=outcome.external_ref,
                )
        self._set_outcome(outcome)
        await self._record(
            "system", "connector_outcome", connector=loc.connector, outcome=outcome.status.value
        )
        return outcome

    async def _erase_once(self, loc: Located, plan: ConnectorPlan) -> Outcome:
        outcome = await self._connector_call(
            loc.connector,
            "erase",
            EraseInput(self._req.request_id, loc.connector, loc, plan),
            Outcome,
        )
        outcome = outcome if outcome.at else replace(outcome, at=workflow.now())
        self._set_outcome(outcome)
        return outcome

    def _set_outcome(self, outcome: Outcome) -> None:
        self._progress[outcome.connector] = replace(
            self._progress[outcome.connector], step=outcome.status.value, outcome=outcome
        )
