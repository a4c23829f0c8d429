"""The bookkeeping every step uses: activities, states, audit events, notices.

Functions take the case they work on. Activities are named by their definitions in
`domain.names`, which carry their argument and result types.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from domain import attributes, names
    from domain.kinds import RequestState
    from domain.messages import NoticeKind, NotifyInput, RecordEventInput
    from workflows.case import RequestCase

A = TypeVar("A")
R = TypeVar("R")
X = TypeVar("X")

BOOKKEEPING_TIMEOUT = timedelta(minutes=2)
BOOKKEEPING_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
NOTIFY_RETRY = RetryPolicy(
    maximum_interval=timedelta(minutes=10),
    maximum_attempts=20,
    non_retryable_error_types=["MailRejected"],
)


async def gather(items: list[X], call: Callable[[X], Awaitable[R]]) -> list[R]:
    """Run `call` for every item in parallel; the results in the items' order."""
    return list(await asyncio.gather(*(call(i) for i in items)))


async def call(activity: names.Activity[A, R], arg: A) -> R:
    """A bookkeeping activity: retried until it succeeds."""
    result: R = await workflow.execute_activity(
        activity.name,
        arg,
        result_type=activity.result,
        start_to_close_timeout=BOOKKEEPING_TIMEOUT,
        retry_policy=BOOKKEEPING_RETRY,
    )
    return result


async def enter(
    case: RequestCase, state: RequestState, actor: str, action: str, **details: Any
) -> None:
    """Move the request to `state`: search attribute, current details, audit event."""
    case.state = state
    workflow.upsert_search_attributes([attributes.DSR_STATE.value_set(state.value)])
    workflow.set_current_details(f"{state.value}: {action.replace('_', ' ')}")
    await record(case, actor, action, state=state, **details)


async def record(
    case: RequestCase,
    actor: str,
    action: str,
    *,
    state: RequestState | None = None,
    **details: str | int | bool | None,
) -> None:
    """One audit event; its key makes a retried activity write it once."""
    case.events += 1
    await call(
        names.RECORD_EVENT,
        RecordEventInput(
            request_id=case.request_id,
            event_key=f"{case.request_id}:{case.events}",
            actor=actor,
            action=action,
            details=dict(details),
            state=state,
        ),
    )


async def notify(case: RequestCase, notice: NoticeKind, **fields: Any) -> None:
    """Email the subject; a notice that cannot be delivered is recorded, not fatal."""
    email = case.req.subject.email
    if not email:
        await record(case, "system", "notice_not_sent", notice=notice.value,
                     reason="no email address on the request")  # fmt: skip
        return
    subject = case.req.subject
    arg = NotifyInput(
        case.request_id, notice, email, subject.language, name=subject.name or "", **fields
    )
    try:
        await workflow.execute_activity(
            names.NOTIFY_SUBJECT.name, arg, result_type=names.NOTIFY_SUBJECT.result,
            start_to_close_timeout=BOOKKEEPING_TIMEOUT, retry_policy=NOTIFY_RETRY,
        )  # fmt: skip
    except ActivityError:
        await record(case, "system", "notice_failed", notice=notice.value)
        return
    await record(case, "system", "notice_sent", notice=notice.value)
