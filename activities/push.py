"""Send a portability archive to another controller's HTTPS endpoint (Art. 20(2)).

The protocol is dsr's own (docs/decisions/0008-rights-beyond-access-and-erasure.md):
the ZIP as the body, `Content-Digest` so the receiver can check it, `Idempotency-Key`
(the request id) so a retried push is not imported twice, and a receipt in the answer
that we keep.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import ssl
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain import names
from domain.messages import PushInput, PushReceipt
from store.blobs import BlobStore

log = structlog.get_logger()
_CHUNK = 1024 * 1024
_RETRYABLE = {408, 425, 429, 500, 502, 503, 504}


class PushActivities:
    def __init__(self, blobs: BlobStore, ca_file: Path | None = None) -> None:
        self._blobs = blobs
        self._verify: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=str(ca_file)) if ca_file else True
        )

    @activity.defn(name=names.PUSH_ARCHIVE.name)
    async def push_archive(self, arg: PushInput) -> PushReceipt:
        host = urlsplit(arg.url).hostname or "the endpoint"
        digest = await asyncio.to_thread(self._digest, arg.archive.key)
        if digest.hex() != arg.archive.sha256:
            raise ApplicationError(
                "The archive changed since it was compiled; compile it again.",
                type="ArchiveChanged",
                non_retryable=True,
            )
        headers = {
            "Content-Type": "application/zip",
            "Content-Digest": f"sha-256=:{base64.b64encode(digest).decode()}:",
            "Idempotency-Key": arg.request_id,
            "Content-Length": str(arg.archive.size),
        }
        try:
            async with httpx.AsyncClient(
                verify=self._verify, timeout=httpx.Timeout(60.0, connect=10.0)
            ) as client:
                response = await client.post(
                    arg.url, content=self._chunks(arg.archive.key), headers=headers
                )
        except (httpx.HTTPError, httpx.InvalidURL) as err:
            raise ApplicationError(
                f"The other controller at {host} could not be reached ({type(err).__name__}).",
                type="PushUnreachable",
            ) from None
        return _receipt(response, host, arg.archive.sha256)

    def _digest(self, key: str) -> bytes:
        digest = hashlib.sha256()
        with self._blobs.open_read(key) as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
        return digest.digest()

    async def _chunks(self, key: str) -> AsyncIterator[bytes]:
        with self._blobs.open_read(key) as stream:
            while chunk := await asyncio.to_thread(stream.read, _CHUNK):
                yield chunk


def _receipt(response: httpx.Response, host: str, sha256: str) -> PushReceipt:
    status = response.status_code
    if status in _RETRYABLE:
        delay = _retry_after(response.headers.get("retry-after"))
        raise ApplicationError(
            f"The other controller at {host} answered {status}; trying again.",
            type="PushDeferred",
            next_retry_delay=delay,
        )
    if not 200 <= status < 300:
        raise ApplicationError(
            f"The other controller at {host} refused the archive with status {status}; "
            "check the address with them, then retry.",
            type="PushRefused",
            non_retryable=True,
        )
    try:
        body = response.json()
        receipt, echoed = str(body["receipt"]), str(body["sha256"])
    except (ValueError, KeyError, TypeError):
        raise ApplicationError(
            f"The other controller at {host} accepted the archive but sent no receipt.",
            type="PushNoReceipt",
            non_retryable=True,
        ) from None
    if echoed != sha256:
        raise ApplicationError(
            f"The other controller at {host} received a different archive; trying again.",
            type="PushCorrupted",
        )
    log.info("archive_pushed", host=host, status=status)
    return PushReceipt(receipt=receipt, sha256=echoed, status=status, at=datetime.now(UTC))


def _retry_after(header: str | None) -> timedelta | None:
    try:
        return timedelta(seconds=max(1.0, float(header))) if header else None
    except ValueError:
        return None
