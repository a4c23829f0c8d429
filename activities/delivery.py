"""Compiling what the subject receives: the access archive or the proof of erasure."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from temporalio import activity

from activities.archive import build_archive_to_blob
from activities.letters import ArchiveRequest
from activities.proof import build_proof
from domain import names
from domain.datasets import Catalogue
from domain.messages import CompileArchiveInput, CompileProofInput, DeliveryRef
from domain.retention import RetentionPolicy
from runtime.keys import Keyring
from store.blobs import BlobStore

log = structlog.get_logger()


class DeliveryActivities:
    def __init__(
        self,
        blobs: BlobStore,
        keyring: Keyring,
        retention: RetentionPolicy,
        catalogue: Catalogue,
        make_link: Callable[[str], str],
        link_ttl: timedelta,
    ) -> None:
        self._blobs = blobs
        self._keyring = keyring
        self._retention = retention
        # The connectors' dataset declarations: the letter states what they declare.
        self._catalogue = catalogue
        self._make_link = make_link
        # How long a link made by `make_link` works; each delivery records when it stops.
        self._link_ttl = link_ttl

    @activity.defn(name=names.COMPILE_ARCHIVE.name)
    async def compile_archive(self, arg: CompileArchiveInput) -> DeliveryRef:
        """Build the ZIP from the staged datasets; rebuilding replaces it, so retries are safe."""
        request = ArchiveRequest(
            request_id=arg.request_id,
            kind=arg.kind.value,
            language=arg.language,
            received_at=arg.received_at,
            completed_at=datetime.now(UTC),
            connectors=arg.connectors,
            retention=self._retention.rules,
            catalogue=self._catalogue,
        )
        datasets = tuple(d for e in arg.exports for d in e.datasets)
        result = await asyncio.to_thread(
            build_archive_to_blob, self._blobs, self._keyring, request, datasets
        )
        log.info(
            "archive_compiled",
            request_id=arg.request_id,
            records=result.records,
            files=len(result.files),
        )
        return DeliveryRef(
            key=result.key,
            sha256=result.sha256,
            size=result.size,
            records=result.records,
            datasets=datasets,
            **self._link(result.key),
        )

    @activity.defn(name=names.COMPILE_PROOF.name)
    async def compile_proof(self, arg: CompileProofInput) -> DeliveryRef:
        docs = build_proof(arg, datetime.now(UTC))
        base = f"requests/{arg.request_id}/delivery/dsr-{arg.request_id}-proof"
        await asyncio.to_thread(self._blobs.put_bytes, f"{base}.json", docs.json_bytes)
        await asyncio.to_thread(self._blobs.put_bytes, f"{base}.txt", docs.text.encode())
        log.info("proof_compiled", request_id=arg.request_id, systems=len(arg.outcomes))
        return DeliveryRef(
            key=f"{base}.json",
            sha256=hashlib.sha256(docs.json_bytes).hexdigest(),
            size=len(docs.json_bytes),
            **self._link(f"{base}.txt"),
        )

    def _link(self, key: str) -> dict[str, Any]:
        """The link and when it expires; the time is taken before the link is signed, so
        the link never works for less than what is shown."""
        expires_at = (datetime.now(UTC) + self._link_ttl).replace(microsecond=0)
        return {"link": self._make_link(key), "expires_at": expires_at}
