"""Writes the audit trail and the registry's copy of a request's state."""

from __future__ import annotations

import asyncio

import structlog
from temporalio import activity

from domain import names
from domain.messages import RecordEventInput, RegisterPendingInput
from store.audit import AuditTrail
from store.confirmations import PendingConfirmations
from store.registry import RequestRegistry

log = structlog.get_logger()


class BookkeepingActivities:
    def __init__(
        self, registry: RequestRegistry, audit: AuditTrail, pending: PendingConfirmations
    ) -> None:
        self._registry = registry
        self._audit = audit
        self._pending = pending

    @activity.defn(name=names.REGISTER_PENDING.name)
    async def register_pending(self, arg: RegisterPendingInput) -> None:
        """Let webhooks and poll messages about this reference find the request."""
        await asyncio.to_thread(
            self._pending.register, arg.request_id, arg.connector, arg.external_ref
        )

    @activity.defn(name=names.RECORD_EVENT.name)
    async def record_event(self, arg: RecordEventInput) -> None:
        """Append one audit event (once, by its key) and mirror the state into the registry."""
        await asyncio.to_thread(self._record, arg)
        log.info(
            "request_event",
            request_id=arg.request_id,
            action=arg.action,
            state=arg.state.value if arg.state else None,
        )

    def _record(self, arg: RecordEventInput) -> None:
        details = dict(arg.details)
        if arg.state is not None:
            details["state"] = arg.state.value
        self._audit.append(
            arg.request_id,
            actor=arg.actor,
            action=arg.action,
            details=details,
            event_key=arg.event_key,
        )
        if arg.state is not None:
            self._registry.update_state(arg.request_id, arg.state.value)
