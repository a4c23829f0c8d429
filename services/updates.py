"""Sending an agent action (a workflow update) and telling the agent truthfully what became of it.

An update sent while no worker runs is not lost: Temporal keeps it and the next worker
applies it — long after the agent was told it failed. So before sending, the worker is
asked for the request's progress with a short timeout; when it does not answer, nothing is
sent and the agent hears that the action was not applied. Once sent, the answer is one of
three, each within seconds:

- applied: the workflow's own message;
- refused: its validator's (or handler's) sentence, and nothing changed;
- queued: accepted but still being carried out, or sent just as the worker stopped
  answering — then it is applied when the worker is back, if the request still allows it.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any, TypeVar

from temporalio.client import (
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
    WorkflowUpdateStage,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain import names
from domain.messages import ActionResult
from services.errors import (
    ActionQueued,
    ActionRefused,
    TemporalUnavailable,
    WorkerUnavailable,
)
from services.liveness import ask_progress, describe

A = TypeVar("A")

# After the worker answered the probe: how long it may take to accept the action, then to
# carry it out. Together with the probe the agent has an answer well within ten seconds.
ACCEPT_SECONDS = 4.0
RESULT_SECONDS = 3.0

NOT_APPLIED = (
    "Not applied: the worker that runs requests does not answer (Temporal itself is up), "
    "so the action was not sent; run it again when the worker is back."
)
SENT_NOT_ACCEPTED = (
    "Sent, but the worker stopped answering before it took the action: it is applied when "
    "the worker is back, if the request still allows it then; dsr audit shows when it is."
)
ACCEPTED_NOT_DONE = (
    "Accepted; the worker is still carrying it out, and dsr status shows the result."
)


async def send_update(
    handle: WorkflowHandle[Any, Any], update: names.Update[A], action: A
) -> ActionResult:
    """Send `action` if the request's worker answers; see the module doc for the answers."""
    await _require_running(handle)
    try:
        answering = await ask_progress(handle)
    except RPCError as err:
        raise _translate(err) from None
    if answering is None:
        raise WorkerUnavailable(NOT_APPLIED)
    sending = handle.start_update(
        update.name,
        action,
        wait_for_stage=WorkflowUpdateStage.ACCEPTED,
        result_type=update.result,
        rpc_timeout=timedelta(seconds=ACCEPT_SECONDS),
    )
    try:
        # The client asks again while Temporal answers "admitted"; the agent waits once.
        sent = await asyncio.wait_for(sending, ACCEPT_SECONDS)
    except (WorkflowUpdateRPCTimeoutOrCancelledError, TimeoutError):
        raise ActionQueued(SENT_NOT_ACCEPTED) from None
    except WorkflowUpdateFailedError as err:
        raise _refused(err) from None
    except RPCError as err:
        raise _translate(err) from None
    outcome = sent.result(rpc_timeout=timedelta(seconds=RESULT_SECONDS))
    try:
        result: ActionResult = await asyncio.wait_for(outcome, RESULT_SECONDS)
    except (WorkflowUpdateRPCTimeoutOrCancelledError, TimeoutError):
        raise ActionQueued(ACCEPTED_NOT_DONE) from None
    except WorkflowUpdateFailedError as err:
        raise _refused(err) from None
    except RPCError as err:
        raise _translate(err) from None
    return result


async def _require_running(handle: WorkflowHandle[Any, Any]) -> None:
    """A finished request refuses every action; Temporal says so without a worker."""
    try:
        status = (await describe(handle)).status
    except RPCError as err:
        raise _translate(err) from None
    if status is not WorkflowExecutionStatus.RUNNING:
        raise ActionRefused("The request has already finished; nothing was changed.")


def _refused(err: WorkflowUpdateFailedError) -> ActionRefused:
    cause = err.cause
    return ActionRefused(cause.message if isinstance(cause, ApplicationError) else str(cause))


def _translate(err: RPCError) -> Exception:
    """Temporal's refusal as the sentence an agent reads."""
    if err.status is RPCStatusCode.NOT_FOUND:
        return ActionRefused("The request has already finished; nothing was changed.")
    return TemporalUnavailable(
        f"Temporal could not answer ({err.status.name}); nothing was changed, "
        "try again when it is up."
    )
