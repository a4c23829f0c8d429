"""Staged connector output: encrypted JSON Lines in the blob store.

See docs/architecture.md, "Data that leaves the systems".

Blob layout: b"DSRS1", one byte key-id length, the key id, then frames. A frame is a
flag byte (1 = last), a 4-byte big-endian length and nonce + AES-GCM ciphertext of up
to 64 KiB of plaintext. Each frame's associated data binds the key id, the blob key,
the frame index and the last flag, so altering, truncating, reordering or moving frames
between blobs fails authentication. See docs/decisions/0004-staging-encryption.md.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import os
import re
import struct
import tempfile
from collections.abc import AsyncIterable, Iterable, Iterator, Mapping
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.records import DatasetRef
from runtime.keys import Keyring
from store.blobs import BlobStore

Record = Mapping[str, Any]

MAGIC = b"DSRS1"
FRAME_PLAINTEXT = 64 * 1024
_NONCE = 12
_TAG = 16
_FRAME_HEAD = struct.Struct(">BI")
_DECODER = json.JSONDecoder()
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


class StagingCorrupted(Exception):
    """A staged blob failed its integrity check; it must be staged again."""


def staging_prefix(request_id: str) -> str:
    """Every staged blob of one request lives under this prefix (deleted after delivery)."""
    return f"requests/{check_name('request', request_id)}/staging/"


def staging_key(request_id: str, connector: str, dataset: str) -> str:
    return (
        f"{staging_prefix(request_id)}{check_name('connector', connector)}/"
        f"{check_name('dataset', dataset)}.jsonl.enc"
    )


def check_name(what: str, name: str) -> str:
    """Return `name` if it is safe as one part of a blob key or archive path."""
    if not _NAME.match(name):
        raise ValueError(
            f"The {what} name {name!r} cannot be used in a blob key; "
            "use letters, digits, '_', '-' or '.'."
        )
    return name


def _json_default(value: object) -> object:
    """Dates become ISO strings, decimals and UUIDs exact strings."""
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, Mapping):
        return dict(value)
    # Name only the type: the value is personal data.
    raise TypeError(f"A {type(value).__name__} value cannot be staged; convert it to str first.")


def encode_line(record: Record) -> bytes:
    """One record as a JSON Lines line (UTF-8, compact, newline-terminated)."""
    text = json.dumps(
        dict(record),
        default=_json_default,
        ensure_ascii=False,
        allow_nan=False,
        separators=(",", ":"),
    )
    return text.encode() + b"\n"


def _length_prefixed(text: str) -> bytes:
    data = text.encode()
    return struct.pack(">H", len(data)) + data


def _associated(kid: str, blob_key: str, index: int, last: bool) -> bytes:
    position = struct.pack(">QB", index, last)
    return MAGIC + _length_prefixed(kid) + _length_prefixed(blob_key) + position


class _FrameWriter:
    """Seals plaintext into frames; the final frame, possibly empty, carries the last flag."""

    def __init__(self, out: BinaryIO, aead: AESGCM, kid: str, blob_key: str) -> None:
        self._out, self._aead, self._kid, self._blob_key = out, aead, kid, blob_key
        self._pending = bytearray()
        self._index = 0
        kid_bytes = kid.encode()
        if len(kid_bytes) > 255:
            raise ValueError("The encryption key id is longer than 255 bytes; choose a shorter id.")
        out.write(MAGIC + bytes([len(kid_bytes)]) + kid_bytes)

    def write(self, data: bytes) -> None:
        self._pending += data
        # Strictly greater: a full frame is sealed only once we know it is not the last.
        while len(self._pending) > FRAME_PLAINTEXT:
            self._seal(bytes(self._pending[:FRAME_PLAINTEXT]), last=False)
            del self._pending[:FRAME_PLAINTEXT]

    def close(self) -> None:
        self._seal(bytes(self._pending), last=True)
        self._pending.clear()

    def _seal(self, plaintext: bytes, *, last: bool) -> None:
        nonce = os.urandom(_NONCE)
        associated = _associated(self._kid, self._blob_key, self._index, last)
        sealed = nonce + self._aead.encrypt(nonce, plaintext, associated)
        self._out.write(_FRAME_HEAD.pack(last, len(sealed)) + sealed)
        self._index += 1


class _StagedFile:
    """One dataset on its way to the blob store: a temp file of encrypted frames."""

    def __init__(self, keyring: Keyring, blob_key: str) -> None:
        fd, name = tempfile.mkstemp(prefix="dsr-staging-", suffix=".jsonl.enc")
        self.path = Path(name)
        self._out = os.fdopen(fd, "wb")
        kid = keyring.current_id
        try:
            self._frames = _FrameWriter(self._out, keyring.aead(kid), kid, blob_key)
        except BaseException:
            self.discard()
            raise
        self._digest = hashlib.sha256()
        self.records = 0

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def add_lines(self, lines: bytes, count: int) -> None:
        self._digest.update(lines)
        self.records += count
        self._frames.write(lines)

    def add_all(self, records: Iterable[Record]) -> None:
        for record in records:
            self.add_lines(encode_line(record), 1)

    def upload(self, blobs: BlobStore, blob_key: str) -> None:
        self._frames.close()
        self._out.close()
        blobs.put_file(blob_key, self.path)

    def discard(self) -> None:
        self._out.close()
        self.path.unlink(missing_ok=True)


class StagingSink:
    """The RecordSink activities hand to connectors: one encrypted blob per dataset."""

    def __init__(self, blobs: BlobStore, keyring: Keyring, request_id: str, connector: str) -> None:
        self.blobs = blobs
        self.keyring = keyring
        self.request_id = request_id
        self.connector = connector

    async def write(
        self, dataset: str, records: Iterable[Record] | AsyncIterable[Record]
    ) -> DatasetRef:
        """Stage all records of `dataset`, replacing an earlier copy (so retries stay exact)."""
        key = staging_key(self.request_id, self.connector, dataset)
        staged = await asyncio.to_thread(_StagedFile, self.keyring, key)
        try:
            if isinstance(records, AsyncIterable):
                await _feed_async(staged, records)
            else:
                # Sync iterables may block (database cursors), so iterate them off the loop too.
                await asyncio.to_thread(staged.add_all, records)
            await asyncio.to_thread(staged.upload, self.blobs, key)
        finally:
            await asyncio.to_thread(staged.discard)
        return DatasetRef(self.connector, dataset, key, staged.records, staged.sha256)


async def _feed_async(staged: _StagedFile, records: AsyncIterable[Record]) -> None:
    """Encode on the loop; hand each ~frame-sized batch to a thread for sealing and writing."""
    batch, count = bytearray(), 0
    async for record in records:
        batch += encode_line(record)
        count += 1
        if len(batch) >= FRAME_PLAINTEXT:
            await asyncio.to_thread(staged.add_lines, bytes(batch), count)
            batch, count = bytearray(), 0
    await asyncio.to_thread(staged.add_lines, bytes(batch), count)


def _read_exact(src: BinaryIO, size: int) -> bytes:
    parts, remaining = [], size
    while remaining:
        part = src.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def _read_kid(src: BinaryIO, blob_key: str) -> str:
    head = _read_exact(src, len(MAGIC) + 1)
    if len(head) < len(MAGIC) + 1 or head[: len(MAGIC)] != MAGIC:
        raise StagingCorrupted(f"Blob {blob_key!r} is not a staged dataset; stage it again.")
    kid = _read_exact(src, head[-1])
    if len(kid) < head[-1]:
        raise StagingCorrupted(f"Staged blob {blob_key!r} is truncated; stage it again.")
    try:
        return kid.decode()
    except UnicodeDecodeError:
        raise StagingCorrupted(f"Blob {blob_key!r} has a damaged header; stage it again.") from None


def _frames(src: BinaryIO, keyring: Keyring, blob_key: str) -> Iterator[bytes]:
    """Authenticated plaintext frames of one blob, in order, up to the last one."""
    kid = _read_kid(src, blob_key)
    aead = keyring.aead(kid)
    truncated = StagingCorrupted(f"Staged blob {blob_key!r} is truncated; stage it again.")
    for index in itertools.count():
        head = _read_exact(src, _FRAME_HEAD.size)
        if len(head) < _FRAME_HEAD.size:
            raise truncated
        last, length = _FRAME_HEAD.unpack(head)
        if last > 1 or not _NONCE + _TAG <= length <= _NONCE + FRAME_PLAINTEXT + _TAG:
            raise StagingCorrupted(f"Staged blob {blob_key!r} has a damaged frame; stage it again.")
        sealed = _read_exact(src, length)
        if len(sealed) < length:
            raise truncated
        try:
            associated = _associated(kid, blob_key, index, bool(last))
            plaintext = aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], associated)
        except InvalidTag:
            raise StagingCorrupted(
                f"Frame {index} of staged blob {blob_key!r} failed authentication: it was "
                "altered, reordered or taken from another blob; stage it again."
            ) from None
        if last and src.read(1):
            raise StagingCorrupted(f"Staged blob {blob_key!r} has data after its last frame.")
        yield plaintext
        if last:
            return


def read_dataset(
    blobs: BlobStore, keyring: Keyring, ref_or_key: DatasetRef | str
) -> Iterator[dict[str, Any]]:
    """Stream the records of a staged dataset; with a DatasetRef, also check count and sha256.

    Records arrive before the whole blob is verified: on StagingCorrupted, discard
    everything read from it.
    """
    key = ref_or_key.key if isinstance(ref_or_key, DatasetRef) else ref_or_key
    digest, count, tail = hashlib.sha256(), 0, b""
    with blobs.open_read(key) as src:
        for plaintext in _frames(src, keyring, key):
            digest.update(plaintext)
            *lines, tail = (tail + plaintext).split(b"\n")
            for line in lines:
                count += 1
                yield _DECODER.decode(line.decode())
    if tail:
        raise StagingCorrupted(f"Staged blob {key!r} ends inside a record; stage it again.")
    if isinstance(ref_or_key, DatasetRef) and (count, digest.hexdigest()) != (
        ref_or_key.records,
        ref_or_key.sha256,
    ):
        raise StagingCorrupted(
            f"Staged blob {key!r} does not match its reference; it was replaced after staging."
        )
