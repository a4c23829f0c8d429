"""The workflow's plumbing: activity calls, states, audit events, waiting for people."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import attributes
    from domain.kinds import RequestState
    from domain.messages import (
        ConnectorProgress,
        NoticeKind,
        NotifyInput,
        RecordEventInput,
        RequestInput,
    )

T = TypeVar("T")
X = TypeVar("X")

# Connector calls heartbeat, so a worker that dies mid-call is noticed within this time.
CONNECTOR_HEARTBEAT = timedelta(seconds=20)
CONNECTOR_TIMEOUT = timedelta(minutes=30)
CONNECTOR_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=8,
    non_retryable_error_types=["AuthenticationFailed"],
)
BOOKKEEPING_TIMEOUT = timedelta(minutes=2)
BOOKKEEPING_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
NOTIFY_RETRY = RetryPolicy(
    maximum_interval=timedelta(minutes=10),
    maximum_attempts=20,
    non_retryable_error_types=["MailRejected"],
)


class RequestPlumbing:
    """State and helpers that every step of a request uses; no Temporal handlers here."""

    _state: RequestState
    _attention: str
    _retry_requested: bool
    _events: int
    _req: RequestInput
    _progress: dict[str, ConnectorProgress]

    async def _wait_for(self, condition: Callable[[], bool]) -> None:
        await workflow.wait_condition(condition)

    async def _gather(self, items: list[X], call: Callable[[X], Awaitable[T]]) -> list[T]:
        return list(await asyncio.gather(*(call(i) for i in items)))

    async def _connector_call(
        self, connector: str, operation: str, arg: object, result_type: type[T]
    ) -> T:
        """Run one connector operation; on final failure wait for an agent, then try again."""
        self._step(connector, f"{operation}…")
        while True:
            try:
                result: T = await workflow.execute_activity(
                    operation,
                    arg,
                    result_type=result_type,
                    start_to_close_timeout=CONNECTOR_TIMEOUT,
                    heartbeat_timeout=CONNECTOR_HEARTBEAT,
                    retry_policy=CONNECTOR_RETRY,
                )
                return result
            except ActivityError as err:
                reason = _failure_reason(err, connector, operation)
                self._progress[connector] = replace(self._progress[connector], error=reason)
                await self._needs_attention(reason)

    async def _notify(self, notice: NoticeKind, **fields: Any) -> None:
        """Email the subject; a notice that cannot be delivered is recorded, not fatal."""
        email = self._req.subject.email
        if not email:
            await self._record("system", "notice_not_sent", notice=notice.value,
                               reason="no email address on the request")  # fmt: skip
            return
        arg = NotifyInput(self._req.request_id, notice, email, self._req.subject.language,
                          **fields)  # fmt: skip
        try:
            await workflow.execute_activity(
                "notify_subject", arg, result_type=str,
                start_to_close_timeout=BOOKKEEPING_TIMEOUT, retry_policy=NOTIFY_RETRY,
            )  # fmt: skip
        except ActivityError:
            await self._record("system", "notice_failed", notice=notice.value)
            return
        await self._record("system", "notice_sent", notice=notice.value)

    async def _needs_attention(self, reason: str) -> None:
        resume = self._state
        self._attention = reason
        self._retry_requested = False
        await self._enter(RequestState.NEEDS_ATTENTION, "system", "needs_attention", reason=reason)
        await self._wait_for(lambda: self._retry_requested)
        self._attention = ""
        await self._enter(resume, "system", "resumed")

    async def _call(self, activity: str, arg: object, result_type: type[T]) -> T:
        result: T = await workflow.execute_activity(
            activity,
            arg,
            result_type=result_type,
            start_to_close_timeout=BOOKKEEPING_TIMEOUT,
            retry_policy=BOOKKEEPING_RETRY,
        )
        return result

    def _step(self, connector: str, step: str, records: int | None = None) -> None:
        current = self._progress[connector]
        self._progress[connector] = replace(
            current,
            step=step,
            records=current.records if records is None else records,
            # An error stays visible while the call is retried and clears once it succeeds.
            error=current.error if step.endswith("…") else "",
        )

    async def _enter(
        self, state: RequestState, actor: str, action: str, **details: str | int | bool | None
    ) -> None:
        self._state = state
        workflow.upsert_search_attributes([attributes.DSR_STATE.value_set(state.value)])
        workflow.set_current_details(f"{state.value}: {action.replace('_', ' ')}")
        await self._record(actor, action, state=state, **details)

    async def _record(
        self,
        actor: str,
        action: str,
        *,
        state: RequestState | None = None,
        **details: str | int | bool | None,
    ) -> None:
        self._events += 1
        await self._call(
            "record_event",
            RecordEventInput(
                request_id=self._req.request_id,
                event_key=f"{self._req.request_id}:{self._events}",
                actor=actor,
                action=action,
                details=dict(details),
                state=state,
            ),
            type(None),
        )


def _failure_reason(err: ActivityError, connector: str, operation: str) -> str:
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type == "AuthenticationFailed":
        return f"{connector}: {cause.message}"
    message = cause.message if isinstance(cause, ApplicationError) else str(cause or err)
    return f"{connector} {operation} failed after retries: {message}"
