"""A faithful stand-in for an Openprovider-style registrar REST API
(docs/systems.md, "Registrar (Openprovider-style REST)").

The vendor's behaviour lives in the modules named after its roles: the state and its refusals
(`data`: customer deletion refused while any active domain uses the handle, names of an
existing handle that cannot change, WHOIS privacy only where the extension offers it), the
seed (`seed`), and the HTTP surface with the jobs and their signed webhooks (`views`). In
asynchronous mode an owner change or a customer deletion is accepted as pending with a job id,
finishes later, and is reported by a signed webhook.

Run: `python -m simulators.registrar --port 8103 --admin-db sqlite:///.dsr/administration.sqlite3`
(credentials, company handle and webhook secret from the options or the DSR_* variables).
"""

from __future__ import annotations

import argparse
import os

import structlog

from runtime.logging import configure_logging
from simulators.registrar.seed import seeded_state
from simulators.registrar.views import RegistrarOptions, create_app
from simulators.serving import HttpSimulator

log = structlog.get_logger(__name__)


class RegistrarSimulator(HttpSimulator):
    """The simulator on a loopback port, seeded from the administration at `admin_db_url`."""

    def __init__(
        self,
        admin_db_url: str,
        options: RegistrarOptions | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.options = options or RegistrarOptions()
        self.state = seeded_state(admin_db_url, self.options.company_handle)
        app = create_app(self.state, self.options)
        super().__init__(app, name="registrar simulator", host=host, port=port)


def main(argv: list[str] | None = None) -> None:
    """Serve the simulator in the foreground until interrupted."""
    env, defaults = os.environ.get, RegistrarOptions()
    parser = argparse.ArgumentParser(prog="python -m simulators.registrar", description=__doc__)
    add = parser.add_argument
    add("--host", default="127.0.0.1")
    add("--port", type=int, default=8103)
    add("--admin-db", required=True, help="SQLAlchemy URL of the administration to seed from")
    add("--username", default=env("DSR_REGISTRAR_USERNAME") or defaults.username)
    add("--password", default=env("DSR_REGISTRAR_PASSWORD") or defaults.password)
    add("--company-handle", default=env("DSR_REGISTRAR_COMPANY_HANDLE") or defaults.company_handle)
    add("--webhook-url", default=None, help="where the signed job webhooks are POSTed")
    add("--webhook-secret", default=env("DSR_WEBHOOK_SECRET", ""))
    add("--sync", action="store_true", help="apply every change at once (no pending jobs)")
    add("--complete-after", type=float, default=10.0, help="seconds until a job completes")
    add("--rate-limit", type=int, default=None, help="requests per window (default unlimited)")
    add("--rate-window", type=float, default=60.0, help="seconds")
    args = parser.parse_args(argv)
    configure_logging(env("DSR_LOG_LEVEL", "INFO"))
    options = RegistrarOptions(
        username=args.username, password=args.password, company_handle=args.company_handle,
        webhook_url=args.webhook_url, webhook_secret=args.webhook_secret,
        asynchronous=not args.sync, complete_after=args.complete_after,
        rate_limit=args.rate_limit, rate_window=args.rate_window,
    )  # fmt: skip
    simulator = RegistrarSimulator(args.admin_db, options, host=args.host, port=args.port)
    log.info("registrar_simulator_serving", port=args.port, asynchronous=options.asynchronous)
    simulator.serve()
