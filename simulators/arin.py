"""A faithful local ARIN Reg-RWS (PROTOCOLS.md, "ARIN Reg-RWS"): XML over HTTP on loopback.

    python -m simulators.arin --port 8102 --admin-db sqlite:///.dsr/administration.sqlite3

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

import argparse
import asyncio
import logging
import secrets
import socket
import threading
import xml.etree.ElementTree as ET
from types import TracebackType
from typing import Annotated, Any

import uvicorn
from fastapi import Body, Depends, FastAPI, Query, Request, Response
from pydantic import BaseModel

from connectors.billing.wire import create_admin_engine
from simulators.arin_data import (
    FUNCTIONS,
    NS,
    Linked,
    Poc,
    RateLimit,
    Registry,
    RegRwsError,
    Ticket,
    apply_poc_update,
    seed_from_administration,
)

log = logging.getLogger("simulators.arin")

DEFAULT_API_KEY = "API-SIMULATOR-KEY"


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


# Payloads, element order as Reg-RWS writes them.
_COUNTRIES = {"NL": ("NETHERLANDS", "NLD", "31"), "GB": ("UNITED KINGDOM", "GBR", "44"),
              "US": ("UNITED STATES", "USA", "1")}  # fmt: skip


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, f"{{{NS}}}{tag}", attrs)
    child.text = text
    return child


def _root(tag: str) -> ET.Element:
    return ET.Element(f"{{{NS}}}{tag}")


def _address(parent: ET.Element, street: list[str], city: str, country: str, code: str) -> None:
    name, code3, e164 = _COUNTRIES.get(country, (country, country, ""))
    iso = _sub(parent, "iso3166-1")
    for tag, text in (("name", name), ("code2", country), ("code3", code3), ("e164", e164)):
        _sub(iso, tag, text)
    lines = _sub(parent, "streetAddress")
    for number, line in enumerate(street, 1):
        _sub(lines, "line", line, number=str(number))
    _sub(parent, "city", city)
    _sub(parent, "postalCode", code)


def render_poc(poc: Poc) -> ET.Element:
    root = _root("poc")
    _address(root, poc.street, poc.city, poc.country, poc.postal_code)
    emails = _sub(root, "emails")
    for email in poc.emails:
        _sub(emails, "email", email)
    _sub(root, "handle", poc.handle)
    _sub(root, "contactType", poc.contact_type)
    if poc.company_name:
        _sub(root, "companyName", poc.company_name)
    if poc.first_name:
        _sub(root, "firstName", poc.first_name)
    _sub(root, "lastName", poc.last_name)
    phones = _sub(root, "phones")
    for number in poc.phones:
        phone = _sub(phones, "phone")
        kind = _sub(phone, "type")
        _sub(kind, "description", "Office")
        _sub(kind, "code", "O")
        _sub(phone, "number", number)
    return root


def _poc_links(parent: ET.Element, item: Linked) -> None:
    links = _sub(parent, "pocLinks")
    for function, handle in item.links:
        _sub(links, "pocLinkRef", description=FUNCTIONS[function], function=function, handle=handle)


def render_org(org: Linked) -> ET.Element:
    root = _root("org")
    _address(root, org.street, org.city, org.country, org.postal_code)
    _sub(root, "handle", org.handle)
    _sub(root, "orgName", org.name)
    _poc_links(root, org)
    return root


def render_net(net: Linked) -> ET.Element:
    root = _root("net")
    start, _, length = net.prefix.partition("/")
    _sub(root, "version", "6" if ":" in start else "4")
    _sub(root, "handle", net.handle)
    block = _sub(_sub(root, "netBlocks"), "netBlock")
    _sub(block, "type", "S" if net.parent_net else "DA")
    _sub(block, "startAddress", start)
    _sub(block, "cidrLength", length)
    _sub(root, "orgHandle", net.org_handle)
    if net.parent_net:
        _sub(root, "parentNetHandle", net.parent_net)
    _sub(root, "netName", net.name)
    _poc_links(root, net)
    return root


def render_ticket(ticket: Ticket) -> ET.Element:
    root = _root("ticket")
    _sub(root, "ticketNo", ticket.number)
    _sub(root, "createdDate", ticket.created.isoformat())
    _sub(root, "updatedDate", (ticket.resolved or ticket.created).isoformat())
    _sub(root, "webTicketType", "ASSOCIATIONS_REPORT")
    if ticket.resolved is None:
        _sub(root, "webTicketStatus", "PENDING_REVIEW")
        return root
    _sub(root, "resolvedDate", ticket.resolved.isoformat())
    _sub(root, "webTicketStatus", "RESOLVED")
    _sub(root, "webTicketResolution", "PROCESSED")
    # Stands in for the report ARIN attaches to the ticket; one row per link.
    report = _sub(root, "associationsReport", pocHandle=ticket.poc_handle)
    for kind, handle, function in ticket.report:
        _sub(
            report, "association", resourceType=kind, resourceHandle=handle,
            function=function, description=FUNCTIONS[function],
        )  # fmt: skip
    return root


def render_ticketed_request(ticket: Ticket) -> ET.Element:
    root = _root("ticketedRequest")
    root.append(render_ticket(ticket))
    return root


def render_error(
    code: str, message: str, components: tuple[tuple[str, str], ...] = ()
) -> ET.Element:
    root = _root("error")
    _sub(root, "code", code)
    holder = _sub(root, "components")
    for name, text in components:
        component = _sub(holder, "component")
        _sub(component, "name", name)
        _sub(component, "message", text)
    _sub(root, "additionalInfo")
    _sub(root, "message", message)
    return root


class ArinSimulator:
    """Reg-RWS on a loopback port, its uvicorn in a background thread with its own loop."""

    def __init__(
        self,
        admin_db_url: str | None = None,
        *,
        port: int = 0,
        api_key: str = DEFAULT_API_KEY,
        company_poc: str = "HOSTI-ARIN",
        ticket_delay: float = 5.0,
        rate_limit: int | None = None,
        rate_window: float = 60.0,
    ) -> None:
        limit = RateLimit(limit=rate_limit, window=rate_window)
        self.registry = Registry(company_poc, ticket_delay, limit)
        if admin_db_url:
            engine = create_admin_engine(admin_db_url)
            try:
                seed_from_administration(engine, self.registry)
            finally:
                engine.dispose()
        self.api_key = api_key
        self.http = ArinApp(self.registry, api_key)
        # Bound here so port 0 works; IPPROTO_TCP spelled out, else asyncio leaves Nagle on
        # for accepted connections and every answer waits 40 ms for a delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self._socket.listen()
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(self.http.app, log_level="warning", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Serve in a thread; return once the server accepts connections."""
        self._thread = threading.Thread(target=self._serve, name="arin-simulator", daemon=True)
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("The ARIN simulator stopped while starting; see its log.")
            self._thread.join(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        self._socket.close()

    def _serve(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._socket]))

    def __enter__(self) -> ArinSimulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="ARIN Reg-RWS simulator")
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--admin-db", dest="admin_db_url", required=True, help="SQLAlchemy URL")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--company-poc", default="HOSTI-ARIN")
    parser.add_argument("--ticket-delay", type=float, default=5.0, help="seconds per report")
    parser.add_argument("--rate-limit", type=int, default=None, help="requests per window")
    parser.add_argument("--rate-window", type=float, default=60.0, help="seconds")
    simulator = ArinSimulator(**vars(parser.parse_args(argv)))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    log.info("arin_simulator_listening port=%s", simulator.port)
    simulator._serve()


if __name__ == "__main__":
    main()
