"""The registrar simulator's HTTP surface: the vendor's `/v1beta` API and the `/_sim` controls.

`/v1beta/...` speaks the vendor's protocol: bearer token from `POST /v1beta/auth/login`, the
`{"code", "desc", "data"}` envelope, 429 with Retry-After. `/_sim/...` is the test-only control
surface: finish jobs, read the deliveries and the state, change limits.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from simulators.registrar_data import (
    AUTH_FAILED,
    RATE_LIMITED,
    ROLES,
    RegistrarError,
    RegistrarState,
)
from simulators.registrar_runtime import RegistrarOptions, RegistrarRuntime

LOGIN_PATH = "/v1beta/auth/login"
AUTH_FAILED_DESC = "Authentication/Authorization Failed"  # the vendor's text for code 196


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
