"""What an agent's action must satisfy before it is accepted.

The update validators on the workflow class call these; a ValueError's sentence goes back
to the agent, and a refused action leaves no trace in the request's history.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.kinds import RequestState
    from workflows.case import RequestCase


def require_agent(agent: str) -> None:
    if not agent.strip():
        raise ValueError("Say who you are: the agent name goes into the audit trail.")


def require_open(case: RequestCase) -> None:
    if case.state.is_final:
        raise ValueError(f"The request is already {case.state.value}.")
    if case.cancel is not None:
        raise ValueError("The request is being cancelled.")


def require_unverified(case: RequestCase) -> None:
    if case.verified_by:
        raise ValueError("The identity of this request is already verified.")
    require_open(case)
    if case.state is not RequestState.VERIFYING:
        raise ValueError(f"The request is not waiting for identity: it is {case.state.value}.")
