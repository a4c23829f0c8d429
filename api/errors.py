"""Every API error is `{"error": "<one sentence>"}`: no stack trace, no echo of submitted values.

An action that reached the request but is not carried out yet is no error: it answers 202
with `{"status": "queued", "message": "<one sentence>"}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from domain.errors import InvalidRequestInput
from services.errors import ActionQueued, ActionRefused, RequestNotFound, TemporalUnavailable
from store.registry import DuplicateAgentReference

log = structlog.get_logger()

_ERROR_STATUS: dict[type[Exception], int] = {
    InvalidRequestInput: 400,
    RequestNotFound: 404,
    DuplicateAgentReference: 409,
    ActionRefused: 409,
    # Also WorkerUnavailable: Temporal is up, but the action was not sent to the request.
    TemporalUnavailable: 503,
}


def install_error_handlers(app: FastAPI) -> None:
    """Every error is `{"error": "<one sentence>"}`, never a stack trace or submitted values."""
    for exc_type in (*_ERROR_STATUS, RequestValidationError, HTTPException, Exception):
        app.add_exception_handler(exc_type, _error_response)
    app.add_exception_handler(ActionQueued, _queued_response)


async def _queued_response(_: Request, exc: Exception) -> Response:
    log.info("api_action_queued")
    return JSONResponse({"status": "queued", "message": str(exc)}, 202)


async def _error_response(_: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return JSONResponse({"error": exc.detail}, exc.status_code, headers=exc.headers)
    if isinstance(exc, RequestValidationError):
        return JSONResponse({"error": _describe_validation(exc.errors())}, 400)
    status_code = next((c for t, c in _ERROR_STATUS.items() if isinstance(exc, t)), None)
    if status_code is None:
        log.error("api_failed", error=type(exc).__name__)
        return JSONResponse({"error": "Something went wrong on our side; try again later."}, 500)
    log.info("api_refused", error=type(exc).__name__, status=status_code)
    return JSONResponse({"error": str(exc)}, status_code)


def _describe_validation(errors: Sequence[Any]) -> str:
    """One sentence about the first problem; names the field but never echoes its value."""
    first: dict[str, Any] = dict(errors[0]) if errors else {}
    kind = first.get("type", "")
    field = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
    if kind == "json_invalid":
        return "The request body is not valid JSON; send a JSON object."
    if not field:
        return "The request body must be a JSON object with the fields listed in /docs."
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):  # a model's, a dataclass's
        return f"Unknown field {field!r}; see /docs for the fields this endpoint takes."
    if kind == "missing":
        return f"The field {field!r} is required."
    return f"The field {field!r} is not valid: {first.get('msg', 'wrong type or format')}."
