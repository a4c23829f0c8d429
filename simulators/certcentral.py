"""A CertCentral-style CA (DigiCert Services API v2) on a loopback port, for tests and the demo.

Reproduces what the connector relies on (PROTOCOLS.md, SSL certificate authorities): the
`X-DC-DEVKEY` header, orders and organisations, revocation that waits for an administrator
unless `skip_approval`, the refusal to delete an organisation that active orders use, and the
rolling rate limits answered with 429 `request_limit_exceeded` and a Retry-After header.
Test controls live under `/_sim/`, outside the vendor's paths, with no key and no limit.

    python -m simulators.certcentral --port 8104 --admin-db sqlite:///.dsr/administration.sqlite3
"""

from __future__ import annotations

import argparse
import hmac
import json
import math
import socket
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any

import structlog
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from connectors.administration_schema import create_admin_engine
from simulators import certcentral_data as data
from simulators.certcentral_data import CertCentralState, SimError

PREFIX = "/services/v2"
DEFAULT_API_KEY = "certcentral-dev-key"
# (requests, seconds): the documented 100 per 5 seconds and 1,000 per 3 minutes.
DEFAULT_RATE_LIMITS: tuple[tuple[int, float], ...] = ((100, 5.0), (1000, 180.0))

CONTAINER = {"id": 1, "name": "Example Hosting B.V."}

log = structlog.get_logger(__name__)


def order_summary(state: CertCentralState, order: data.Order) -> dict[str, Any]:
    """An order as List orders shows it."""
    summary: dict[str, Any] = {
        "id": order.id,
        "certificate": {
            "id": order.certificate_id,
            "common_name": order.common_name,
            "dns_names": order.dns_names,
            "valid_till": order.valid_till.isoformat(),
            "days_remaining": max(0, (order.valid_till - state.today).days),
            "signature_hash": "sha256",
        },
        "status": order.status,
        "is_renewed": False,
        "date_created": data.as_timestamp(order.valid_from),
        "container": CONTAINER,
        "product": dict(data.PRODUCTS[order.validation]),
    }
    if order.organization_id is not None:
        found = state.organizations.get(order.organization_id)
        # A deleted organisation leaves only its id on the orders that used it.
        summary["organization"] = {"id": order.organization_id} | _named(found)
    return summary


def order_info(state: CertCentralState, order: data.Order) -> dict[str, Any]:
    """An order as Order info shows it: organisation, contacts, requester and requests."""
    info = order_summary(state, order)
    info["certificate"] |= {
        "serial_number": f"{order.certificate_id:032X}",
        "valid_from": order.valid_from.isoformat(),
        "cert_validity": {"days": data.VALIDITY_DAYS},
    }
    info["product"] |= {
        "validation_type": order.validation,
        "validation_name": order.validation.upper(),
    }
    found = state.organizations.get(order.organization_id or 0)
    if found is not None:
        info["organization"] = _organization_address(found)
    return info | {
        "order_validity": {"days": data.VALIDITY_DAYS},
        "organization_contact": order.organization_contact.view(),
        "technical_contact": order.technical_contact.view(),
        "requester": order.requester.view(),
        "requests": [_request_brief(state.requests[r]) for r in order.request_ids],
    }


def organization_info(organization: data.Organization) -> dict[str, Any]:
    return _organization_address(organization) | {
        "status": "active",
        "assumed_name": "",
        "display_name": organization.name,
        "is_active": True,
        "container": CONTAINER,
        "organization_contact": organization.contact.view(),
        "technical_contact": organization.technical.view(),
        "validations": [{"type": "ov", "name": "OV", "status": "active"}],
    }


def revoke_request(state: CertCentralState, filed: data.RevokeRequest) -> dict[str, Any]:
    return _request_brief(filed) | {"requester": _user(state.api_user)}


def request_info(state: CertCentralState, filed: data.RevokeRequest) -> dict[str, Any]:
    info = revoke_request(state, filed) | {
        "order": order_summary(state, state.orders[filed.order_id])
    }
    if filed.date_processed is not None:
        info |= {
            "date_processed": filed.date_processed.isoformat(),
            "processor": _user(data.STAFF),
            "processor_comment": filed.processor_comment,
        }
    return info


def _request_brief(filed: data.RevokeRequest) -> dict[str, Any]:
    brief = {"id": filed.id, "date": filed.date.isoformat(), "type": "revoke"}
    return brief | {"status": filed.status, "comments": filed.comments}


def _organization_address(org: data.Organization) -> dict[str, Any]:
    named = {"id": org.id, "name": org.name, "address": org.address, "address2": "", "zip": org.zip}
    return named | {
        "city": org.city,
        "state": "",
        "country": org.country,
        "telephone": org.telephone,
    }


def _named(organization: data.Organization | None) -> dict[str, Any]:
    return {"name": organization.name} if organization is not None else {}


def _user(p: data.Person) -> dict[str, Any]:
    return {"id": p.id, "first_name": p.first_name, "last_name": p.last_name, "email": p.email}


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


class CertCentralSimulator:
    """The API served by uvicorn in a background thread with its own event loop."""

    def __init__(
        self,
        state: CertCentralState,
        *,
        api_key: str = DEFAULT_API_KEY,
        rate_limits: Sequence[tuple[int, float]] = DEFAULT_RATE_LIMITS,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.state, self.api_key, self.host, self.port = state, api_key, host, port
        config = uvicorn.Config(
            create_app(state, api_key, rate_limits), log_level="warning", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        # Bound now, so `port=0` gives a free port that `url` can name before starting. asyncio
        # sets TCP_NODELAY on accepted connections only when the listener names IPPROTO_TCP;
        # without it every answer waits some 40 ms for a delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.port = self._socket.getsockname()[1]

    @classmethod
    def from_admin_db(
        cls,
        admin_db_url: str,
        *,
        today: date | None = None,
        auto_approve_after: float | None = None,
        **options: Any,
    ) -> CertCentralSimulator:
        """Seeded from the administration database at `admin_db_url`."""
        engine = create_admin_engine(admin_db_url)
        try:
            state = data.seed_from_administration(
                engine, today=today or date.today(), auto_approve_after=auto_approve_after
            )
        finally:
            engine.dispose()
        return cls(state, **options)

    @property
    def url(self) -> str:
        """The root the connector's `certcentral_url` names; the API lives under /services/v2."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        """Serve in a background thread; returns once the port answers."""
        self._thread = threading.Thread(
            target=self.serve, name="certcentral-simulator", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"The CertCentral simulator did not start on port {self.port}.")
            time.sleep(0.01)

    def serve(self) -> None:
        """Serve in this thread until stopped."""
        self._server.run(sockets=[self._socket])

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._socket.close()

    def approve(self, request_id: int) -> None:
        self.state.decide(request_id, approve=True)

    def reject(self, request_id: int) -> None:
        self.state.decide(request_id, approve=False, comment="Rejected by the administrator.")

    def __enter__(self) -> CertCentralSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _rate_limit(text: str) -> tuple[int, float]:
    """`100/5` means 100 requests per 5 seconds."""
    count, _, seconds = text.partition("/")
    return int(count), float(seconds)


def main(argv: Sequence[str] | None = None) -> None:
    from runtime.logging import configure_logging

    parser = argparse.ArgumentParser(prog="python -m simulators.certcentral", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8104)
    parser.add_argument("--admin-db", required=True, help="SQLAlchemy URL of the administration")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="the X-DC-DEVKEY to accept")
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    parser.add_argument(
        "--auto-approve-after", type=float, default=None, metavar="SECONDS",
        help="approve revoke requests after this delay (default: wait for /_sim/approve)",
    )  # fmt: skip
    parser.add_argument(
        "--rate-limit", type=_rate_limit, action="append", metavar="N/SECONDS",
        help="replace the default limits 100/5 and 1000/180 (repeatable)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    configure_logging()
    sim = CertCentralSimulator.from_admin_db(
        args.admin_db,
        today=args.today,
        auto_approve_after=args.auto_approve_after,
        api_key=args.api_key,
        rate_limits=tuple(args.rate_limit or DEFAULT_RATE_LIMITS),
        host=args.host,
        port=args.port,
    )
    log.info("certcentral_simulator_starting", port=sim.port, orders=len(sim.state.orders))
    sim.serve()


if __name__ == "__main__":
    main()
