"""The RIPE Database REST API's handlers: lookup, search, update and delete, and `/_sim/config`.

Lookups and searches are public, as in RIPE's own service; updates and deletes need an API key
(`Authorization: Basic base64(keyId:secret)`) that authenticates the company's maintainer,
which must be in the object's `mnt-by` (the checks of a modify: updates.py). Texts of error
messages are the whois templates with `args`. Queries returning person and role objects count
against a daily limit per client IP; over it, 429 until midnight UTC (the simulator adds a
`Retry-After` header in seconds). Deletes and updates accept `dry-run`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

import simulators.ripe.data as rd
import simulators.ripe.updates as updates
from simulators.ripe.data import RpslObject, SimState, WhoisError, message
from simulators.ripe.wire import render, respond, submitted_object


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
        submitted = submitted_object(await _json_body(request), object_type, key)
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
