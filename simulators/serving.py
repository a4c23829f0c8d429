"""How the HTTP simulators are served: uvicorn on a loopback socket, in a thread of its own.

Tests start a simulator in a background thread (`with RipeSimulator(...) as sim:`); the stack
runs it in the foreground (`python -m simulators.<system>`, `serve()`), where uvicorn stops
on SIGINT or SIGTERM. The socket is bound when the simulator is made, so `port=0` gives a free
port that `url` names before the server starts. It names IPPROTO_TCP: asyncio sets TCP_NODELAY
on accepted connections only then, and without it every answer waits some 40 ms for a delayed
ACK. Uvicorn leaves logging to the process (log_config=None) and writes no access log: request
lines can carry search keys, which can be email addresses.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Self

import uvicorn
from starlette.types import ASGIApp


def free_port() -> int:
    """A TCP port nothing listens on right now, for a server that binds its own socket."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class HttpSimulator:
    """An ASGI app served by uvicorn; `start()` in a background thread, `serve()` in this one."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        name: str,
        host: str = "127.0.0.1",
        port: int = 0,
        certfile: Path | None = None,
        keyfile: Path | None = None,
        log_level: str = "warning",
    ) -> None:
        self.name = name
        self.host = host
        self._scheme = "https" if certfile else "http"
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_config=None,
            log_level=log_level,
            access_log=False,
            ssl_certfile=str(certfile) if certfile else None,
            ssl_keyfile=str(keyfile) if keyfile else None,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"{self._scheme}://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """Where a client points; the root unless a simulator says otherwise."""
        return self.base_url

    def start(self, timeout: float = 20.0) -> Self:
        """Serve in a background thread; returns once the server accepts connections."""
        self._thread = threading.Thread(target=self.serve, name=self.name, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"The {self.name} did not start on {self.base_url}.")
            time.sleep(0.01)
        return self

    def serve(self) -> None:
        """Serve in this thread until stopped (in the main thread: until SIGINT or SIGTERM)."""
        self._server.run(sockets=[self._socket])

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._socket.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
