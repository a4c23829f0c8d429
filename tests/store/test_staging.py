"""Staged datasets round-trip exactly, stay encrypted at rest, and detect any tampering."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connectors.base import RecordSink
from runtime.keys import Keyring, KeyringError
from store.blobs import LocalBlobStore
from store.staging import (
    FRAME_PLAINTEXT,
    StagingCorrupted,
    StagingSink,
    read_dataset,
    staging_key,
)

EMAIL = "jan.jansen@example.nl"


def keyring(kid: str = "k1") -> Keyring:
    return Keyring(((kid, os.urandom(32)),))


@pytest.fixture
def blobs(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


@pytest.fixture
def keys() -> Keyring:
    return keyring()


def sink(blobs: LocalBlobStore, keys: Keyring, connector: str = "billing") -> StagingSink:
    return StagingSink(blobs, keys, "req-1", connector)


def contacts(n: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield {"id": i, "email": EMAIL, "note": f"contact {i} " + "x" * 100}


async def acontacts(n: int) -> AsyncIterator[dict[str, Any]]:
    for record in contacts(n):
        yield record


def jsonl_sha256(records: list[dict[str, Any]]) -> str:
    lines = (json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records)
    return hashlib.sha256("".join(lines).encode()).hexdigest()


async def test_staging_sink_is_a_record_sink(blobs: LocalBlobStore, keys: Keyring) -> None:
    staged: RecordSink = sink(blobs, keys)
    ref = await staged.write("contacts", [])
    assert ref.records == 0
    assert list(read_dataset(blobs, keys, ref)) == []


async def test_round_trip_of_a_sync_iterable(blobs: LocalBlobStore, keys: Keyring) -> None:
    record = {
        "id": 1,
        "email": EMAIL,
        "born": date(1980, 2, 29),
        "seen": datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
        "balance": Decimal("12.30"),
        "tags": ["a", "ü"],
        "nested": {"at": date(2020, 1, 1)},
    }
    ref = await sink(blobs, keys).write("contacts", [record])
    assert ref.key == staging_key("req-1", "billing", "contacts")
    assert ref.key == "requests/req-1/staging/billing/contacts.jsonl.enc"
    assert (ref.connector, ref.dataset, ref.records) == ("billing", "contacts", 1)
    assert list(read_dataset(blobs, keys, ref)) == [
        {
            "id": 1,
            "email": EMAIL,
            "born": "1980-02-29",
            "seen": "2024-05-01T12:30:00+00:00",
            "balance": "12.30",
            "tags": ["a", "ü"],
            "nested": {"at": "2020-01-01"},
        }
    ]


async def test_round_trip_of_an_async_iterable_over_many_frames(
    blobs: LocalBlobStore, keys: Keyring
) -> None:
    ref = await sink(blobs, keys).write("contacts", acontacts(3000))
    assert ref.records == 3000
    assert list(read_dataset(blobs, keys, ref.key)) == list(contacts(3000))
    assert len(blobs.get_bytes(ref.key)) > 4 * FRAME_PLAINTEXT


async def test_sha256_is_of_the_plaintext_json_lines(blobs: LocalBlobStore, keys: Keyring) -> None:
    ref = await sink(blobs, keys).write("contacts", contacts(500))
    assert ref.sha256 == jsonl_sha256(list(contacts(500)))


async def test_rewrite_replaces_so_each_record_is_staged_once(
    blobs: LocalBlobStore, keys: Keyring
) -> None:
    staged = sink(blobs, keys)
    await staged.write("contacts", contacts(10))
    ref = await staged.write("contacts", acontacts(10))
    records = list(read_dataset(blobs, keys, ref))
    assert ref.records == len(records) == 10
    assert sorted(r["id"] for r in records) == list(range(10))
    assert blobs.list_keys("requests/req-1/") == [ref.key]


async def test_ciphertext_does_not_contain_personal_data(
    blobs: LocalBlobStore, keys: Keyring
) -> None:
    ref = await sink(blobs, keys).write("contacts", contacts(50))
    stored = blobs.get_bytes(ref.key)
    assert stored.startswith(b"DSRS1")
    assert EMAIL.encode() not in stored
    assert b"jansen" not in stored


async def test_a_flipped_byte_is_detected(blobs: LocalBlobStore, keys: Keyring) -> None:
    ref = await sink(blobs, keys).write("contacts", contacts(50))
    data = bytearray(blobs.get_bytes(ref.key))
    data[len(data) // 2] ^= 0x01
    blobs.put_bytes(ref.key, bytes(data))
    with pytest.raises(StagingCorrupted, match="failed authentication"):
        list(read_dataset(blobs, keys, ref))


@pytest.mark.parametrize("cut", [1, 100])
async def test_a_truncated_blob_is_detected(blobs: LocalBlobStore, keys: Keyring, cut: int) -> None:
    ref = await sink(blobs, keys).write("contacts", contacts(50))
    blobs.put_bytes(ref.key, blobs.get_bytes(ref.key)[:-cut])
    with pytest.raises(StagingCorrupted, match="truncated"):
        list(read_dataset(blobs, keys, ref))


async def test_dropping_whole_last_frame_is_detected(blobs: LocalBlobStore, keys: Keyring) -> None:
    ref = await sink(blobs, keys).write("contacts", contacts(2000))
    data = blobs.get_bytes(ref.key)
    frames = split_frames(data)
    assert len(frames) > 2
    blobs.put_bytes(ref.key, data[: len(data) - len(frames[-1])])
    with pytest.raises(StagingCorrupted, match="truncated"):
        list(read_dataset(blobs, keys, ref.key))


async def test_reordered_frames_are_detected(blobs: LocalBlobStore, keys: Keyring) -> None:
    ref = await sink(blobs, keys).write("contacts", contacts(2000))
    data = blobs.get_bytes(ref.key)
    frames = split_frames(data)
    header = data[: len(data) - sum(len(f) for f in frames)]
    blobs.put_bytes(ref.key, header + frames[1] + frames[0] + b"".join(frames[2:]))
    with pytest.raises(StagingCorrupted, match="failed authentication"):
        list(read_dataset(blobs, keys, ref.key))


async def test_a_blob_moved_to_another_key_is_detected(
    blobs: LocalBlobStore, keys: Keyring
) -> None:
    staged = sink(blobs, keys)
    contacts_ref = await staged.write("contacts", contacts(5))
    orders_ref = await staged.write("orders", [{"id": 1}])
    blobs.put_bytes(orders_ref.key, blobs.get_bytes(contacts_ref.key))
    with pytest.raises(StagingCorrupted, match="another blob"):
        list(read_dataset(blobs, keys, orders_ref.key))


async def test_a_replaced_blob_does_not_match_its_ref(blobs: LocalBlobStore, keys: Keyring) -> None:
    staged = sink(blobs, keys)
    old = await staged.write("contacts", contacts(5))
    await staged.write("contacts", contacts(6))
    with pytest.raises(StagingCorrupted, match="does not match its reference"):
        list(read_dataset(blobs, keys, old))


async def test_unknown_key_id_is_a_clear_keyring_error(
    blobs: LocalBlobStore, keys: Keyring
) -> None:
    ref = await sink(blobs, keys).write("contacts", contacts(5))
    with pytest.raises(KeyringError, match="Unknown encryption key id 'k1'"):
        list(read_dataset(blobs, keyring("k2"), ref))


async def test_same_key_id_with_other_key_bytes_is_detected(
    blobs: LocalBlobStore, keys: Keyring
) -> None:
    ref = await sink(blobs, keys).write("contacts", contacts(5))
    with pytest.raises(StagingCorrupted):
        list(read_dataset(blobs, keyring("k1"), ref))


async def test_a_blob_that_is_not_staged_data_is_refused(blobs: LocalBlobStore) -> None:
    blobs.put_bytes("requests/req-1/staging/x/y.jsonl.enc", b'{"email": "plain"}\n')
    with pytest.raises(StagingCorrupted, match="not a staged dataset"):
        list(read_dataset(blobs, keyring(), "requests/req-1/staging/x/y.jsonl.enc"))


async def test_rotated_keyring_still_reads_old_blobs(blobs: LocalBlobStore, keys: Keyring) -> None:
    ref = await sink(blobs, keys).write("contacts", contacts(5))
    rotated = Keyring((("k2", os.urandom(32)), *keys.keys))
    assert len(list(read_dataset(blobs, rotated, ref))) == 5


@pytest.mark.parametrize("dataset", ["../x", "a/b", ".hidden", ""])
async def test_unsafe_dataset_names_are_refused(
    blobs: LocalBlobStore, keys: Keyring, dataset: str
) -> None:
    with pytest.raises(ValueError, match="cannot be used in a blob key"):
        await sink(blobs, keys).write(dataset, [])


async def test_unencodable_values_name_the_type_not_the_value(
    blobs: LocalBlobStore, keys: Keyring
) -> None:
    with pytest.raises(TypeError, match="bytes value") as caught:
        await sink(blobs, keys).write("contacts", [{"photo": EMAIL.encode()}])
    assert EMAIL not in str(caught.value)
    assert blobs.list_keys("") == []


def split_frames(data: bytes) -> list[bytes]:
    """The raw frames of a blob (flag, length, sealed bytes), after its header."""
    offset = len(b"DSRS1") + 1 + data[5]
    frames = []
    while offset < len(data):
        length = int.from_bytes(data[offset + 1 : offset + 5], "big")
        frames.append(data[offset : offset + 5 + length])
        offset += 5 + length
    return frames


async def test_data_after_the_last_frame_is_detected(blobs: LocalBlobStore, keys: Keyring) -> None:
    ref = await sink(blobs, keys).write("contacts", contacts(5))
    blobs.put_bytes(ref.key, blobs.get_bytes(ref.key) + b"\x00")
    with pytest.raises(StagingCorrupted, match="after its last frame"):
        list(read_dataset(blobs, keys, ref))
