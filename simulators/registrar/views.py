"""The registrar simulator's HTTP surface: the vendor's `/v1beta` API and the `/_sim` controls.

`/v1beta/...` speaks the vendor's protocol: bearer token from `POST /v1beta/auth/login`, the
`{"code", "desc", "data"}` envelope, 429 with Retry-After. `/_sim/...` is the test-only control
surface: finish jobs, read the deliveries and the state, change limits.

Beside the state the server keeps its options, the tokens, the rate window and the jobs' timers
(`RegistrarRuntime`). Jobs finish by a timer (`complete_after`) or through `/_sim/complete`;
each finished job is reported once by a signed webhook (runtime.webhook_signing), retried with
backoff under one delivery id.
"""

from __future__ import annotations

import asyncio
import json
import math
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from runtime.webhook_signing import signature_headers
from simulators.registrar.data import (
    AUTH_FAILED,
    PENDING,
    RATE_LIMITED,
    ROLES,
    Job,
    RegistrarError,
    RegistrarState,
)

log = structlog.get_logger(__name__)

LOGIN_PATH = "/v1beta/auth/login"
AUTH_FAILED_DESC = "Authentication/Authorization Failed"  # the vendor's text for code 196


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


def envelope(data: Any, status: int = 200, code: int = 0, desc: str = "") -> JSONResponse:
    return JSONResponse({"code": code, "desc": desc, "data": data}, status_code=status)


def create_app(state: RegistrarState, options: RegistrarOptions) -> FastAPI:
    """The vendor API plus the `/_sim` control surface, over one in-memory state."""
    sim = RegistrarRuntime(state, options)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        for task in list(sim.tasks):
            task.cancel()

    app = FastAPI(lifespan=lifespan)

    @app.exception_handler(RegistrarError)
    async def refused(_: Request, error: RegistrarError) -> JSONResponse:
        return envelope({}, error.http_status, error.code, error.desc)

    @app.middleware("http")
    async def gate(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if not request.url.path.startswith("/v1beta/"):
            return await call_next(request)
        wait = sim.retry_after(time.monotonic())
        if wait is not None:
            response = envelope({}, 429, RATE_LIMITED, f"Too many requests; retry after {wait} s.")
            response.headers["Retry-After"] = str(wait)
            return response
        if request.url.path != LOGIN_PATH and not sim.authorised(request):
            return envelope({}, 401, AUTH_FAILED, AUTH_FAILED_DESC)
        return await call_next(request)

    _vendor_routes(app, sim)
    _control_routes(app, sim)
    return app


def _vendor_routes(app: FastAPI, sim: RegistrarRuntime) -> None:
    """The `/v1beta` endpoints the connector uses."""

    @app.post(LOGIN_PATH)
    async def login(request: Request) -> JSONResponse:
        token = sim.login(await _json(request))
        if token is None:
            return envelope({}, 401, AUTH_FAILED, AUTH_FAILED_DESC)
        return envelope({"token": token, "reseller_id": 100001})

    @app.get("/v1beta/customers")
    async def search_customers(
        email_pattern: str | None = None, limit: int = 100, offset: int = 0
    ) -> JSONResponse:
        return _listing(sim.state.search_customers(email_pattern), limit, offset)

    @app.get("/v1beta/customers/{handle}")
    async def get_customer(handle: str) -> JSONResponse:
        return envelope(sim.state.customer(handle))

    @app.put("/v1beta/customers/{handle}")
    async def modify_customer(handle: str, request: Request) -> JSONResponse:
        return envelope(sim.state.modify_customer(handle, await _json(request)))

    @app.delete("/v1beta/customers/{handle}")
    async def delete_customer(handle: str) -> JSONResponse:
        data, job = sim.state.delete_customer(handle, sim.options.asynchronous)
        sim.accepted(job)
        return envelope(data)

    @app.get("/v1beta/domains")
    async def list_domains(
        owner_handle: str | None = None,
        contact_handle: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> JSONResponse:
        return _listing(sim.state.list_domains(owner_handle, contact_handle), limit, offset)

    @app.get("/v1beta/domains/{domain_id}")
    async def get_domain(domain_id: int) -> JSONResponse:
        return envelope(sim.state.domain(domain_id).record())

    @app.put("/v1beta/domains/{domain_id}")
    async def update_domain(domain_id: int, request: Request) -> JSONResponse:
        body = await _json(request)
        changes = {role: str(body[role]) for role in ROLES if body.get(role)}
        private_whois = body.get("is_private_whois_enabled")
        if private_whois is not None and not isinstance(private_whois, bool):
            raise RegistrarError(400, 1, "is_private_whois_enabled must be true or false.")
        data, job = sim.state.update_domain(
            domain_id, changes, sim.options.asynchronous, private_whois
        )
        sim.accepted(job)
        return envelope(data)


def _control_routes(app: FastAPI, sim: RegistrarRuntime) -> None:
    """Test-only `/_sim` endpoints: no authentication, no rate limit, not part of the vendor API."""

    @app.post("/_sim/complete/{job_id}")
    async def complete(job_id: str, status: str = "completed") -> JSONResponse:
        return JSONResponse(sim.finish(job_id, succeed=status == "completed").record())

    @app.get("/_sim/webhooks")
    async def webhooks() -> JSONResponse:
        return JSONResponse(sim.deliveries)

    @app.get("/_sim/state")
    async def snapshot() -> JSONResponse:
        return JSONResponse(sim.state.snapshot())

    @app.post("/_sim/config")
    async def configure(request: Request) -> JSONResponse:
        changes = await _json(request)
        unknown = sorted(set(changes) - set(asdict(sim.options)))
        if unknown:
            return JSONResponse({"unknown_options": unknown}, status_code=400)
        for key, value in changes.items():
            setattr(sim.options, key, value)
        sim.window = (0.0, 0)
        return JSONResponse({k: v for k, v in asdict(sim.options).items() if k != "password"})

    @app.post("/_sim/expire-tokens")
    async def expire_tokens() -> JSONResponse:
        sim.tokens.clear()
        return JSONResponse({"expired": True})


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise RegistrarError(400, 1, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise RegistrarError(400, 1, "The request body must be a JSON object.")
    return body


def _listing(found: list[dict[str, Any]], limit: int, offset: int) -> JSONResponse:
    """One page of results and the total, as the vendor's list endpoints answer."""
    start = max(offset, 0)
    page = found[start : start + min(max(limit, 1), 1000)]
    return envelope({"results": page, "total": len(found)})
