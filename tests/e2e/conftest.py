"""The whole embedded stack on free ports: real dev server, worker, API, Mailman, seeded DB."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from stack import Stack, StackPorts

BIN = Path(sys.executable).parent
TODAY = date.today()


@dataclass
class Cli:
    """Runs the `dsr` command exactly as an agent would, against the test stack."""

    stack: Stack

    def __call__(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "dsr"), *args],
            env={**self.stack.child_env(), "DSR_AGENT": "e2e-agent", "COLUMNS": "200"},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def ok(self, *args: str) -> str:
        done = self(*args)
        assert done.returncode == 0, done.stderr + done.stdout
        return done.stdout

    def temporal(self, *args: str) -> str:
        done = subprocess.run(
            [str(BIN / "temporal"), *args, "--address", f"127.0.0.1:{self.stack.ports.temporal}"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with Stack(tmp_path_factory.mktemp("stack"), ports=StackPorts.free(), today=TODAY) as s:
        yield s


@pytest.fixture(scope="package")
def cli(stack: Stack) -> Cli:
    return Cli(stack)


def request_id_from(submit_output: str) -> str:
    return submit_output.split("Request ", 1)[1].split(" ", 1)[0]


def open_archive(stack: Stack, request_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every dataset in the request's archive, keyed 'system/dataset'."""
    path = stack.home / "blobs" / "requests" / request_id / "delivery"
    archive = next(path.glob("*.zip"))
    datasets: dict[str, list[dict[str, Any]]] = {}
    with zipfile.ZipFile(archive) as zf:
        for name in zf.namelist():
            if name.startswith("data/") and name.endswith(".json"):
                key = name.removeprefix("data/").removesuffix(".json")
                datasets[key] = json.loads(zf.read(name))
    return datasets


def archive_bytes(stack: Stack, request_id: str) -> bytes:
    """All entries of the archive, uncompressed, for searching."""
    path = stack.home / "blobs" / "requests" / request_id / "delivery"
    with zipfile.ZipFile(next(path.glob("*.zip"))) as zf:
        return b"\n".join(zf.read(n) for n in zf.namelist())
