"""One operation in one outside system: progress shown, failures explained, retried by people.

Temporal retries a failing connector call by its retry policy, unless the connector said
retrying cannot help (a refusal, bad credentials: `ConnectorError.final`); when the retries
are spent, or at once for such a failure, the request needs attention with the system's own
words, and the call runs again after an agent's `retry`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import names
    from workflows.attention import until_retried
    from workflows.case import RequestCase

A = TypeVar("A")
R = TypeVar("R")

# Connector calls heartbeat, so a worker that dies mid-call is noticed within this time.
CONNECTOR_HEARTBEAT = timedelta(seconds=20)
CONNECTOR_TIMEOUT = timedelta(minutes=30)
CONNECTOR_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=8,
    non_retryable_error_types=["AuthenticationFailed"],
)


async def connector_call(
    case: RequestCase, connector: str, activity: names.Activity[A, R], arg: A
) -> R:
    """Run one connector operation; on final failure wait for an agent's retry, then again."""
    return await connector_call_with(case, connector, activity, lambda: arg)


async def connector_call_with(
    case: RequestCase, connector: str, activity: names.Activity[A, R], make_arg: Callable[[], A]
) -> R:
    """`connector_call` whose argument is made anew for each try (an agent may correct it)."""
    step(case, connector, f"{activity.name}…")
    while True:
        try:
            result: R = await workflow.execute_activity(
                activity.name,
                make_arg(),
                result_type=activity.result,
                start_to_close_timeout=CONNECTOR_TIMEOUT,
                heartbeat_timeout=CONNECTOR_HEARTBEAT,
                retry_policy=CONNECTOR_RETRY,
            )
        except ActivityError as err:
            reason = failure_reason(err, connector, activity.name)
            case.progress[connector] = replace(case.progress[connector], error=reason)
            await until_retried(case, connector, reason)
            continue
        # The call succeeded: an error of an earlier try no longer holds.
        case.progress[connector] = replace(case.progress[connector], error="")
        return result


def step(case: RequestCase, connector: str, name: str, records: int | None = None) -> None:
    """Show what a system is doing now; an error stays visible while its call is retried."""
    current = case.progress[connector]
    case.progress[connector] = replace(
        current,
        step=name,
        records=current.records if records is None else records,
        error=current.error if name.endswith("…") else "",
    )


def failure_reason(err: ActivityError, connector: str, operation: str) -> str:
    """One sentence for the agent: what failed, where, and the system's own words.

    A failure the connector called final (a refusal, bad credentials) was not retried.
    """
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type == "AuthenticationFailed":
        return f"{connector}: {cause.message}"
    message = cause.message if isinstance(cause, ApplicationError) else str(cause or err)
    if isinstance(cause, ApplicationError) and cause.non_retryable:
        return f"{connector} {operation} failed: {message}"
    return f"{connector} {operation} failed after retries: {message}"
