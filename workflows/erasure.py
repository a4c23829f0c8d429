"""The erasure path: plan, wait for approval, erase everywhere, settle pending outcomes, prove."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.kinds import RequestState
    from domain.messages import (
        ApprovePlan,
        CompileProofInput,
        DeliveryRef,
        EraseInput,
        NoticeKind,
        PlanInput,
        RequestResult,
        ServicesChoice,
    )
    from domain.records import ConnectorPlan, Located, Outcome, OutcomeStatus
    from workflows.confirming import ConfirmationWaiting


class ErasureSteps(ConfirmationWaiting):
    """Plain methods the workflow class inherits; its Temporal handlers stay on that class."""

    _approved_by: str
    _approval: ApprovePlan | None
    _transfer_pending: bool
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
        await self._plan(located)
        await self._enter(RequestState.AWAITING_APPROVAL, "system", "plan_ready")
        await self._until_approved(located)
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

    async def _plan(self, located: list[Located]) -> None:
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

    async def _until_approved(self, located: list[Located]) -> None:
        """Approval, after the agent chose what happens to active services.

        "Transfer first": the subject moves domains and services elsewhere; the next
        approval plans anew, so what was transferred is no longer ended by the erasure.
        """
        while True:
            await self._wait_for(lambda: self._approval is not None)
            approval = self._approval
            assert approval is not None
            if approval.services is not ServicesChoice.TRANSFER_FIRST:
                self._approved_by = approval.agent
                return
            self._approval = None
            self._transfer_pending = True
            await self._record(approval.agent, "transfer_first_chosen")
            await self._wait_for(lambda: self._approval is not None)
            self._transfer_pending = False
            await self._record("system", "replanning_after_transfer")
            await self._plan(located)
            if self._approval is not None and not self._active_services():
                self._approved_by = self._approval.agent
                return
            if self._approval is not None and self._approval.services is ServicesChoice.TERMINATE:
                self._approved_by = self._approval.agent
                return
            # Services remain: the agent sees the new plan and chooses again.
            self._approval = None

    def _active_services(self) -> tuple[str, ...]:
        return tuple(s for plan in self._plans for s in plan.active_services)

    async def _erase(self, loc: Located, plan: ConnectorPlan) -> Outcome:
        """Erase in one system, then wait for its confirmation when the answer is pending."""
        return await self._apply(
            loc, "erase", EraseInput(self._req.request_id, loc.connector, loc, plan)
        )
