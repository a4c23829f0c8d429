"""structlog JSON logs with `request_id` bound, and a redaction net for personal data."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

# Keys whose values are personal data by name; the plan is never to log them at all.
_PII_KEYS = frozenset(
    {"email", "name", "phone", "address", "street", "postcode", "display_name", "card_holder"}
)
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """Replace anything shaped like an email address."""
    return _EMAIL.sub(REDACTED, text)


def redact_pii(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: blank PII-named keys and email-shaped text, nested values too."""
    for key, value in list(event.items()):
        event[key] = _redact_value(key, value)
    return event


def _redact_value(key: object, value: Any) -> Any:
    if isinstance(key, str) and _is_pii_key(key):
        return REDACTED
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(k, v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_redact_value(None, v) for v in value]
    return value


def _is_pii_key(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in _PII_KEYS)


def configure_logging(level: str = "INFO", *, stream: Any = None) -> None:
    """JSON lines on stderr; call once per process."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact_pii,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        logger_factory=structlog.PrintLoggerFactory(stream or sys.stderr),
        cache_logger_on_first_use=True,
    )
    # The Temporal SDK logs through stdlib logging; route it through the same redaction.
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_RedactingFormatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
