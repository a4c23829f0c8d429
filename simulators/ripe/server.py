"""A faithful local RIPE Database REST API (docs/systems.md, "RIPE Database").

The store and its rules are in `data`, the handlers in `views`, the checks of a modify in
`updates`, the whois-resources JSON and XML in `wire`, and the seed in `seed`.

Run: `python -m simulators.ripe --port 8101 --admin-db sqlite:///.dsr/administration.sqlite3
--api-key KEY_ID:SECRET [--daily-limit 1000] [--company-role HST1-RIPE]`.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import create_engine

from simulators.ripe.data import Clock, Company, QueryLimit, RipeDatabase, RpslObject, SimState
from simulators.ripe.seed import seed_from_administration
from simulators.ripe.views import create_app
from simulators.serving import HttpSimulator


class RipeSimulator(HttpSimulator):
    """The REST API over `db`, with the API keys that open the company's maintainer."""

    def __init__(
        self,
        db: RipeDatabase,
        *,
        api_keys: Mapping[str, str] | None = None,
        company: Company | None = None,
        daily_limit: int = 1000,
        now: datetime | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
    ) -> None:
        limit = QueryLimit(daily_limit, Clock(now))
        self.state = SimState(db, company or Company(), dict(api_keys or {}), limit)
        super().__init__(create_app(self.state), name="RIPE simulator", host=host, port=port or 0)

    @classmethod
    def from_admin_db(cls, url: str, *, source: str = "RIPE", **options: Any) -> RipeSimulator:
        """Seeded from the administration database at `url`."""
        engine = create_engine(url)
        try:
            db = seed_from_administration(engine, source=source, company=options.get("company"))
        finally:
            engine.dispose()
        return cls(db, **options)

    def set_daily_limit(self, limit: int) -> None:
        self.state.limit.daily_limit = limit

    def set_clock(self, moment: datetime) -> None:
        self.state.limit.clock.set(moment)

    def object(self, object_type: str, key: str) -> RpslObject | None:
        """The stored object, read without touching the query limit (for assertions)."""
        return self.state.db.get(object_type, key)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="RIPE Database REST API simulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--admin-db", required=True, help="SQLAlchemy URL of the administration")
    parser.add_argument("--source", default="RIPE")
    parser.add_argument("--company-role", default=Company.role)
    parser.add_argument("--maintainer", default=Company.maintainer)
    parser.add_argument(
        "--api-key", action="append", default=[], metavar="KEY_ID:SECRET", help="repeatable"
    )
    parser.add_argument("--daily-limit", type=int, default=1000)
    args = parser.parse_args(argv)
    keys = dict(key.partition(":")[::2] for key in args.api_key)
    company = Company(role=args.company_role, maintainer=args.maintainer)
    engine = create_engine(args.admin_db)
    try:
        db = seed_from_administration(engine, source=args.source, company=company)
    finally:
        engine.dispose()
    # No access log (simulators.serving): request lines carry search keys, which can be emails.
    simulator = RipeSimulator(
        db, api_keys=keys, company=company, daily_limit=args.daily_limit,
        host=args.host, port=args.port,
    )  # fmt: skip
    simulator.serve()
