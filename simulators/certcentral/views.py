"""The CertCentral simulator's HTTP surface: the Services API v2 routes and the `/_sim` console.

The `X-DC-DEVKEY` header is checked and rolling rate limits answer 429 `request_limit_exceeded`
with a Retry-After header; refused requests do not count. Errors use the vendor's envelope
`{"errors": [{"code", "message"}]}`.
"""

from __future__ import annotations

import hmac
import json
import math
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from simulators.certcentral.data import CertCentralState, SimError
from simulators.certcentral.wire import (
    order_info,
    order_summary,
    organization_info,
    request_info,
    revoke_request,
)

PREFIX = "/services/v2"
DEFAULT_API_KEY = "certcentral-dev-key"
# (requests, seconds): the documented 100 per 5 seconds and 1,000 per 3 minutes.
DEFAULT_RATE_LIMITS: tuple[tuple[int, float], ...] = ((100, 5.0), (1000, 180.0))


class RateLimiter:
    """Rolling windows per API key; refused requests do not count, so waiting always helps."""

    def __init__(self, limits: Sequence[tuple[int, float]]) -> None:
        self._limits = tuple(limits)
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, key: str) -> int | None:
        """Count the request and return None, or return the whole seconds to wait."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            longest = max((window for _, window in self._limits), default=0.0)
            while seen and seen[0] <= now - longest:
                seen.popleft()
            waits = []
            for limit, window in self._limits:
                recent = [t for t in seen if t > now - window]
                if len(recent) >= limit:
                    waits.append(recent[-limit] + window - now)
            if waits:
                return max(1, math.ceil(max(waits)))
            seen.append(now)
            return None


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """The vendor's error envelope."""
    body = {"errors": [{"code": code, "message": message}]}
    return JSONResponse(body, status_code=status, headers=headers)


def create_app(
    state: CertCentralState,
    api_key: str = DEFAULT_API_KEY,
    rate_limits: Sequence[tuple[int, float]] = DEFAULT_RATE_LIMITS,
) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    limiter = RateLimiter(rate_limits)

    @app.middleware("http")
    async def authenticate_and_limit(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path.startswith(PREFIX + "/"):
            key = request.headers.get("x-dc-devkey", "")
            if not hmac.compare_digest(key.encode(), api_key.encode()):
                return error(401, "invalid_api_key", "The API key provided is not valid.")
            wait = limiter.admit(key)
            if wait is not None:
                message = "Service unavailable, please limit request volume"
                return error(429, "request_limit_exceeded", message, {"Retry-After": str(wait)})
            state.settle()
        return await call_next(request)

    @app.exception_handler(SimError)
    async def refused(_: Request, exc: SimError) -> Response:
        return error(exc.status, exc.code, exc.message)

    @app.exception_handler(HTTPException)
    async def no_route(_: Request, exc: HTTPException) -> Response:
        if exc.status_code == 405:
            return error(405, "method_not_allowed", "The endpoint does not allow this method.")
        return error(exc.status_code, "not_found|route", "The endpoint does not exist.")

    _add_api_routes(app, state)
    _add_sim_routes(app, state)
    return app


def _add_api_routes(app: FastAPI, state: CertCentralState) -> None:
    # Views read under the state's lock: tests decide requests from their own thread.
    @app.get(PREFIX + "/order/certificate")
    async def list_orders(request: Request) -> Response:
        query = request.query_params
        filters = {
            k[8:-1]: v for k, v in query.items() if k.startswith("filters[") and k[-1] == "]"
        }
        offset, limit = _int(query.get("offset", "0")), _int(query.get("limit", "1000"))
        with state.lock:
            orders = state.list_orders(filters)
            shown = [order_summary(state, o) for o in orders[offset : offset + limit]]
        page = {"total": len(orders), "limit": limit, "offset": offset}
        return JSONResponse({"orders": shown, "page": page})

    @app.get(PREFIX + "/order/certificate/{order_id}")
    async def get_order(order_id: str) -> Response:
        with state.lock:
            return JSONResponse(order_info(state, state.order(_id(order_id, "order"))))

    @app.get(PREFIX + "/organization/{organization_id}")
    async def get_organization(organization_id: str) -> Response:
        with state.lock:
            found = state.organization(_id(organization_id, "organization"))
            return JSONResponse(organization_info(found))

    @app.delete(PREFIX + "/organization/{organization_id}")
    async def delete_organization(organization_id: str) -> Response:
        state.delete_organization(_id(organization_id, "organization"))
        return Response(status_code=204)

    @app.put(PREFIX + "/organization/{organization_id}/contact")
    async def update_organization_contacts(organization_id: str, request: Request) -> Response:
        contacts = (await _json_body(request)).get("contacts")
        state.update_organization_contacts(_id(organization_id, "organization"), contacts)
        return Response(status_code=204)

    @app.put(PREFIX + "/order/certificate/{order_id}/contact")
    async def update_order_contacts(order_id: str, request: Request) -> Response:
        contacts = (await _json_body(request)).get("contacts")
        state.update_order_contacts(_id(order_id, "order"), contacts)
        return Response(status_code=204)

    @app.put(PREFIX + "/certificate/{certificate_id}/revoke")
    async def revoke_certificate(certificate_id: str, request: Request) -> Response:
        body = await _json_body(request)
        skip = body.get("skip_approval") is True
        with state.lock:
            filed = state.revoke(
                _id(certificate_id, "certificate"), str(body.get("comments", "")), skip
            )
            if filed is None:
                return Response(status_code=204)
            return JSONResponse(revoke_request(state, filed), status_code=201)

    @app.get(PREFIX + "/request/{request_id}")
    async def get_request(request_id: str) -> Response:
        with state.lock:
            return JSONResponse(request_info(state, state.request(_id(request_id, "request"))))


def _add_sim_routes(app: FastAPI, state: CertCentralState) -> None:
    """What an administrator does in the CertCentral console; not part of the vendor API."""

    @app.post("/_sim/approve/{request_id}")
    async def approve(request_id: int) -> Response:
        return JSONResponse({"status": state.decide(request_id, approve=True).status})

    @app.post("/_sim/reject/{request_id}")
    async def reject(request_id: int) -> Response:
        decided = state.decide(request_id, approve=False, comment="Rejected by the administrator.")
        return JSONResponse({"status": decided.status})


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise SimError(400, "bad_request_format", "The request body is malformed.")
    return body


def _id(text: str, what: str) -> int:
    if not text.isdigit():
        raise SimError(404, f"not_found|{what}", f"The specified {what} was not found.")
    return int(text)


def _int(text: str) -> int:
    if not text.isdigit():
        raise SimError(400, "invalid_input", "Offset and limit must be whole numbers.")
    return int(text)
