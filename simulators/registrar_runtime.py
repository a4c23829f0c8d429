"""What the registrar simulator keeps around its state: options, tokens, rate window, webhooks.

Jobs finish by a timer (`complete_after`) or through `/_sim/complete`; each finished job is
reported once by a signed webhook (runtime.webhook_signing), retried with backoff under one
delivery id.
"""

from __future__ import annotations

import asyncio
import json
import math
import secrets
import time
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog
from fastapi import Request

from runtime.webhook_signing import signature_headers
from simulators.registrar_data import PENDING, Job, RegistrarState

log = structlog.get_logger(__name__)


@dataclass
class RegistrarOptions:
    """How the simulator behaves; `/_sim/config` changes them at run time."""

    username: str = "dsr-reseller"
    password: str = "dsr-reseller-password"
    company_handle: str = "HC000001-NL"
    webhook_url: str | None = None
    webhook_secret: str = ""
    asynchronous: bool = True
    complete_after: float | None = None  # seconds until a job completes; None: /_sim/complete
    rate_limit: int | None = None  # requests per window to /v1beta; None: unlimited
    rate_window: float = 60.0
    token_ttl: float = 48 * 3600.0  # the vendor's tokens last 48 hours
    webhook_attempts: int = 5
    webhook_backoff: float = 1.0  # first retry delay in seconds; doubles each attempt


@dataclass
class RegistrarRuntime:
    """The state plus what the server mutates around it: tokens, rate window, deliveries."""

    state: RegistrarState
    options: RegistrarOptions
    tokens: dict[str, float] = field(default_factory=dict)
    window: tuple[float, int] = (0.0, 0)  # start, requests counted
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    tasks: set[asyncio.Future[None]] = field(default_factory=set)
    timed: set[str] = field(default_factory=set)

    def retry_after(self, now: float) -> int | None:
        """Seconds to wait when this request exceeds the fixed window's limit; None if allowed."""
        limit, length = self.options.rate_limit, self.options.rate_window
        if limit is None:
            return None
        start, count = self.window
        if now >= start + length:
            start, count = now, 0
        self.window = (start, count + 1)
        return None if count < limit else max(1, math.ceil(start + length - now))

    def authorised(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and self.tokens.get(token.strip(), 0.0) > time.monotonic()

    def login(self, body: dict[str, Any]) -> str | None:
        expected = (self.options.username, self.options.password)
        if (body.get("username"), body.get("password")) != expected:
            return None
        token = secrets.token_hex(16)
        self.tokens[token] = time.monotonic() + self.options.token_ttl
        return token

    def accepted(self, job: Job | None) -> None:
        """Start the completion timer of a new job; a repeated request reuses the running one."""
        delay = self.options.complete_after
        if job is None or delay is None or job.id in self.timed:
            return
        self.timed.add(job.id)
        self.spawn(self._complete_later(job.id, delay))

    def finish(self, job_id: str, succeed: bool) -> Job:
        """Complete a job and send its webhook once; finishing it again changes nothing."""
        known = self.state.jobs.get(job_id)
        was_pending = known is not None and known.status == PENDING
        job = self.state.complete(job_id, succeed)
        if was_pending:
            self.spawn(self._deliver(job))
        return job

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run in the background, referenced until done; cancelled at shutdown."""
        task = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _complete_later(self, job_id: str, delay: float) -> None:
        await asyncio.sleep(delay)
        self.finish(job_id, succeed=True)

    async def _deliver(self, job: Job) -> None:
        """POST the signed event; retry non-2xx and connection errors under one delivery id."""
        event = {"event": job.event, "reference": job.id, "status": job.status}
        body = json.dumps({**event, "occurred_at": job.occurred_at}).encode()
        attempts: list[dict[str, Any]] = []
        record: dict[str, Any] = {"delivery_id": str(uuid.uuid4()), **event, "body": body.decode()}
        record |= {"attempts": attempts, "delivered": False}
        self.deliveries.append(record)
        url = self.options.webhook_url
        if not url:
            return
        async with httpx.AsyncClient(timeout=5.0) as client:
            for attempt in range(self.options.webhook_attempts):
                if attempt:
                    await asyncio.sleep(self.options.webhook_backoff * 2 ** (attempt - 1))
                attempts.append(await self._post(client, url, body, record["delivery_id"]))
                if 200 <= attempts[-1].get("status_code", 0) < 300:
                    record["delivered"] = True
                    log.info("registrar_webhook_delivered", job_id=job.id, attempts=attempt + 1)
                    return
        log.warning("registrar_webhook_undelivered", job_id=job.id, attempts=len(attempts))

    async def _post(
        self, client: httpx.AsyncClient, url: str, body: bytes, delivery_id: str
    ) -> dict[str, Any]:
        """One signed attempt, freshly timestamped; what happened, for `/_sim/webhooks`."""
        secret = self.options.webhook_secret.encode()
        headers = signature_headers(secret, body, time.time(), delivery_id=delivery_id)
        headers["Content-Type"] = "application/json"
        try:
            response = await client.post(url, content=body, headers=headers)
        except httpx.TransportError as error:
            return {"error": type(error).__name__}
        return {"status_code": response.status_code}
