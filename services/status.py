"""What `dsr status` (and GET /requests/<ref>) shows: the workflow's progress, and around it
what only Temporal and the registry know.

- While the worker answers, the progress is the workflow's own, and Temporal's record of
  the workflow adds the connector calls it is retrying: attempt and last error per system.
- When the worker does not answer, the registry's copy of the last state the workflow
  entered stands in, with a sentence saying so — Temporal itself may well be up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from temporalio.api.failure.v1 import Failure
from temporalio.client import Client, WorkflowExecutionDescription, WorkflowHandle
from temporalio.exceptions import FailureError
from temporalio.service import RPCError

from domain.kinds import RequestKind, RequestState
from domain.messages import Progress
from services.liveness import STATUS_PROBE_SECONDS, ask_progress, describe
from store.registry import RegisteredRequest

# A last error is one line of at most this many characters.
ERROR_CHARS = 200


@dataclass(frozen=True)
class RetryingCall:
    """A connector call Temporal is retrying: which system, which operation, how far."""

    connector: str
    operation: str
    attempt: int
    last_error: str = ""


@dataclass(frozen=True)
class RequestStatus(Progress):
    """The progress, the agent's reference, whether the worker answered, and the retries."""

    agent_ref: str = ""
    # False: the worker did not answer, and the state is the registry's last record of it.
    live: bool = True
    # When not live: one sentence saying so, and when the state was recorded.
    worker: str = ""
    recorded_at: datetime | None = None
    retrying: tuple[RetryingCall, ...] = ()


async def read_status(
    client: Client, handle: WorkflowHandle[Any, Any], row: RegisteredRequest
) -> RequestStatus:
    """The live progress when the worker answers, else the last state the registry holds.

    The worker and Temporal are asked at once: Temporal's record tells whether it is up and
    which calls it retries, whatever the worker does.
    """
    progress, described = await asyncio.gather(_progress(handle), _described(handle))
    if progress is None:
        return _last_known(row, temporal_up=described is not None)
    retrying = await _retrying(client, handle, progress, described)
    return _with(progress, agent_ref=row.agent_ref, retrying=retrying)


async def _progress(handle: WorkflowHandle[Any, Any]) -> Progress | None:
    try:
        return await ask_progress(handle, STATUS_PROBE_SECONDS)
    except RPCError:
        return None


async def _described(handle: WorkflowHandle[Any, Any]) -> WorkflowExecutionDescription | None:
    try:
        return await describe(handle)
    except RPCError:
        return None


def _last_known(row: RegisteredRequest, *, temporal_up: bool) -> RequestStatus:
    why = (
        f"The worker is unreachable (it did not answer within {STATUS_PROBE_SECONDS:g} s; "
        "Temporal itself is up)"
        if temporal_up
        else "Temporal does not answer about this request"
    )
    recorded = f"{row.updated_at:%Y-%m-%d %H:%M} UTC"
    sentence = (
        f"{why}: this is the last state recorded, at {recorded}; "
        "actions are not applied until the worker is back."
    )
    progress = Progress(
        request_id=row.request_id,
        kind=RequestKind(row.kind),
        state=RequestState(row.state),
        due_on=row.due_on,
    )
    return _with(
        progress, agent_ref=row.agent_ref, live=False, worker=sentence, recorded_at=row.updated_at
    )


def _with(progress: Progress, **extra: Any) -> RequestStatus:
    return RequestStatus(**{f.name: getattr(progress, f.name) for f in fields(Progress)}, **extra)


async def _retrying(
    client: Client,
    handle: WorkflowHandle[Any, Any],
    progress: Progress,
    described: WorkflowExecutionDescription | None,
) -> tuple[RetryingCall, ...]:
    """The calls Temporal retries now; best effort: without an answer, none are shown."""
    if progress.state.is_final or described is None:
        return ()
    pending = described.raw_description.pending_activities
    failed = [p for p in pending if p.attempt > 1 or p.HasField("last_failure")]
    if not failed:
        return ()
    try:
        systems = await _systems_of(client, handle, {p.activity_id for p in failed})
    except RPCError:
        return ()
    calls = []
    for p in failed:
        error = await _message(client, p.last_failure) if p.HasField("last_failure") else ""
        system = systems.get(p.activity_id) or _running(progress, p.activity_type.name)
        calls.append(RetryingCall(system, p.activity_type.name, p.attempt, error))
    return tuple(calls)


async def _systems_of(
    client: Client, handle: WorkflowHandle[Any, Any], activity_ids: set[str]
) -> dict[str, str]:
    """Activity id -> the system its input names (connector calls carry `connector`).

    Only that one field is read from the input; nothing else of it leaves this function.
    """
    found: dict[str, str] = {}
    async for event in handle.fetch_history_events():
        if not event.HasField("activity_task_scheduled_event_attributes"):
            continue
        scheduled = event.activity_task_scheduled_event_attributes
        if scheduled.activity_id not in activity_ids:
            continue
        found[scheduled.activity_id] = _connector_in(
            await client.data_converter.decode(scheduled.input.payloads)
        )
    return found


def _connector_in(values: Sequence[Any]) -> str:
    first = values[0] if values else None
    name = first.get("connector") if isinstance(first, dict) else None
    return name if isinstance(name, str) else ""


def _running(progress: Progress, operation: str) -> str:
    """A call without a system in its input (the push): the one system running it, if one."""
    running = [c.connector for c in progress.connectors if c.step == f"{operation}…"]
    return running[0] if len(running) == 1 else ""


async def _message(client: Client, failure: Failure) -> str:
    """The failure's own sentence, decrypted, on one line (connectors keep it impersonal)."""
    copy = Failure()
    copy.CopyFrom(failure)
    error = await client.data_converter.decode_failure(copy)
    text = error.message if isinstance(error, FailureError) else str(error)
    line = " ".join(text.split())
    return line if len(line) <= ERROR_CHARS else line[: ERROR_CHARS - 1] + "…"
