"""Small HTTP helpers shared by the REST connectors."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def retry_after_seconds(header: str | None, default: float) -> float:
    """Seconds from a Retry-After header (seconds or an HTTP date); `default` if unreadable."""
    if not header:
        return default
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        return default
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
