"""A domain registry over EPP (RFC 5730-5734) on a loopback port, for tests and the demo.

TLS with a required client certificate from a test CA made at start-up; frames of a 4-byte
big-endian total length and XML. Seeded from the administration database, so the demo's
customers have their contacts and domains here. Reproduces the refusal to delete a contact
still used by a domain (2305), pending deletions and reviewed contact updates confirmed
through the poll queue (1001 with pendingDelete/pendingUpdate, then 1301/panData), and a
command rate limit (2502, then the connection is closed).

    python -m simulators.epp --port 8700 --admin-db sqlite:///.dsr/administration.sqlite3 \\
        --cert-dir .dsr/epp [--pending-deletes] [--pending-updates] [--pending-delay 5] \\
        [--rate-limit 20]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import ssl
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import structlog

from connectors.billing.wire import create_admin_engine
from simulators.epp.data import Registry
from simulators.epp.seed import OTHER_REGISTRAR, seed_from_administration
from simulators.epp.views import CommandHandler, Session
from simulators.tls import TlsFiles, server_context, write_tls_files

log = structlog.get_logger(__name__)

DEFAULT_CLIENT_ID = "dsr-registrar"
DEFAULT_PASSWORD = "epp-sim-secret"
DEFAULT_COMPANY_CONTACT = "HST-COMPANY"
MAX_FRAME = 1 << 20  # far above any EPP message; caps what one client can make us buffer
_HEADER = struct.Struct(">I")


class FrameError(Exception):
    """A frame header that cannot be right; the connection is dropped."""


async def read_frame(reader: asyncio.StreamReader) -> bytes:
    """One EPP frame's XML; the length in the header counts the header itself (RFC 5734 §4)."""
    (total,) = _HEADER.unpack(await reader.readexactly(_HEADER.size))
    if not _HEADER.size < total <= MAX_FRAME:
        raise FrameError(total)
    return await reader.readexactly(total - _HEADER.size)


async def write_frame(writer: asyncio.StreamWriter, payload: bytes) -> None:
    writer.write(_HEADER.pack(len(payload) + _HEADER.size) + payload)
    await writer.drain()


class _RateLimit:
    """At most `limit` commands per second per registrar, across all its sessions."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        with self._lock:
            if self.limit is None:
                return True
            now = time.monotonic()
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - 1.0:
                seen.popleft()
            if len(seen) >= self.limit:
                return False
            seen.append(now)
            return True


class EppSimulator:
    """The registry server; `start()` runs it in a thread of its own, `serve()` in a loop."""

    def __init__(
        self,
        registry: Registry,
        cert_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        client_id: str = DEFAULT_CLIENT_ID,
        password: str = DEFAULT_PASSWORD,
        pending_deletes: bool = False,
        pending_updates: bool = False,
        pending_delay: float | None = None,
        rate_limit: int | None = None,
    ) -> None:
        self.registry = registry
        self.cert_dir = cert_dir
        self.host, self.port = host, port
        self.client_id, self.password = client_id, password
        self.pending_deletes, self.pending_updates = pending_deletes, pending_updates
        self.pending_delay = pending_delay
        self._rate = _RateLimit(rate_limit)
        accounts = {client_id: password, OTHER_REGISTRAR: os.urandom(16).hex()}
        self._handler = CommandHandler(
            registry,
            accounts,
            pending_deletes=lambda: self.pending_deletes,
            pending_updates=lambda: self.pending_updates,
            on_pending=self._schedule_resolution,
        )
        self._tls: TlsFiles | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._failure: BaseException | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @classmethod
    def from_admin_db(
        cls,
        admin_db_url: str,
        cert_dir: Path,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        company_contact: str = DEFAULT_COMPANY_CONTACT,
        **options: Any,
    ) -> EppSimulator:
        """A simulator holding the `epp-registry` domains of the administration at the URL."""
        engine = create_admin_engine(admin_db_url)
        try:
            registry = seed_from_administration(
                engine, client_id=client_id, company_contact=company_contact
            )
        finally:
            engine.dispose()
        return cls(registry, cert_dir, client_id=client_id, **options)

    @property
    def tls(self) -> TlsFiles:
        """The CA, server and client PEM files; written when the server starts."""
        if self._tls is None:
            raise RuntimeError("The EPP simulator has not started yet; call start() first.")
        return self._tls

    # --- test controls: the registry's side of things, which no EPP command reaches ---

    def resolve_pending(self, contact_id: str | None = None, *, approve: bool = True) -> list[str]:
        """Decide pending deletions and updates now and queue their poll messages; the ids."""
        return self.registry.resolve_pending(contact_id, approve=approve)

    def set_rate_limit(self, per_second: int | None) -> None:
        self._rate.limit = per_second

    def set_pending_deletes(self, enabled: bool, delay: float | None = None) -> None:
        """Review contact deletions (1001) and, with a delay, approve them by themselves."""
        self.pending_deletes, self.pending_delay = enabled, delay

    def set_pending_updates(self, enabled: bool, delay: float | None = None) -> None:
        """Review changes of contact data (1001, pendingUpdate); the delay as for deletions."""
        self.pending_updates, self.pending_delay = enabled, delay

    # --- running ---

    async def serve(self, started: Callable[[], None] = lambda: None) -> None:
        """Listen until `stop()`; calls `started` once the port is bound."""
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        self._tls = write_tls_files(self.cert_dir)
        server = await asyncio.start_server(
            self._session, self.host, self.port, ssl=server_context(self._tls)
        )
        self.port = server.sockets[0].getsockname()[1]
        log.info("epp_simulator_listening", host=self.host, port=self.port)
        started()
        async with server:
            await self._stopping.wait()
            for writer in list(self._writers):
                writer.close()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="epp-simulator", daemon=True)
        self._thread.start()
        self._started.wait(timeout=10)
        if self._failure is not None:
            raise RuntimeError("The EPP simulator failed to start.") from self._failure
        if not self._started.is_set():
            raise RuntimeError("The EPP simulator did not start within 10 s.")

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> EppSimulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self.serve(self._started.set))
        except BaseException as failure:  # handed to start(), which raises it in the caller
            self._failure = failure
            self._started.set()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        session = Session()
        try:
            await write_frame(writer, self._handler.greeting())
            while not session.closing:
                payload = await read_frame(reader)
                # Before login a connection counts on its own; after, on its registrar's account.
                allowed = self._rate.allow(session.client or f"connection-{id(session)}")
                await write_frame(
                    writer, self._handler.handle(session, payload, limited=not allowed)
                )
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client hung up, with or without <logout>
        except (ssl.SSLError, FrameError) as error:
            log.info("epp_session_dropped", error=type(error).__name__)
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await writer.wait_closed()

    def _schedule_resolution(self, contact_id: str) -> None:
        """Runs on the server's loop: approve a pending action after the configured delay."""
        if self.pending_delay is not None and self._loop is not None:
            self._loop.call_later(self.pending_delay, self.registry.resolve_pending, contact_id)


def main(argv: list[str] | None = None) -> None:
    """Run the simulator until interrupted."""
    from runtime.logging import configure_logging

    parser = argparse.ArgumentParser(prog="python -m simulators.epp", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--admin-db", required=True, help="SQLAlchemy URL to seed from")
    parser.add_argument("--cert-dir", type=Path, required=True, help="where to write the PEMs")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument(
        "--password", default=os.environ.get("DSR_EPP_PASSWORD") or DEFAULT_PASSWORD
    )
    parser.add_argument("--company-contact", default=DEFAULT_COMPANY_CONTACT)
    parser.add_argument("--pending-deletes", action="store_true", help="answer 1001 to deletes")
    parser.add_argument(
        "--pending-updates", action="store_true", help="answer 1001 to contact data updates"
    )
    parser.add_argument(
        "--pending-delay", type=float, help="seconds until a pending delete is approved"
    )
    parser.add_argument("--rate-limit", type=int, help="commands per second per registrar")
    args = parser.parse_args(argv)
    configure_logging(os.environ.get("DSR_LOG_LEVEL", "INFO"))
    simulator = EppSimulator.from_admin_db(
        args.admin_db, args.cert_dir, client_id=args.client_id,
        company_contact=args.company_contact, host=args.host, port=args.port,
        password=args.password, pending_deletes=args.pending_deletes,
        pending_updates=args.pending_updates, pending_delay=args.pending_delay,
        rate_limit=args.rate_limit,
    )  # fmt: skip
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(simulator.serve())
