"""A faithful stand-in for an Openprovider-style registrar REST API (PROTOCOLS.md).

The vendor's behaviour lives in the modules named after its nouns: the state and its refusals
(`registrar_data`: customer deletion refused while any active domain uses the handle, names of
an existing handle that cannot change, WHOIS privacy only where the extension offers it), the
seed (`registrar_seed`), the HTTP surface (`registrar_views`) and the jobs with their signed
webhooks (`registrar_runtime`). In asynchronous mode an owner change or a customer deletion is
accepted as pending with a job id, finishes later, and is reported by a signed webhook.

Run: `python -m simulators.registrar --port 8103 --admin-db sqlite:///.dsr/administration.sqlite3`
(credentials, company handle and webhook secret from the options or the DSR_* variables).
"""

from __future__ import annotations

import argparse
import os
import socket
import threading
import time
from types import TracebackType

import structlog
import uvicorn

from runtime.logging import configure_logging
from simulators.registrar_runtime import RegistrarOptions
from simulators.registrar_seed import seeded_state
from simulators.registrar_views import create_app

__all__ = ["RegistrarOptions", "RegistrarSimulator", "create_app", "main"]

log = structlog.get_logger(__name__)


class RegistrarSimulator:
    """The simulator on a loopback port, served by uvicorn in a background thread."""

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
        self.host, self.port = host, port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> RegistrarSimulator:
        # An explicit IPPROTO_TCP: asyncio sets TCP_NODELAY only then (else ~40 ms per reply).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        app = create_app(self.state, self.options)
        self._server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"The registrar simulator did not start on {self.url}.")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> RegistrarSimulator:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


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
    app = create_app(seeded_state(args.admin_db, options.company_handle), options)
    log.info("registrar_simulator_serving", port=args.port, asynchronous=options.asynchronous)
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
