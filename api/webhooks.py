"""Signed webhooks from outside systems (registrars) that confirm a pending outcome.

Checks run cheapest-first and nothing changes until the workflow has accepted the
confirmation: size, signature and timestamp, replay, body, routing, then the update.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Annotated, Any, cast

import structlog
from fastapi import APIRouter, Depends, Request
from starlette.exceptions import HTTPException

from domain.records import Confirmation
from runtime.webhook_signing import SignatureInvalid, TimestampStale, WebhookRejected, verify
from services.errors import ActionQueued
from services.requests import ActionRefused, RequestNotFound, RequestService
from store.confirmations import PendingConfirmations, WebhookDeliveries

log = structlog.get_logger()
MAX_BODY = 64 * 1024
STATUSES = {"completed": True, "failed": False}


@dataclass(frozen=True)
class WebhookReceiver:
    service: RequestService
    pending: PendingConfirmations
    deliveries: WebhookDeliveries
    secret: bytes


def _receiver(request: Request) -> WebhookReceiver:
    receiver = getattr(request.app.state, "webhooks", None)
    if receiver is None:
        raise HTTPException(503, detail="Webhooks are not configured on this server.")
    return cast(WebhookReceiver, receiver)


router = APIRouter(tags=["webhooks"])


@router.post("/webhooks/{connector}")
async def receive(
    connector: str, request: Request, rx: Annotated[WebhookReceiver, Depends(_receiver)]
) -> dict[str, str]:
    """Route a signed confirmation to the request that waits for it."""
    body = await _bounded_body(request)
    delivery_id = _verified(rx.secret, request, body)
    if await asyncio.to_thread(rx.deliveries.seen, delivery_id):
        raise HTTPException(409, detail="This delivery was already received; nothing changed.")
    reference, succeeded, event = _parse(body)
    request_id = await asyncio.to_thread(rx.pending.request_for, connector, reference)
    if request_id is None:
        raise HTTPException(404, detail="No request waits for this reference.")
    confirmation = Confirmation(
        connector=connector,
        external_ref=reference,
        succeeded=succeeded,
        detail=f"{event} reported by the system.",
        confirmed_by=f"{connector} webhook {delivery_id}",
    )
    try:
        await rx.service.deliver_confirmation(request_id, confirmation)
    except ActionRefused as err:
        raise HTTPException(409, detail=str(err)) from None
    except RequestNotFound:
        raise HTTPException(404, detail="No request waits for this reference.") from None
    except ActionQueued:
        # Not accepted yet: the sender delivers again, and a second delivery of what was
        # applied meanwhile is refused as already confirmed.
        raise HTTPException(
            503, detail="The request could not take the confirmation now; deliver it again later."
        ) from None
    await asyncio.to_thread(rx.deliveries.record, delivery_id, connector)
    await asyncio.to_thread(rx.pending.mark_confirmed, connector, reference)
    log.info("webhook_accepted", connector=connector, request_id=request_id)
    return {"status": "accepted"}


async def _bounded_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise HTTPException(413, detail=f"The body is larger than {MAX_BODY} bytes.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise HTTPException(413, detail=f"The body is larger than {MAX_BODY} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def _verified(secret: bytes, request: Request, body: bytes) -> str:
    try:
        return verify(secret, request.headers, body, now=int(time.time()))
    except TimestampStale:
        raise HTTPException(401, detail="The timestamp is outside the 5-minute window.") from None
    except SignatureInvalid:
        raise HTTPException(401, detail="The signature does not match the body.") from None
    except WebhookRejected:
        raise HTTPException(401, detail="The webhook is not signed as required.") from None


def _parse(body: bytes) -> tuple[str, bool, str]:
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise HTTPException(400, detail="The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise HTTPException(400, detail="The body must be a JSON object.")
    reference, status, event = data.get("reference"), data.get("status"), data.get("event")
    if not isinstance(reference, str) or not reference or status not in STATUSES:
        raise HTTPException(
            400, detail="The body needs a 'reference' and a 'status' of completed or failed."
        )
    return reference, STATUSES[status], event if isinstance(event, str) else "change"
