"""RIPE's REST answers as connector errors, and the paths of objects (RIPE Database REST)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from connectors.errors import (
    AuthenticationFailed,
    ConnectorError,
    RateLimited,
    SystemRefused,
    SystemUnavailable,
)
from connectors.errors import refused as refused_as
from connectors.ripe.wire import ACCESS_DENIED, RipeObject, parse_messages

AUTH_REFUSED = (
    "RIPE refused the API key for an update; check DSR_RIPE_KEY_ID and DSR_RIPE_KEY_SECRET "
    "(the key must belong to the maintainer of the company's objects)."
)


def raise_for_status(response: httpx.Response, what: str) -> None:
    """Map refusals onto connector errors; 2xx, 400 (the caller reads it) and 404 pass."""
    status = response.status_code
    if response.is_success or status in (400, 404):
        return
    messages = parse_messages(json_of(response))
    # RIPE's query limit answers 429 (formerly 403) with ERROR:201: branch on the text too.
    if status == 429 or any(m.text.startswith(ACCESS_DENIED) for m in messages):
        raise RateLimited(
            f"The RIPE Database's daily query limit was reached during the {what}; "
            "retrying when it resets.",
            retry_after(response.headers.get("retry-after")),
        )
    if status in (401, 403):
        raise AuthenticationFailed(AUTH_REFUSED)
    if status >= 500:
        raise SystemUnavailable(
            f"The RIPE Database failed the {what} with HTTP {status}; retrying later."
        )
    raise refused_as(f"The RIPE Database refused the {what} with HTTP {status}.", status)


def retry_after(header: str | None) -> float:
    """Seconds to wait: the header if given, else until midnight UTC, when RIPE lifts the block."""
    try:
        return max(0.0, float(header or ""))
    except ValueError:
        now = datetime.now(UTC)
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
        return (midnight - now).total_seconds()


def refused(what: str, response: httpx.Response) -> ConnectorError:
    # Only the templates: their `args` carry attribute values, which may be personal data.
    errors = [m.text for m in parse_messages(json_of(response)) if m.severity == "Error"]
    reason = "; ".join(errors) or f"HTTP {response.status_code}"
    return SystemRefused(f"The RIPE Database refused the {what} ({reason}); check the object.")


def json_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def path_of(source: str, obj: RipeObject) -> str:
    return f"/{source}/{obj.type}/{quote(obj.key, safe='/:')}"
