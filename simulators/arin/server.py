"""A faithful local ARIN Reg-RWS (docs/systems.md, "ARIN"): XML over HTTP on loopback.

    python -m simulators.arin --port 8102 --admin-db sqlite:///.dsr/administration.sqlite3

The routes are in `views`, the payloads in `wire`, the registry and its rules in `data`, and
its seed in `seed`.
"""

from __future__ import annotations

import argparse
import logging

from connectors.billing.wire import create_admin_engine
from simulators.arin.data import RateLimit, Registry
from simulators.arin.seed import seed_from_administration
from simulators.arin.views import ArinApp
from simulators.serving import HttpSimulator

log = logging.getLogger("simulators.arin")

DEFAULT_API_KEY = "API-SIMULATOR-KEY"


class ArinSimulator(HttpSimulator):
    """Reg-RWS over one registry, seeded from the administration at `admin_db_url` if given."""

    def __init__(
        self,
        admin_db_url: str | None = None,
        *,
        port: int = 0,
        api_key: str = DEFAULT_API_KEY,
        company_poc: str = "HOSTI-ARIN",
        ticket_delay: float = 5.0,
        rate_limit: int | None = None,
        rate_window: float = 60.0,
    ) -> None:
        limit = RateLimit(limit=rate_limit, window=rate_window)
        self.registry = Registry(company_poc, ticket_delay, limit)
        if admin_db_url:
            engine = create_admin_engine(admin_db_url)
            try:
                seed_from_administration(engine, self.registry)
            finally:
                engine.dispose()
        self.api_key = api_key
        self.http = ArinApp(self.registry, api_key)
        super().__init__(self.http.app, name="ARIN simulator", port=port)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="ARIN Reg-RWS simulator")
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--admin-db", dest="admin_db_url", required=True, help="SQLAlchemy URL")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--company-poc", default="HOSTI-ARIN")
    parser.add_argument("--ticket-delay", type=float, default=5.0, help="seconds per report")
    parser.add_argument("--rate-limit", type=int, default=None, help="requests per window")
    parser.add_argument("--rate-window", type=float, default=60.0, help="seconds")
    simulator = ArinSimulator(**vars(parser.parse_args(argv)))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    log.info("arin_simulator_listening port=%s", simulator.port)
    simulator.serve()
