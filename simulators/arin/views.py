"""The ARIN simulator's HTTP face: Reg-RWS routes, the API key check, the rate limit, `/_sim/`.

Paths as Reg-RWS has them, under `/rest`; auth by `Authorization: ApiKey <key>` or `?apikey=`.
The associations report is asked per POC at `GET /rest/report/associations/{POC}` (ARIN's
own report covers the whole account); the answer is a ticket, PENDING_REVIEW until
`ticket_delay` has passed, then RESOLVED/PROCESSED carrying an `<associationsReport>`.
Over `rate_limit` calls per `rate_window` seconds (off unless set), every call gets 429 with
`Retry-After` in whole seconds until the window ends. Test controls live under `/_sim/`
and need no key: `POST /_sim/config` with JSON
`{"ticket_delay": s, "rate_limit": n, "rate_window": s}` and `POST /_sim/tickets/{no}/resolve`.
"""

from __future__ import annotations

import logging
import secrets
import xml.etree.ElementTree as ET
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, Query, Request, Response
from pydantic import BaseModel

from simulators.arin.data import Registry, RegRwsError
from simulators.arin.wire import (
    NS,
    apply_poc_update,
    render_error,
    render_net,
    render_org,
    render_poc,
    render_ticket,
    render_ticketed_request,
)

log = logging.getLogger("simulators.arin")


class SimConfig(BaseModel):
    """Test control: what `POST /_sim/config` may change; what is left out stays."""

    ticket_delay: float | None = None
    rate_limit: int | None = None
    rate_window: float | None = None


class ArinApp:
    """The HTTP face of one registry: routes, key check, rate limit."""

    def __init__(self, registry: Registry, api_key: str) -> None:
        self.registry, self.api_key = registry, api_key
        self.app = FastAPI(title="ARIN Reg-RWS simulator", docs_url=None, redoc_url=None)
        self.app.add_exception_handler(RegRwsError, _error_response)  # type: ignore[arg-type]
        self._routes()

    def guard(self, request: Request, apikey: Annotated[str | None, Query()] = None) -> None:
        """Rate limit first (ARIN counts every call), then the API key."""
        self.registry.rate_limit.check()
        header = request.headers.get("authorization", "")
        given = header.removeprefix("ApiKey ").strip() if header.startswith("ApiKey ") else apikey
        if given is None or not secrets.compare_digest(given.encode(), self.api_key.encode()):
            raise RegRwsError(
                401, "E_AUTHENTICATION", "The API key is not authorized to make that request."
            )

    def _routes(self) -> None:
        app, reg, guarded = self.app, self.registry, [Depends(self.guard)]

        @app.get("/rest/poc/{handle}", dependencies=guarded)
        async def get_poc(handle: str) -> Response:
            return _xml(render_poc(reg.poc(handle)))

        @app.put("/rest/poc/{handle}", dependencies=guarded)
        async def put_poc(handle: str, body: Annotated[bytes, Body()]) -> Response:
            poc = reg.poc(handle)
            apply_poc_update(poc, _parse(body, "poc"))
            log.info("arin_poc_modified handle=%s", handle)
            return _xml(render_poc(poc))

        @app.delete("/rest/poc/{handle}", dependencies=guarded)
        async def delete_poc(handle: str) -> Response:
            deleted = reg.delete_poc(handle)
            log.info("arin_poc_deleted handle=%s", handle)
            return _xml(render_poc(deleted))

        for kind in ("org", "net"):
            self._link_routes(kind)

        @app.get("/rest/report/associations/{handle}", dependencies=guarded)
        async def associations(handle: str) -> Response:
            ticket = reg.open_ticket(handle)
            log.info("arin_report_requested ticket=%s", ticket.number)
            return _xml(render_ticketed_request(ticket))

        @app.get("/rest/ticket/{number}", dependencies=guarded)
        async def get_ticket(number: str) -> Response:
            return _xml(render_ticket(reg.ticket(number)))

        @app.post("/_sim/config")
        async def configure(settings: SimConfig) -> dict[str, Any]:
            return reg.configure(settings.model_dump(exclude_unset=True))

        @app.post("/_sim/tickets/{number}/resolve")
        async def resolve(number: str) -> Response:
            return _xml(render_ticket(reg.ticket(number, resolve=True)))

    def _link_routes(self, kind: str) -> None:
        app, reg, guarded = self.app, self.registry, [Depends(self.guard)]
        render = render_org if kind == "org" else render_net

        @app.get(f"/rest/{kind}/{{handle}}", dependencies=guarded)
        async def get_linked(handle: str) -> Response:
            return _xml(render(reg.linked(kind, handle)))

        @app.put(f"/rest/{kind}/{{handle}}/poc/{{poc}}", dependencies=guarded)
        async def add_link(handle: str, poc: str, pocFunction: str = "") -> Response:
            item = reg.add_link(kind, handle, poc, pocFunction)
            log.info("arin_link_added %s=%s poc=%s function=%s", kind, handle, poc, pocFunction)
            return _xml(render(item))

        @app.delete(f"/rest/{kind}/{{handle}}/poc/{{poc}}", dependencies=guarded)
        async def remove_link(handle: str, poc: str, pocFunction: str = "") -> Response:
            item = reg.remove_link(kind, handle, poc, pocFunction)
            log.info("arin_link_removed %s=%s poc=%s function=%s", kind, handle, poc, pocFunction)
            return _xml(render(item))


def _xml(element: ET.Element, status: int = 200) -> Response:
    body = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return Response(body, status_code=status, media_type="application/xml")


def _error_response(_: Request, error: RegRwsError) -> Response:
    response = _xml(render_error(error.code, error.message, error.components), error.status)
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _parse(body: bytes, root: str) -> ET.Element:
    """The request payload; stdlib expat, which expands no external entities (loopback only)."""
    try:
        element = ET.fromstring(body)
    except ET.ParseError:
        raise RegRwsError(
            400, "E_SCHEMA_VALIDATION", "The payload is not well-formed XML."
        ) from None
    if element.tag != f"{{{NS}}}{root}":
        raise RegRwsError(
            400, "E_SCHEMA_VALIDATION", f"Expected a <{root}> payload in namespace {NS}."
        )
    return element
