"""The agent HTTP API: requests, downloads and the Temporal UI's remote codec."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, ExitStack, asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Annotated, BinaryIO, cast
from urllib.parse import quote

import structlog
from cryptography.exceptions import InvalidTag
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response, StreamingResponse
from google.protobuf import json_format
from pydantic import BaseModel, ConfigDict
from pydantic.dataclasses import dataclass as pydantic_dataclass
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from temporalio.api.common.v1 import Payload, Payloads

from api import webhooks
from api.auth import APPROVE, READ, STEER, Principal, TokenTable, require
from api.errors import install_error_handlers
from domain.errors import InvalidRequestInput
from domain.kinds import RequestKind, RequestState
from domain.messages import ActionResult
from runtime.codec import EncryptionCodec
from runtime.keys import Keyring, KeyringError, keyring_from_settings
from runtime.links import LinkExpired, LinkInvalid, verify_link
from runtime.settings import Settings
from services.requests import (
    ListedRequest,
    RequestService,
    RequestStatus,
    SubmitForm,
    Submitted,
    open_service,
)
from store.blobs import BlobNotFound, BlobStore, InvalidBlobKey, blob_store_from_url
from store.confirmations import PendingConfirmations, WebhookDeliveries
from store.db import make_engine

log = structlog.get_logger()

_CHUNK = 1 << 16
_CONTENT_TYPES = {
    ".zip": "application/zip",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
}


ServiceFactory = Callable[[Settings], AbstractAsyncContextManager[RequestService]]


@dataclass(frozen=True)
class _Runtime:
    service: RequestService
    blobs: BlobStore
    link_secret: bytes
    codec: EncryptionCodec


def _runtime(request: Request) -> _Runtime:
    return cast(_Runtime, request.app.state.runtime)


Runtime = Annotated[_Runtime, Depends(_runtime)]
Reader = Annotated[Principal, Depends(require(*READ))]
Steerer = Annotated[Principal, Depends(require(*STEER))]
Approver = Annotated[Principal, Depends(require(*APPROVE))]


_STRICT = ConfigDict(extra="forbid")  # an unknown field is an error, never ignored


class _Body(BaseModel):
    model_config = _STRICT


# The service's SubmitForm, validated as a JSON body: a new field is declared there only.
# (A comment, not a docstring, which would become the schema's description in /docs.)
@pydantic_dataclass(frozen=True, config=_STRICT)
class SubmitBody(SubmitForm):
    pass


class ApproveBody(_Body):
    services: str = ""


class VerifyBody(_Body):
    method: str | None = None
    code: str | None = None


class CancelBody(_Body):
    reason: str


requests = APIRouter(prefix="/requests", tags=["requests"])


@requests.post("", status_code=201, response_model=Submitted)
async def submit(body: SubmitBody, rt: Runtime, who: Steerer) -> Submitted:
    """Record a new request and start its workflow."""
    done = await rt.service.submit(SubmitForm(**asdict(body)))
    log.info("request_submitted", request_id=done.request_id, kind=done.kind, agent=who.name)
    return done


@requests.get("", response_model=list[ListedRequest])
async def list_requests(
    rt: Runtime,
    _: Reader,
    state: str | None = None,
    kind: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[ListedRequest]:
    """Requests through Temporal visibility, optionally by state and kind."""
    _check_choice("state", state, RequestState)
    _check_choice("kind", kind, RequestKind)
    return await rt.service.list(state=state, kind=kind, limit=limit)


@requests.get("/{ref}", response_model=RequestStatus)
async def progress(ref: str, rt: Runtime, _: Reader) -> RequestStatus:
    """The state of a request and the progress in each system; `live` is false when the
    worker did not answer and the state is the last one recorded (`worker` says so)."""
    return await rt.service.status(ref)


@requests.post("/{ref}/verify", response_model=ActionResult)
async def verify(ref: str, body: VerifyBody, rt: Runtime, who: Steerer) -> ActionResult:
    """Attest that the subject's identity was verified."""
    if (body.method is None) == (body.code is None):
        raise InvalidRequestInput("Give either the method (what was checked) or the code.")
    if body.code is not None:
        return _acted("verify", ref, who, await rt.service.enter_code(ref, who.name, body.code))
    return _acted("verify", ref, who, await rt.service.verify(ref, who.name, body.method or ""))


@requests.post("/{ref}/send-code", response_model=ActionResult)
async def send_code(ref: str, rt: Runtime, who: Steerer) -> ActionResult:
    """Email the subject a one-time code at the address on file."""
    return _acted("send-code", ref, who, await rt.service.send_code(ref, who.name))


@requests.post("/{ref}/approve", response_model=ActionResult)
async def approve(
    ref: str, rt: Runtime, who: Approver, body: ApproveBody | None = None
) -> ActionResult:
    """Approve the erasure plan (officers only); `services`: terminate or transfer_first."""
    services = body.services if body else ""
    return _acted("approve", ref, who, await rt.service.approve(ref, who.name, services))


@requests.post("/{ref}/cancel", response_model=ActionResult)
async def cancel(ref: str, body: CancelBody, rt: Runtime, who: Steerer) -> ActionResult:
    """Cancel a request that has not started erasing yet."""
    return _acted("cancel", ref, who, await rt.service.cancel(ref, who.name, body.reason))


class ConfirmBody(_Body):
    system: str
    note: str
    external_ref: str = ""


@requests.post("/{ref}/confirm", response_model=ActionResult)
async def confirm(ref: str, body: ConfirmBody, rt: Runtime, who: Steerer) -> ActionResult:
    """Record by hand that a system confirmed a pending outcome."""
    result = await rt.service.confirm(ref, who.name, body.system, body.note, body.external_ref)
    return _acted("confirm", ref, who, result)


class ExtendBody(_Body):
    reason: str


@requests.post("/{ref}/extend", response_model=ActionResult)
async def extend(ref: str, body: ExtendBody, rt: Runtime, who: Approver) -> ActionResult:
    """Extend the deadline by two months, with the reason the subject is told (officers)."""
    return _acted("extend", ref, who, await rt.service.extend(ref, who.name, body.reason))


class DecideBody(_Body):
    choice: str
    reason: str = ""


@requests.post("/{ref}/decide", response_model=ActionResult)
async def decide(ref: str, body: DecideBody, rt: Runtime, who: Approver) -> ActionResult:
    """The officer's decision on a repeated request: proceed, fee or refuse."""
    result = await rt.service.decide(ref, who.name, body.choice, body.reason)
    return _acted("decide", ref, who, result)


@requests.post("/{ref}/retry", response_model=ActionResult)
async def retry(ref: str, rt: Runtime, who: Steerer) -> ActionResult:
    """Try a failed step again after its cause was fixed."""
    return _acted("retry", ref, who, await rt.service.retry(ref, who.name))


class PushAddressBody(_Body):
    url: str


@requests.post("/{ref}/push-address", response_model=ActionResult)
async def push_address(ref: str, body: PushAddressBody, rt: Runtime, who: Steerer) -> ActionResult:
    """Correct the other controller's address of a failed portability push; it runs again."""
    result = await rt.service.change_push_address(ref, who.name, body.url)
    return _acted("push_address", ref, who, result)


def _acted(action: str, ref: str, who: Principal, result: ActionResult) -> ActionResult:
    log.info("request_action", action=action, ref=ref, agent=who.name, state=result.state)
    return result


def _check_choice(option: str, value: str | None, allowed: type[StrEnum]) -> None:
    choices = [c.value for c in allowed]
    if value is not None and value not in choices:
        raise InvalidRequestInput(f"Unknown {option} {value!r}; use one of: {', '.join(choices)}.")


downloads = APIRouter(tags=["downloads"])


@downloads.get("/downloads/{token}", response_class=StreamingResponse)
async def download(token: str, rt: Runtime) -> StreamingResponse:
    """Stream a delivered document; the signed, expiring token is the credential."""
    try:
        key = verify_link(rt.link_secret, token)
    except LinkInvalid as err:
        expired = isinstance(err, LinkExpired)
        log.info("download_refused", reason="expired" if expired else "invalid")
        raise HTTPException(410 if expired else 403, detail=str(err)) from None
    try:
        stack, stream = await run_in_threadpool(_open_blob, rt.blobs, key)
    except (BlobNotFound, InvalidBlobKey):
        gone = "This document is no longer stored; ask for a new link."
        raise HTTPException(404, detail=gone) from None
    name = PurePosixPath(key).name
    return StreamingResponse(
        _chunks(stack, stream),
        media_type=_CONTENT_TYPES.get(PurePosixPath(name).suffix, "application/octet-stream"),
        headers={
            "Content-Disposition": _attachment(name),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _open_blob(blobs: BlobStore, key: str) -> tuple[ExitStack, BinaryIO]:
    """Open before the response starts, so a missing blob is a 404 and not a broken stream."""
    stack = ExitStack()
    return stack, stack.enter_context(blobs.open_read(key))


async def _chunks(stack: ExitStack, stream: BinaryIO) -> AsyncIterator[bytes]:
    try:
        while chunk := await run_in_threadpool(stream.read, _CHUNK):
            yield chunk
    finally:
        await run_in_threadpool(stack.close)


def _attachment(name: str) -> str:
    quoted = quote(name)
    if quoted == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename*=utf-8''{quoted}"


codec = APIRouter(prefix="/codec", tags=["codec"])


@codec.post("/encode")
async def encode(request: Request, rt: Runtime, _: Reader) -> Response:
    """Encrypt payloads the way the worker does (Temporal remote codec protocol)."""
    return await _apply(request, rt.codec.encode)


@codec.post("/decode")
async def decode(request: Request, rt: Runtime, _: Reader) -> Response:
    """Decrypt payloads for the Temporal UI (Temporal remote codec protocol)."""
    return await _apply(request, rt.codec.decode)


async def _apply(
    request: Request, transform: Callable[[Sequence[Payload]], Awaitable[list[Payload]]]
) -> Response:
    try:
        payloads = json_format.Parse(await request.body(), Payloads())
    except (json_format.ParseError, ValueError):
        raise HTTPException(
            400, detail='The body must be {"payloads": [...]} as in the Temporal codec protocol.'
        ) from None
    try:
        out = await transform(payloads.payloads)
    except (KeyringError, InvalidTag, KeyError, ValueError):
        raise HTTPException(
            400, detail="A payload could not be decrypted with the configured keys."
        ) from None
    body = json_format.MessageToJson(Payloads(payloads=out))
    return Response(content=body, media_type="application/json")


meta = APIRouter(tags=["meta"])


@meta.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


def create_app(
    settings: Settings,
    *,
    service_factory: ServiceFactory | None = None,
    blobs: BlobStore | None = None,
    keyring: Keyring | None = None,
) -> FastAPI:
    """The API for `settings`; tests inject the service, blob store and keyring."""
    tokens = TokenTable.parse(settings.agent_tokens)
    open_agent_service: ServiceFactory = service_factory or open_service

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_agent_service(settings) as service:
            ring = keyring or keyring_from_settings(settings)
            store = blobs or blob_store_from_url(
                settings.resolved_blob_url,
                endpoint_url=settings.s3_endpoint_url,
                region=settings.s3_region,
            )
            app.state.runtime = _Runtime(
                service, store, ring.derive("download-links"), EncryptionCodec(ring)
            )
            with _webhook_receiver(app, settings, service):
                log.info("api_ready", tokens=len(tokens))
                yield

    app = FastAPI(title="dsr agent API", lifespan=lifespan)
    app.state.tokens = tokens
    for router in (requests, downloads, codec, meta, webhooks.router):
        app.include_router(router)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[settings.temporal_ui_url.rstrip("/")],
        allow_methods=["POST"],
        allow_headers=["Authorization", "Content-Type", "X-Namespace"],
        allow_credentials=True,
    )
    install_error_handlers(app)
    return app


@contextmanager
def _webhook_receiver(app: FastAPI, settings: Settings, service: RequestService) -> Iterator[None]:
    """Webhooks need the routing tables; without a configured secret they answer 503."""
    if not settings.webhook_secret:
        app.state.webhooks = None
        yield
        return
    engine = make_engine(settings.resolved_database_url)
    try:
        app.state.webhooks = webhooks.WebhookReceiver(
            service,
            PendingConfirmations(engine),
            WebhookDeliveries(engine),
            settings.webhook_secret.encode(),
        )
        yield
    finally:
        engine.dispose()
