"""`python -m api`: serve the agent API with uvicorn on DSR_API_HOST:DSR_API_PORT."""

from __future__ import annotations

import structlog
import uvicorn

from api.app import create_app
from api.auth import TokenConfigError
from runtime.logging import configure_logging
from runtime.settings import get_settings

log = structlog.get_logger()


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    try:
        app = create_app(settings)
    except TokenConfigError as err:
        raise SystemExit(f"error: {err}") from None
    log.info("api_starting", host=settings.api_host, port=settings.api_port)
    # No uvicorn access log: download URLs carry their credential in the path.
    uvicorn.run(
        app,
        host=settings.api_host,
        port=settings.api_port,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
