"""Where staged data and archives live: a local directory by default, S3 in production."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, Protocol, cast
from urllib.parse import urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

_READ_BUFFER = 1 << 16
_DELETE_BATCH = 1000  # the most keys one S3 DeleteObjects call accepts


class BlobNotFound(LookupError):
    """No blob is stored under the key."""


class InvalidBlobKey(ValueError):
    """A key is not a plain relative path, so it could escape the store."""


class BlobStore(Protocol):
    """Bytes under '/'-separated keys; writes replace, so retried activities stay exact."""

    def put_file(self, key: str, path: Path) -> None: ...

    def put_bytes(self, key: str, data: bytes) -> None: ...

    def open_read(self, key: str) -> AbstractContextManager[BinaryIO]:
        """Stream a blob; the whole blob is never held in memory."""
        ...

    def get_bytes(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def list_keys(self, prefix: str) -> list[str]: ...

    def delete_prefix(self, prefix: str) -> int:
        """Delete every blob whose key starts with `prefix`; return how many."""
        ...

    def link(self, key: str, expires_in: int) -> str | None:
        """A URL that downloads the blob until it expires, or None if the API must serve it."""
        ...


def check_key(key: str) -> str:
    """Return `key` if it is 'a/b/c' with no empty, '.'-prefixed or absolute parts."""
    parts = key.split("/")
    if key.startswith("/") or "\\" in key or any(not p or p.startswith(".") for p in parts):
        raise InvalidBlobKey(
            f"Blob key {key!r} is not allowed; use relative 'a/b/c' parts without leading dots."
        )
    return key


def _check_prefix(prefix: str) -> str:
    """A prefix is a key, a key with a trailing '/', or '' for everything."""
    stripped = prefix.rstrip("/")
    if stripped:
        check_key(stripped)
    return prefix


class LocalBlobStore:
    """Blobs as files under `root`; temp file + os.replace makes every write atomic."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    @contextmanager
    def _atomic(self, key: str) -> Iterator[BinaryIO]:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # A hidden name in the same directory: never listed, and os.replace stays atomic.
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                yield out
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def put_file(self, key: str, path: Path) -> None:
        with self._atomic(key) as out, path.open("rb") as src:
            shutil.copyfileobj(src, out, _READ_BUFFER)

    def put_bytes(self, key: str, data: bytes) -> None:
        with self._atomic(key) as out:
            out.write(data)

    def open_read(self, key: str) -> AbstractContextManager[BinaryIO]:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(f"No blob is stored under {key!r}.") from None

    def get_bytes(self, key: str) -> bytes:
        with self.open_read(key) as src:
            return src.read()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list_keys(self, prefix: str) -> list[str]:
        head = _check_prefix(prefix).rpartition("/")[0]
        base = self.root / head if head else self.root
        if not base.is_dir():
            return []
        keys = (
            p.relative_to(self.root).as_posix()
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        )
        return sorted(k for k in keys if k.startswith(prefix))

    def delete_prefix(self, prefix: str) -> int:
        keys = self.list_keys(prefix)
        for key in keys:
            self._path(key).unlink(missing_ok=True)
        self._prune_empty_dirs({self._path(k).parent for k in keys})
        return len(keys)

    def _prune_empty_dirs(self, dirs: set[Path]) -> None:
        for directory in sorted(dirs, key=lambda d: len(d.parts), reverse=True):
            while directory != self.root and directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()
                directory = directory.parent

    def link(self, key: str, expires_in: int) -> str | None:
        return None


class _BodyReader(io.RawIOBase):
    """Adapts botocore's StreamingBody to a raw stream, so it can be buffered as BinaryIO."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._body.read(len(buffer))
        memoryview(buffer).cast("B")[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()


def _is_missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}


class S3BlobStore:
    """Blobs as objects under `prefix` in one S3 bucket."""

    def __init__(self, bucket: str, prefix: str, client: S3Client) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client

    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _name_prefix(self, prefix: str) -> str:
        _check_prefix(prefix)
        return f"{self.prefix}/{prefix}" if self.prefix else prefix

    def put_file(self, key: str, path: Path) -> None:
        # upload_file switches to a multipart upload for large files.
        self.client.upload_file(str(path), self.bucket, self._name(key))

    def put_bytes(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data)

    @contextmanager
    def _stream(self, key: str) -> Iterator[BinaryIO]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if _is_missing(error):
                raise BlobNotFound(f"No blob is stored under {key!r}.") from None
            raise
        with io.BufferedReader(_BodyReader(response["Body"]), _READ_BUFFER) as reader:
            yield cast(BinaryIO, reader)

    def open_read(self, key: str) -> AbstractContextManager[BinaryIO]:
        return self._stream(key)

    def get_bytes(self, key: str) -> bytes:
        with self.open_read(key) as src:
            return src.read()

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if _is_missing(error):
                return False
            raise
        return True

    def list_keys(self, prefix: str) -> list[str]:
        skip = len(self.prefix) + 1 if self.prefix else 0
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._name_prefix(prefix)
        )
        return sorted(obj["Key"][skip:] for page in pages for obj in page.get("Contents", []))

    def delete_prefix(self, prefix: str) -> int:
        keys = self.list_keys(prefix)
        for start in range(0, len(keys), _DELETE_BATCH):
            batch: list[ObjectIdentifierTypeDef] = [
                {"Key": self._name(k)} for k in keys[start : start + _DELETE_BATCH]
            ]
            result = self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
            )
            if result.get("Errors"):
                raise OSError(f"S3 refused to delete {len(result['Errors'])} blobs; retry later.")
        return len(keys)

    def link(self, key: str, expires_in: int) -> str | None:
        return self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self._name(key)},
            ExpiresIn=expires_in,
        )


def blob_store_from_url(
    url: str, *, endpoint_url: str | None = None, region: str = "eu-west-1"
) -> BlobStore:
    """Open `file:<dir>` or `s3://bucket/prefix` (DSR_BLOB_URL)."""
    if url.startswith("file:"):
        # file:///abs/dir and file:relative/dir both name a directory.
        path = url.removeprefix("file:").removeprefix("//")
        if not path:
            raise ValueError("The blob URL file: names no directory; use file:<dir>.")
        return LocalBlobStore(Path(path))
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(
            f"Unsupported blob URL scheme {parsed.scheme!r}; use file:<dir> or s3://bucket/prefix."
        )
    # Path-style addressing: S3-compatible endpoints (moto, MinIO) rarely resolve bucket hosts.
    style: Literal["path", "auto"] = "path" if endpoint_url else "auto"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=region,
        config=Config(signature_version="s3v4", s3={"addressing_style": style}),
    )
    return S3BlobStore(parsed.netloc, parsed.path, client)
