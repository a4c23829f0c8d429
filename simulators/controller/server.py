"""Another controller that receives portability pushes, over HTTPS on a loopback port.

Run: `python -m simulators.controller --port 8110 --tls-dir .dsr/controller-tls`
"""

from __future__ import annotations

import argparse
from pathlib import Path

from simulators.controller.data import ControllerState
from simulators.controller.views import IMPORT_PATH, create_app
from simulators.serving import HttpSimulator
from simulators.tls import TlsFiles, write_tls_files


class ControllerSimulator(HttpSimulator):
    """The endpoint over TLS, with a test certificate of its own written to `tls_dir`."""

    def __init__(self, tls_dir: Path, port: int = 0) -> None:
        self.state = ControllerState()
        self.tls: TlsFiles = write_tls_files(tls_dir)
        super().__init__(
            create_app(self.state),
            name="receiving controller simulator",
            port=port,
            certfile=self.tls.server_cert,
            keyfile=self.tls.server_key,
        )

    @property
    def url(self) -> str:
        """The import endpoint, as `--push-to` names it."""
        return f"{self.base_url}{IMPORT_PATH}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8110)
    parser.add_argument("--tls-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    ControllerSimulator(args.tls_dir, args.port).serve()
