"""Shared fixtures: each real server the tests need lives in its own module under fixtures/.

Tests that need a server process — Temporal, PostgreSQL, S3 (moto), Mailman, SMTP, a
simulator, the whole stack — are marked `server` from the fixtures they use; `make
test-fast` runs the others. In that tier a test that starts a server or a process anyway
fails with a sentence saying so, so the split cannot quietly go wrong.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

pytest_plugins = [
    "tests.fixtures.postgres",
    "tests.fixtures.moto",
    "tests.fixtures.mailman",
    "tests.fixtures.administration",
    "tests.fixtures.temporal",
    "tests.fixtures.ripe",
    "tests.fixtures.arin",
    "tests.fixtures.epp",
    "tests.fixtures.registrar",
    "tests.fixtures.certcentral",
]

# Fixtures that start a server (directly or through the fixtures they use).
SERVER_FIXTURES = {
    "time_skipping_env", "dev_server_env", "postgres_url", "moto_server", "mailman_server",
    "ripe_simulator", "arin_simulator", "epp_simulator", "registrar_sim", "certcentral_factory",
    "registrar_webhook_receiver", "stack", "controller", "inbox", "tls_inbox",
}  # fmt: skip
# Parameters of fixtures that choose a backend and reach its server through getfixturevalue.
SERVER_PARAMS = {"postgresql", "s3"}
FAST = os.environ.get("DSR_TEST_TIER") == "fast"


def needs_a_server(item: pytest.Item) -> bool:
    if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    callspec = getattr(item, "callspec", None)
    return callspec is not None and bool(SERVER_PARAMS & set(map(str, callspec.params.values())))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("e2e") or needs_a_server(item):
            item.add_marker(pytest.mark.server)


@pytest.fixture(autouse=True)
def _fast_tier_starts_no_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In the fast tier, listening on a socket or starting a process fails the test."""
    if not FAST:
        yield
        return

    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError(
            "This test starts a server or a process: add the fixture that does it to "
            "SERVER_FIXTURES in tests/conftest.py, so it runs only in `make test`."
        )

    monkeypatch.setattr(socket.socket, "listen", refuse)
    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
    yield
