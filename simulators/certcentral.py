"""A CertCentral-style CA (DigiCert Services API v2) on a loopback port, for tests and the demo.

Reproduces what the connector relies on (PROTOCOLS.md, SSL certificate authorities): the
`X-DC-DEVKEY` header, orders and organisations, revocation that waits for an administrator
unless `skip_approval`, the refusal to delete an organisation that active orders use, contact
updates at organisation and order level (DV orders have no organisation contact), and the
rolling rate limits answered with 429 `request_limit_exceeded` and a Retry-After header. The
state lives in `certcentral_data`, its seed in `certcentral_seed`, the routes in
`certcentral_routes` and the JSON shapes in `certcentral_views`. Test controls live under
`/_sim/`, outside the vendor's paths, with no key and no limit.

    python -m simulators.certcentral --port 8104 --admin-db sqlite:///.dsr/administration.sqlite3
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from collections.abc import Sequence
from datetime import date
from typing import Any

import structlog
import uvicorn

from connectors.billing.wire import create_admin_engine
from simulators.certcentral_data import CertCentralState
from simulators.certcentral_routes import DEFAULT_API_KEY, DEFAULT_RATE_LIMITS, create_app
from simulators.certcentral_seed import seed_from_administration

__all__ = ["DEFAULT_API_KEY", "DEFAULT_RATE_LIMITS", "CertCentralSimulator", "create_app", "main"]

log = structlog.get_logger(__name__)


class CertCentralSimulator:
    """The API served by uvicorn in a background thread with its own event loop."""

    def __init__(
        self,
        state: CertCentralState,
        *,
        api_key: str = DEFAULT_API_KEY,
        rate_limits: Sequence[tuple[int, float]] = DEFAULT_RATE_LIMITS,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.state, self.api_key, self.host, self.port = state, api_key, host, port
        config = uvicorn.Config(
            create_app(state, api_key, rate_limits), log_level="warning", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        # Bound now, so `port=0` gives a free port that `url` can name before starting. asyncio
        # sets TCP_NODELAY on accepted connections only when the listener names IPPROTO_TCP;
        # without it every answer waits some 40 ms for a delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.port = self._socket.getsockname()[1]

    @classmethod
    def from_admin_db(
        cls,
        admin_db_url: str,
        *,
        today: date | None = None,
        auto_approve_after: float | None = None,
        **options: Any,
    ) -> CertCentralSimulator:
        """Seeded from the administration database at `admin_db_url`."""
        engine = create_admin_engine(admin_db_url)
        try:
            state = seed_from_administration(
                engine, today=today or date.today(), auto_approve_after=auto_approve_after
            )
        finally:
            engine.dispose()
        return cls(state, **options)

    @property
    def url(self) -> str:
        """The root the connector's `certcentral_url` names; the API lives under /services/v2."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        """Serve in a background thread; returns once the port answers."""
        self._thread = threading.Thread(
            target=self.serve, name="certcentral-simulator", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"The CertCentral simulator did not start on port {self.port}.")
            time.sleep(0.01)

    def serve(self) -> None:
        """Serve in this thread until stopped."""
        self._server.run(sockets=[self._socket])

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._socket.close()

    def approve(self, request_id: int) -> None:
        self.state.decide(request_id, approve=True)

    def reject(self, request_id: int) -> None:
        self.state.decide(request_id, approve=False, comment="Rejected by the administrator.")

    def __enter__(self) -> CertCentralSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _rate_limit(text: str) -> tuple[int, float]:
    """`100/5` means 100 requests per 5 seconds."""
    count, _, seconds = text.partition("/")
    return int(count), float(seconds)


def main(argv: Sequence[str] | None = None) -> None:
    from runtime.logging import configure_logging

    parser = argparse.ArgumentParser(prog="python -m simulators.certcentral", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8104)
    parser.add_argument("--admin-db", required=True, help="SQLAlchemy URL of the administration")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="the X-DC-DEVKEY to accept")
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    parser.add_argument(
        "--auto-approve-after", type=float, default=None, metavar="SECONDS",
        help="approve revoke requests after this delay (default: wait for /_sim/approve)",
    )  # fmt: skip
    parser.add_argument(
        "--rate-limit", type=_rate_limit, action="append", metavar="N/SECONDS",
        help="replace the default limits 100/5 and 1000/180 (repeatable)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    configure_logging()
    sim = CertCentralSimulator.from_admin_db(
        args.admin_db,
        today=args.today,
        auto_approve_after=args.auto_approve_after,
        api_key=args.api_key,
        rate_limits=tuple(args.rate_limit or DEFAULT_RATE_LIMITS),
        host=args.host,
        port=args.port,
    )
    log.info("certcentral_simulator_starting", port=sim.port, orders=len(sim.state.orders))
    sim.serve()


if __name__ == "__main__":
    main()
