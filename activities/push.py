"""The activity that sends a portability archive to another controller (Art. 20(2)).

The protocol lives in connectors/controller/client.py; here the archive is read from the blob
store, checked against the digest it was compiled with, and a failed push becomes the Temporal
error of the same name (`PushRefused`, `PushDeferred`, ...), retried unless it is final.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

from temporalio import activity
from temporalio.exceptions import ApplicationError

from connectors.controller import ControllerClient, PushFailed
from domain import names
from domain.messages import PushInput, PushReceipt
from store.blobs import BlobStore

_CHUNK = 1024 * 1024


class PushActivities:
    def __init__(self, blobs: BlobStore, ca_file: Path | None = None) -> None:
        self._blobs = blobs
        self._client = ControllerClient(ca_file)

    @activity.defn(name=names.PUSH_ARCHIVE.name)
    async def push_archive(self, arg: PushInput) -> PushReceipt:
        digest = await asyncio.to_thread(self._digest, arg.archive.key)
        if digest.hex() != arg.archive.sha256:
            raise ApplicationError(
                "The archive changed since it was compiled; compile it again.",
                type="ArchiveChanged",
                non_retryable=True,
            )
        try:
            receipt = await self._client.push(
                arg.url,
                self._chunks(arg.archive.key),
                digest=digest,
                size=arg.archive.size,
                idempotency_key=arg.request_id,
            )
        except PushFailed as err:
            raise ApplicationError(
                str(err),
                type=type(err).__name__,
                non_retryable=err.final,
                next_retry_delay=err.retry_after,
            ) from None
        return PushReceipt(
            receipt=receipt.receipt,
            sha256=receipt.sha256,
            status=receipt.status,
            at=datetime.now(UTC),
        )

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
