"""Whether a request's worker answers now, told apart from whether Temporal does.

Temporal keeps answering while no worker runs: it stores the request and accepts calls, but
a query or an update waits for a worker that is not there. The task queue's poller list
cannot tell quickly either (an idle worker's last poll may be a minute old, a dead one's
stays listed for minutes). What does tell is asking the workflow itself with a short
timeout: its progress query is answered by a worker or not at all.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio.client import WorkflowExecutionDescription, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from domain import names
from domain.messages import Progress

# How long a worker may take to answer the progress query before it counts as unreachable
# (a worker that runs answers in milliseconds; the agent's command must answer in seconds).
# Before an action is sent; a worker too slow for it costs the agent a second try.
PROBE_SECONDS = 1.5
# For status, which falls back on the registry's last known state.
STATUS_PROBE_SECONDS = 1.0
# Temporal's own answers (describe, history) need no worker and come at once.
SERVER_SECONDS = 2.0

# What Temporal answers when no worker took a query in time: the call ran out of time, or
# the server saw no poller for the task queue recently ("worker may be down").
_NO_WORKER = {
    RPCStatusCode.CANCELLED,
    RPCStatusCode.DEADLINE_EXCEEDED,
    RPCStatusCode.FAILED_PRECONDITION,
}


async def ask_progress(
    handle: WorkflowHandle[Any, Any], within: float = PROBE_SECONDS
) -> Progress | None:
    """The workflow's progress, or None when no worker answered `within` seconds.

    Other failures (the request is gone, Temporal is down) raise the RPCError.
    """
    query = handle.query(
        names.PROGRESS.name,
        result_type=names.PROGRESS.result,
        rpc_timeout=timedelta(seconds=within),
    )
    try:
        # The client may retry a timed-out query; the agent waits for one timeout only.
        progress: Progress = await asyncio.wait_for(query, within)
    except TimeoutError:
        return None
    except RPCError as err:
        if err.status in _NO_WORKER:
            return None
        raise
    return progress


async def describe(handle: WorkflowHandle[Any, Any]) -> WorkflowExecutionDescription:
    """Temporal's record of the workflow (status, pending activities); needs no worker."""
    return await handle.describe(rpc_timeout=timedelta(seconds=SERVER_SECONDS))
