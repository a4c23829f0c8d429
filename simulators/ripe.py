"""A faithful local RIPE Database REST API (PROTOCOLS.md, "RIPE Database (REST)").

Lookups and searches are public, as in RIPE's own service; updates and deletes need an API key
(`Authorization: Basic base64(keyId:secret)`) that authenticates the company's maintainer,
which must be in the object's `mnt-by` (the checks of a modify: simulators/ripe_updates.py).
Texts of error messages are the whois templates with `args`. Queries returning person and role
objects count against a daily limit per client IP; over it, 429 until midnight UTC (the
simulator adds a `Retry-After` header in seconds). Deletes and updates accept `dry-run`.

Run: `python -m simulators.ripe --port 8101 --admin-db sqlite:///.dsr/administration.sqlite3
--api-key KEY_ID:SECRET [--daily-limit 1000] [--company-role HST1-RIPE]`.
"""

from __future__ import annotations

import argparse
import hmac
import math
import threading
import time
from base64 import b64decode
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import create_engine

from simulators import ripe_data as rd
from simulators import ripe_updates as updates
from simulators.ripe_data import Company, RipeDatabase, RpslObject, WhoisError, message
from simulators.ripe_render import render, respond
from simulators.serving import free_port


class Clock:
    """UTC now, shifted so a test can stand just before midnight."""

    def __init__(self, start: datetime | None = None) -> None:
        self._offset = timedelta(0)
        if start is not None:
            self.set(start)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def set(self, moment: datetime) -> None:
        self._offset = moment - datetime.now(UTC)


@dataclass
class QueryLimit:
    """RIPE's daily limit of person and role objects returned per client IP."""

    daily_limit: int
    clock: Clock
    _used: dict[tuple[str, str], int] = field(default_factory=dict)

    def charge(self, client: str, personal_objects: int) -> None:
        now = self.clock.now()
        day = (client, now.date().isoformat())
        used = self._used.get(day, 0)
        if used >= self.daily_limit or used + personal_objects > self.daily_limit:
            self._used[day] = self.daily_limit
            midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
            wait = max(1, math.ceil((midnight - now).total_seconds()))
            raise WhoisError(
                429, message("Error", rd.ACCESS_DENIED, client), headers={"Retry-After": str(wait)}
            )
        self._used[day] = used + personal_objects


@dataclass
class SimState:
    db: RipeDatabase
    company: Company
    api_keys: Mapping[str, str]
    limit: QueryLimit

    def authenticates(self, header: str | None, obj: RpslObject) -> bool:
        """Whether the request's API key opens one of the object's maintainers."""
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            key_id, _, secret = b64decode(token, validate=True).decode().partition(":")
        except ValueError:
            return False
        expected = self.api_keys.get(key_id)
        valid = expected is not None and hmac.compare_digest(expected.encode(), secret.encode())
        return valid and self.company.maintainer in obj.values("mnt-by")


def create_app(state: SimState) -> FastAPI:
    """The REST API over `state`; `/_sim/` holds the test controls, apart from RIPE's paths."""
    app = FastAPI(title="RIPE Database simulator")

    @app.exception_handler(WhoisError)
    async def whois_error(request: Request, error: WhoisError) -> Response:
        return respond(
            request,
            error.status,
            {"errormessages": {"errormessage": error.messages}},
            error.headers,
        )

    @app.post("/_sim/config")
    async def configure(request: Request) -> dict[str, Any]:
        changes = await request.json()
        if "daily_limit" in changes:
            state.limit.daily_limit = int(changes["daily_limit"])
        if "now" in changes:
            state.limit.clock.set(datetime.fromisoformat(changes["now"]))
        return {"daily_limit": state.limit.daily_limit, "now": state.limit.clock.now().isoformat()}

    @app.get("/search")
    @app.get("/search.json")
    async def search(request: Request) -> Response:
        params = request.query_params
        sources = params.getlist("source")
        for source in sources:
            _check_source(state, source)
        query = params.get("query-string", "")
        flags, types = params.getlist("flags"), params.getlist("type-filter")
        search = rd.parse_search(query, flags, types, params.getlist("inverse-attribute"))
        found = rd.run_search(state.db, search)
        if not found:
            raise WhoisError(404, message("Error", rd.NO_ENTRIES, state.db.source))
        _charge(state, request, found)
        filtered = "B" not in search.flags
        objects = [render(state.db, _base(request), o, filtered=filtered) for o in found]
        parameters = {
            "inverse-lookup": {"inverse-attribute": [{"value": a} for a in search.inverse]},
            "type-filters": {"type-filter": [{"id": t} for t in types]},
            "flags": {"flag": [{"value": f} for f in flags]},
            "query-strings": {"query-string": [{"value": query}]},
            "sources": {"source": [{"id": s} for s in sources]},
        }
        body = {"service": {"name": "search"}, "parameters": parameters}
        return respond(request, 200, {**body, "objects": {"object": objects}})

    @app.get("/{source}/{object_type}/{key:path}")
    async def lookup(request: Request, source: str, object_type: str, key: str) -> Response:
        obj = _existing(state, source, object_type, key)
        _charge(state, request, [obj])
        unfiltered = request.query_params.get("unfiltered", None) in ("", "true")
        rendered = render(state.db, _base(request), obj, filtered=not unfiltered)
        return respond(request, 200, {"objects": {"object": [rendered]}})

    @app.put("/{source}/{object_type}/{key:path}")
    async def update(request: Request, source: str, object_type: str, key: str) -> Response:
        current = _existing(state, source, object_type, key)
        submitted = rd.submitted_object(await _json_body(request), object_type, key)
        submitted, warnings = updates.to_latin1(submitted)
        problems = updates.problems(state.db, current, submitted)
        authorised = state.authenticates(request.headers.get("authorization"), current)
        notes = updates.finish(
            current, problems, authorised, dry_run=_dry_run(request), warnings=warnings
        )
        submitted.attributes = updates.with_generated(submitted, current, state.limit.clock.now())
        if updates.same(submitted, current):
            notes.insert(0, message("Warning", rd.IDENTICAL))
        elif not _dry_run(request):
            state.db.put(submitted)
        rendered = render(state.db, _base(request), submitted, filtered=False)
        body = updates.with_notes({"objects": {"object": [rendered]}}, notes)
        return respond(request, 200, body)

    @app.delete("/{source}/{object_type}/{key:path}")
    async def delete(request: Request, source: str, object_type: str, key: str) -> Response:
        current = _existing(state, source, object_type, key)
        problems = (
            [message("Error", rd.IN_USE, current.type, current.key)]
            if state.db.referencing(current)
            else []
        )
        authorised = state.authenticates(request.headers.get("authorization"), current)
        notes = updates.finish(current, problems, authorised, dry_run=_dry_run(request))
        if not _dry_run(request):
            when = rd.timestamp(state.limit.clock.now())
            state.db.remove(current, when, request.query_params.get("reason", "--"))
        rendered = render(state.db, _base(request), current, filtered=False)
        body = updates.with_notes({"objects": {"object": [rendered]}}, notes)
        return respond(request, 200, body)

    return app


def _check_source(state: SimState, source: str) -> None:
    if source.upper() != state.db.source.upper():
        raise WhoisError(400, message("Error", rd.INVALID_SOURCE, source))


def _existing(state: SimState, source: str, object_type: str, key: str) -> RpslObject:
    _check_source(state, source)
    if object_type not in rd.PRIMARY_KEYS:
        raise WhoisError(400, message("Error", rd.INVALID_TYPE, object_type))
    obj = state.db.get(object_type, key)
    if obj is None:
        raise WhoisError(404, message("Error", rd.NO_ENTRIES, state.db.source))
    return obj


def _charge(state: SimState, request: Request, objects: list[RpslObject]) -> None:
    client = request.client.host if request.client else "0.0.0.0"
    state.limit.charge(client, sum(o.type in rd.PERSONAL_TYPES for o in objects))


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def _json_body(request: Request) -> Any:
    if "json" not in request.headers.get("content-type", ""):
        raise WhoisError(415, message("Error", "Unsupported Media Type"))
    try:
        return await request.json()
    except ValueError:
        raise WhoisError(400, message("Error", "Invalid JSON in request body")) from None


def _dry_run(request: Request) -> bool:
    return request.query_params.get("dry-run", None) in ("", "true")


class RipeSimulator:
    """The simulator on a loopback port, served by uvicorn in a background thread."""

    def __init__(
        self,
        db: RipeDatabase,
        *,
        api_keys: Mapping[str, str] | None = None,
        company: Company | None = None,
        daily_limit: int = 1000,
        now: datetime | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
    ) -> None:
        limit = QueryLimit(daily_limit, Clock(now))
        self.state = SimState(db, company or Company(), dict(api_keys or {}), limit)
        self.host, self.port = host, port or free_port()
        config = uvicorn.Config(create_app(self.state), host, self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @classmethod
    def from_admin_db(cls, url: str, *, source: str = "RIPE", **options: Any) -> RipeSimulator:
        """Seeded from the administration database at `url`."""
        engine = create_engine(url)
        try:
            db = rd.seed_from_administration(engine, source=source, company=options.get("company"))
        finally:
            engine.dispose()
        return cls(db, **options)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        self._thread = threading.Thread(target=self._server.run, name="ripe-simulator", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"The RIPE simulator did not start on port {self.port}.")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> RipeSimulator:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def set_daily_limit(self, limit: int) -> None:
        self.state.limit.daily_limit = limit

    def set_clock(self, moment: datetime) -> None:
        self.state.limit.clock.set(moment)

    def object(self, object_type: str, key: str) -> RpslObject | None:
        """The stored object, read without touching the query limit (for assertions)."""
        return self.state.db.get(object_type, key)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="RIPE Database REST API simulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--admin-db", required=True, help="SQLAlchemy URL of the administration")
    parser.add_argument("--source", default="RIPE")
    parser.add_argument("--company-role", default=Company.role)
    parser.add_argument("--maintainer", default=Company.maintainer)
    parser.add_argument(
        "--api-key", action="append", default=[], metavar="KEY_ID:SECRET", help="repeatable"
    )
    parser.add_argument("--daily-limit", type=int, default=1000)
    args = parser.parse_args(argv)
    keys = dict(key.partition(":")[::2] for key in args.api_key)
    company = Company(role=args.company_role, maintainer=args.maintainer)
    engine = create_engine(args.admin_db)
    try:
        db = rd.seed_from_administration(engine, source=args.source, company=company)
    finally:
        engine.dispose()
    state = SimState(db, company, keys, QueryLimit(args.daily_limit, Clock()))
    # No access log: request lines carry search keys, which can be email addresses.
    uvicorn.run(create_app(state), host=args.host, port=args.port, access_log=False)


if __name__ == "__main__":
    main()
