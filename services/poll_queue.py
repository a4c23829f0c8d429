"""The poll-queue consumer (the EPP registry's): the pull-side twin of the registrar webhooks.

Each message is acknowledged only after the waiting workflow accepted its confirmation
(or had accepted it before a crash), so a consumer killed between reading and
acknowledging loses nothing: the message is read again and delivered once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog

from connectors.base import PollQueue, QueuedConfirmation
from domain.records import Confirmation
from services.requests import ActionRefused

log = structlog.get_logger()
Route = Callable[[str, str], Awaitable[str | None]]
Deliver = Callable[[str, Confirmation], Awaitable[object]]


@dataclass
class PollQueueConsumer:
    """Routes poll messages of one registry connector to the requests that wait for them."""

    connector: str
    reader: PollQueue
    route: Route
    deliver: Deliver
    # A message may arrive before its request registered the reference; wait that long.
    unrouted_grace: float = 600.0
    _first_seen: dict[str, float] = field(default_factory=dict)

    async def handle_one(self) -> bool:
        """Handle the oldest message; False when the queue is empty or it must wait."""
        msg = await self.reader.read()
        if msg is None:
            return False
        ref = msg.external_ref
        request_id = await self.route(self.connector, ref) if ref else None
        if request_id is None:
            return await self._unrouted(msg)
        confirmation = Confirmation(
            connector=self.connector,
            external_ref=ref or "",
            succeeded=msg.succeeded,
            # The same poll message answers a pending delete and a pending update.
            detail="The registry reported the pending change "
            + ("done." if msg.succeeded else "refused."),
            confirmed_by=msg.confirmed_by,
        )
        try:
            await self.deliver(request_id, confirmation)
        except ActionRefused as err:
            # Already confirmed (delivered before a crash) or no longer waited for: either
            # way the workflow holds what it needs, so the message can go.
            log.info("poll_message_refused", connector=self.connector, request_id=request_id,
                     reason=str(err))  # fmt: skip
        await self.reader.ack(msg.id)
        self._first_seen.pop(msg.id, None)
        log.info("poll_message_delivered", connector=self.connector, request_id=request_id)
        return True

    async def _unrouted(self, msg: QueuedConfirmation) -> bool:
        first = self._first_seen.setdefault(msg.id, time.monotonic())
        if time.monotonic() - first < self.unrouted_grace:
            return False
        log.warning("poll_message_not_ours", connector=self.connector, message_id=msg.id)
        await self.reader.ack(msg.id)
        self._first_seen.pop(msg.id, None)
        return True

    async def run(self, stop: asyncio.Event, idle: float = 5.0) -> None:
        """Drain the queue, then look again every `idle` seconds until `stop` is set."""
        while not stop.is_set():
            try:
                busy = await self.handle_one()
            except Exception as err:  # a registry or Temporal outage must not end the loop
                log.warning("poll_queue_failed", connector=self.connector,
                            error=type(err).__name__)  # fmt: skip
                busy = False
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle)
