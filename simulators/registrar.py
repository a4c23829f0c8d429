"""A faithful stand-in for an Openprovider-style registrar REST API (PROTOCOLS.md).

`/v1beta/...` speaks the vendor's protocol: bearer token from `POST /v1beta/auth/login`, the
`{"code", "desc", "data"}` envelope, customer deletion refused while any active domain uses the
handle, 429 with Retry-After. In asynchronous mode an owner change or a customer deletion is
accepted as pending with a job id, finishes later, and is reported by a signed webhook
(runtime.webhook_signing), retried with backoff under one delivery id. `/_sim/...` is the
test-only control surface: finish jobs, read the deliveries and the state, change limits.

Run: `python -m simulators.registrar --port 8103 --admin-db sqlite:///.dsr/administration.sqlite3`
(credentials, company handle and webhook secret from the options or the DSR_* variables).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import secrets
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from types import TracebackType
from typing import Any

import httpx
import structlog
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from runtime.logging import configure_logging
from runtime.webhook_signing import signature_headers
from simulators.registrar_data import (
    AUTH_FAILED,
    PENDING,
    RATE_LIMITED,
    ROLES,
    Job,
    RegistrarError,
    RegistrarState,
    seeded_state,
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
class _Registrar:
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
    sim = _Registrar(state, options)

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


def _vendor_routes(app: FastAPI, sim: _Registrar) -> None:
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
        data, job = sim.state.update_domain(domain_id, changes, sim.options.asynchronous)
        sim.accepted(job)
        return envelope(data)


def _control_routes(app: FastAPI, sim: _Registrar) -> None:
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


class RegistrarSimulator:
    """The simulator on a loopback port, served by uvicorn in a background thread."""

    def __init__(
        self,
        admin_db_url: str,
        options: RegistrarOptions | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.options = options or RegistrarOptions()
        self.state = seeded_state(admin_db_url, self.options.company_handle)
        self.host, self.port = host, port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> RegistrarSimulator:
        # An explicit IPPROTO_TCP: asyncio sets TCP_NODELAY only then (else ~40 ms per reply).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        app = create_app(self.state, self.options)
        self._server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"The registrar simulator did not start on {self.url}.")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> RegistrarSimulator:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """Serve the simulator in the foreground until interrupted."""
    env, defaults = os.environ.get, RegistrarOptions()
    parser = argparse.ArgumentParser(prog="python -m simulators.registrar", description=__doc__)
    add = parser.add_argument
    add("--host", default="127.0.0.1")
    add("--port", type=int, default=8103)
    add("--admin-db", required=True, help="SQLAlchemy URL of the administration to seed from")
    add("--username", default=env("DSR_REGISTRAR_USERNAME") or defaults.username)
    add("--password", default=env("DSR_REGISTRAR_PASSWORD") or defaults.password)
    add("--company-handle", default=env("DSR_REGISTRAR_COMPANY_HANDLE") or defaults.company_handle)
    add("--webhook-url", default=None, help="where the signed job webhooks are POSTed")
    add("--webhook-secret", default=env("DSR_WEBHOOK_SECRET", ""))
    add("--sync", action="store_true", help="apply every change at once (no pending jobs)")
    add("--complete-after", type=float, default=10.0, help="seconds until a job completes")
    add("--rate-limit", type=int, default=None, help="requests per window (default unlimited)")
    add("--rate-window", type=float, default=60.0, help="seconds")
    args = parser.parse_args(argv)
    configure_logging(env("DSR_LOG_LEVEL", "INFO"))
    options = RegistrarOptions(
        username=args.username, password=args.password, company_handle=args.company_handle,
        webhook_url=args.webhook_url, webhook_secret=args.webhook_secret,
        asynchronous=not args.sync, complete_after=args.complete_after,
        rate_limit=args.rate_limit, rate_window=args.rate_window,
    )  # fmt: skip
    app = create_app(seeded_state(args.admin_db, options.company_handle), options)
    log.info("registrar_simulator_serving", port=args.port, asynchronous=options.asynchronous)
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
