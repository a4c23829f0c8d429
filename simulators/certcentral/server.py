"""A CertCentral-style CA (DigiCert Services API v2) on a loopback port, for tests and the demo.

Reproduces what the connector relies on: the `X-DC-DEVKEY` header, orders and organisations,
revocation that waits for an administrator unless `skip_approval`, the refusal to delete an
organisation that active orders use, contact updates at organisation and order level (DV orders
have no organisation contact), and the rolling rate limits answered with 429
`request_limit_exceeded` and a Retry-After header. The state lives in `data`, its seed in
`seed`, the routes in `views` and the JSON shapes in `wire`. Test controls live under `/_sim/`,
outside the vendor's paths, with no key and no limit.
The CA as dsr meets it: docs/systems.md, "Certificate authority (CertCentral-style)".

    python -m simulators.certcentral --port 8104 --admin-db sqlite:///.dsr/administration.sqlite3
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from typing import Any

import structlog

from connectors.billing.wire import create_admin_engine
from simulators.certcentral.data import CertCentralState
from simulators.certcentral.seed import seed_from_administration
from simulators.certcentral.views import DEFAULT_API_KEY, DEFAULT_RATE_LIMITS, create_app
from simulators.serving import HttpSimulator

log = structlog.get_logger(__name__)


class CertCentralSimulator(HttpSimulator):
    """The Services API v2 over `state`, with its key and rate limits."""

    def __init__(
        self,
        state: CertCentralState,
        *,
        api_key: str = DEFAULT_API_KEY,
        rate_limits: Sequence[tuple[int, float]] = DEFAULT_RATE_LIMITS,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.state, self.api_key = state, api_key
        app = create_app(state, api_key, rate_limits)
        super().__init__(app, name="CertCentral simulator", host=host, port=port)

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

    def approve(self, request_id: int) -> None:
        self.state.decide(request_id, approve=True)

    def reject(self, request_id: int) -> None:
        self.state.decide(request_id, approve=False, comment="Rejected by the administrator.")


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
