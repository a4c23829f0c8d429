"""The access/portability archive: a streamed ZIP of the staged data and its cover letter.

Pure I/O on streams, no Temporal: the worker wraps `build_archive_to_blob` in an activity.
Every entry is written through `ZipFile.open(..., "w")`, so no dataset is ever held in
memory and the output may be a non-seekable stream (ZIP data descriptors).
"""

from __future__ import annotations

import csv
import hashlib
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, BinaryIO

from activities.letters import ArchiveRequest, cover_letter_html, cover_letter_text
from domain.records import DatasetRef
from runtime.keys import Keyring
from store.blobs import BlobStore
from store.staging import check_name, read_dataset

_CHUNK = 64 * 1024
# One record per line, no indent: json's C encoder only runs without indent, several times faster.
_RECORD_JSON = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))
OpenRecords = Callable[[DatasetRef], Iterator[dict[str, Any]]]


@dataclass(frozen=True)
class ManifestFile:
    path: str
    sha256: str
    size: int
    records: int | None = None

    def to_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"path": self.path, "sha256": self.sha256, "bytes": self.size}
        return entry if self.records is None else {**entry, "records": self.records}


@dataclass(frozen=True)
class ArchiveManifest:
    request_id: str
    kind: str
    created: datetime
    systems: tuple[str, ...]
    files: tuple[ManifestFile, ...]
    records: int

    def to_json(self) -> str:
        document = {
            "request_id": self.request_id,
            "kind": self.kind,
            "created": self.created.isoformat(),
            "systems": list(self.systems),
            "records": self.records,
            "files": [f.to_dict() for f in self.files],
        }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class ArchiveResult:
    """Where the delivered archive is, and what it holds (references and counts only)."""

    key: str
    sha256: str
    size: int
    records: int
    files: tuple[ManifestFile, ...]


def archive_key(request_id: str) -> str:
    request_id = check_name("request", request_id)
    return f"requests/{request_id}/delivery/dsr-{request_id}-archive.zip"


class _Entry:
    """Text into one ZIP entry, in 64 KiB chunks, hashing and counting the bytes."""

    def __init__(self, path: str, stream: IO[bytes]) -> None:
        self.path = path
        self._stream = stream
        self._buffer = bytearray()
        self._digest = hashlib.sha256()
        self._size = 0

    def write(self, text: str) -> int:
        self._buffer += text.encode()
        if len(self._buffer) >= _CHUNK:
            self.flush()
        return len(text)

    def flush(self) -> None:
        self._digest.update(self._buffer)
        self._size += len(self._buffer)
        self._stream.write(self._buffer)
        self._buffer.clear()

    def file(self, records: int | None = None) -> ManifestFile:
        return ManifestFile(self.path, self._digest.hexdigest(), self._size, records)


@contextmanager
def _entry(zf: zipfile.ZipFile, path: str, stamp: datetime) -> Iterator[_Entry]:
    # A fixed timestamp keeps a rebuilt archive byte-identical.
    info = zipfile.ZipInfo(path, date_time=stamp.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    with zf.open(info, "w", force_zip64=True) as stream:
        entry = _Entry(path, stream)
        yield entry
        entry.flush()


def build_archive(
    out: BinaryIO,
    request: ArchiveRequest,
    datasets: Sequence[DatasetRef],
    open_records: OpenRecords,
) -> ArchiveManifest:
    """Write the archive to `out`; `open_records` is called twice per dataset (JSON, CSV)."""
    _check_unique(datasets)
    stamp = request.completed_at
    files: list[ManifestFile] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path, render in (("README.html", cover_letter_html), ("README.txt", cover_letter_text)):
            with _entry(zf, path, stamp) as entry:
                entry.write(render(request, datasets))
            files.append(entry.file())
        for ref in datasets:
            files += _write_dataset(zf, ref, open_records, stamp)
        manifest = ArchiveManifest(
            request_id=request.request_id,
            kind=request.kind,
            created=request.completed_at,
            systems=tuple(c.name for c in request.connectors),
            files=tuple(files),
            records=sum(ref.records for ref in datasets),
        )
        # Written last: it lists the hashes of everything before it.
        with _entry(zf, "manifest.json", stamp) as entry:
            entry.write(manifest.to_json())
    return manifest


def _check_unique(datasets: Sequence[DatasetRef]) -> None:
    names = [
        (check_name("connector", d.connector), check_name("dataset", d.dataset)) for d in datasets
    ]
    if len(set(names)) != len(names):
        raise ValueError(
            "A dataset is listed twice for the archive; pass each staged dataset once."
        )


def _write_dataset(
    zf: zipfile.ZipFile, ref: DatasetRef, open_records: OpenRecords, stamp: datetime
) -> list[ManifestFile]:
    base = f"data/{ref.connector}/{ref.dataset}"
    with _entry(zf, f"{base}.json", stamp) as json_entry:
        count, columns = _write_json(json_entry, open_records(ref))
    with _entry(zf, f"{base}.csv", stamp) as csv_entry:
        csv_count = _write_csv(csv_entry, open_records(ref), columns)
    if not count == csv_count == ref.records:
        raise ValueError(
            f"Dataset {base} changed while the archive was built ({ref.records} records "
            f"staged, {count} read); build the archive again."
        )
    return [json_entry.file(count), csv_entry.file(count)]


def _write_json(entry: _Entry, records: Iterator[dict[str, Any]]) -> tuple[int, list[str]]:
    """A JSON array, one record per line; returns the count and the keys seen."""
    columns: dict[str, None] = {}
    count = 0
    entry.write("[")
    for record in records:
        entry.write(",\n" if count else "\n")
        entry.write(_RECORD_JSON.encode(record))
        columns.update(dict.fromkeys(record))
        count += 1
    entry.write("\n]\n" if count else "]\n")
    return count, list(columns)


def _write_csv(entry: _Entry, records: Iterator[dict[str, Any]], columns: list[str]) -> int:
    """A table with the union of keys as header; nested values as JSON text."""
    # The byte-order mark makes spreadsheet programs read the file as UTF-8.
    entry.write("\ufeff")
    writer = csv.writer(entry)
    writer.writerow(columns)
    count = 0
    for record in records:
        writer.writerow([_cell(record.get(column)) for column in columns])
        count += 1
    return count


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def build_archive_to_blob(
    blobs: BlobStore,
    keyring: Keyring,
    request: ArchiveRequest,
    datasets: Sequence[DatasetRef],
) -> ArchiveResult:
    """Build the archive from staged datasets in a temp file, then upload it for delivery."""
    key = archive_key(request.request_id)
    with tempfile.TemporaryDirectory(prefix="dsr-archive-") as tmp:
        path = Path(tmp) / "archive.zip"
        with path.open("wb") as out:
            manifest = build_archive(
                out, request, datasets, lambda ref: read_dataset(blobs, keyring, ref)
            )
        with path.open("rb") as written:
            sha256 = hashlib.file_digest(written, "sha256").hexdigest()
        size = path.stat().st_size
        blobs.put_file(key, path)
    return ArchiveResult(key, sha256, size, manifest.records, manifest.files)
