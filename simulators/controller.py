"""Another controller's import endpoint, for the portability push (Art. 20(2)).

No standard protocol exists for controller-to-controller transmission, so dsr defines a small
one (docs/decisions/0008-rights-beyond-access-and-erasure.md) and this simulator is its
receiving side:

- `POST /dsr/v1/imports` over HTTPS, body the archive (`application/zip`), headers
  `Content-Digest: sha-256=:<base64>:` (RFC 9530) and `Idempotency-Key: <request id>`.
- 201 `{"receipt": "...", "sha256": "<hex>", "received_at": "..."}` for a new archive;
  200 with the same receipt when the same key arrives again with the same digest.
- Refusals: 400 when the digest does not match the body, 409 when a key is reused for
  another body, 413 over the size limit, 415 when the body is not a ZIP, 429 with
  Retry-After when rate limited (`/_sim/config`).

Run: `python -m simulators.controller --port 8110 --tls-dir .dsr/controller-tls`
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from simulators.epp_tls import TlsFiles, write_tls_files

IMPORT_PATH = "/dsr/v1/imports"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class Received:
    receipt: str
    sha256: str
    size: int
    received_at: str
    body: bytes = field(repr=False)


@dataclass
class ControllerState:
    max_bytes: int = 50 * 1024 * 1024
    rate_limited: int = 0  # answer 429 to this many requests, then accept again
    by_key: dict[str, Received] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def create_app(state: ControllerState) -> FastAPI:
    app = FastAPI(title="Receiving controller (simulator)")

    @app.post(IMPORT_PATH)
    async def receive(request: Request) -> JSONResponse:
        with state.lock:
            if state.rate_limited > 0:
                state.rate_limited -= 1
                return _error(429, "Too many imports; try again later.", {"Retry-After": "1"})
        key = request.headers.get("idempotency-key", "").strip()
        if not key:
            return _error(400, "Idempotency-Key is required.")
        body = await request.body()
        if len(body) > state.max_bytes:
            return _error(413, "The archive is larger than this endpoint accepts.")
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/zip":
            return _error(415, "Send the archive as application/zip.")
        if not body.startswith(_ZIP_MAGIC):
            return _error(415, "The body is not a ZIP archive.")
        digest = hashlib.sha256(body).digest()
        expected = f"sha-256=:{base64.b64encode(digest).decode()}:"
        if request.headers.get("content-digest", "").strip() != expected:
            return _error(400, "Content-Digest does not match the body.")
        with state.lock:
            earlier = state.by_key.get(key)
            if earlier is not None:
                if earlier.sha256 != digest.hex():
                    return _error(409, "This Idempotency-Key was used for another archive.")
                return JSONResponse(_receipt(earlier), status_code=200)
            received = Received(
                receipt=f"imp-{secrets.token_hex(8)}",
                sha256=digest.hex(),
                size=len(body),
                received_at=datetime.now(UTC).isoformat(),
                body=body,
            )
            state.by_key[key] = received
        return JSONResponse(_receipt(received), status_code=201)

    @app.post("/_sim/config")
    async def configure(request: Request) -> dict[str, Any]:
        changes = await request.json()
        with state.lock:
            state.rate_limited = int(changes.get("rate_limited", state.rate_limited))
            state.max_bytes = int(changes.get("max_bytes", state.max_bytes))
        return {"rate_limited": state.rate_limited, "max_bytes": state.max_bytes}

    @app.get("/_sim/imports")
    async def imports() -> list[dict[str, Any]]:
        with state.lock:
            return [{"key": key, **_receipt(r), "size": r.size} for key, r in state.by_key.items()]

    return app


def _receipt(received: Received) -> dict[str, Any]:
    return {
        "receipt": received.receipt,
        "sha256": received.sha256,
        "received_at": received.received_at,
    }


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


class ControllerSimulator:
    """The endpoint on a loopback port over TLS, served by uvicorn in a background thread."""

    def __init__(self, tls_dir: Path, port: int = 0) -> None:
        self.state = ControllerState()
        self.tls: TlsFiles = write_tls_files(tls_dir)
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._port}{IMPORT_PATH}"

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self._port}"

    def config(self) -> uvicorn.Config:
        """The HTTPS server for the endpoint, with the simulator's own test certificate."""
        return uvicorn.Config(
            create_app(self.state),
            host="127.0.0.1",
            port=self._port,
            log_config=None,
            access_log=False,
            ssl_certfile=str(self.tls.server_cert),
            ssl_keyfile=str(self.tls.server_key),
        )

    def start(self) -> ControllerSimulator:
        config = self.config()
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("The receiving controller simulator did not start.")
            time.sleep(0.02)
        if not self._port:
            self._port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> ControllerSimulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8110)
    parser.add_argument("--tls-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    simulator = ControllerSimulator(args.tls_dir, args.port)
    uvicorn.Server(simulator.config()).run()


if __name__ == "__main__":
    main()
