"""Signed webhooks: HMAC-SHA256 over `<timestamp>.` + the raw body.

See docs/architecture.md, "Security model".

Shared by the registrar simulator, which signs, and the API, which verifies. The delivery id
is chosen by the sender and kept across retries, so the receiver can refuse a replay.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping

TIMESTAMP_HEADER = "X-Dsr-Timestamp"
SIGNATURE_HEADER = "X-Dsr-Signature"
DELIVERY_HEADER = "X-Dsr-Delivery"
SCHEME = "v1"
DEFAULT_TOLERANCE = 300


class WebhookRejected(ValueError):
    """A webhook that must not be acted on; the message says why, without its content."""


class SignatureInvalid(WebhookRejected):
    """Headers missing or malformed, or the signature does not match the body."""


class TimestampStale(WebhookRejected):
    """The signed timestamp is outside the tolerance: too old (a replay?) or in the future."""


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of `f"{timestamp}."` followed by the raw body."""
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_headers(
    secret: bytes, body: bytes, now: float, *, delivery_id: str | None = None
) -> dict[str, str]:
    """Headers for one delivery attempt; pass `delivery_id` again when retrying the same event."""
    timestamp = int(now)
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: f"{SCHEME}={sign(secret, timestamp, body)}",
        DELIVERY_HEADER: delivery_id or str(uuid.uuid4()),
    }


def verify(
    secret: bytes,
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    tolerance: int = DEFAULT_TOLERANCE,
) -> str:
    """The delivery id of an authentic, fresh webhook; raises a `WebhookRejected` otherwise."""
    if not secret:
        raise SignatureInvalid("No webhook secret is configured; set DSR_WEBHOOK_SECRET.")
    lowered = {key.lower(): value for key, value in headers.items()}
    timestamp = _timestamp(lowered.get(TIMESTAMP_HEADER.lower(), ""))
    delivery_id = lowered.get(DELIVERY_HEADER.lower(), "").strip()
    if not delivery_id:
        raise SignatureInvalid(f"The webhook has no {DELIVERY_HEADER} header; it was refused.")
    expected = sign(secret, timestamp, body)
    offered = _signatures(lowered.get(SIGNATURE_HEADER.lower(), ""))
    # Every candidate is compared, in constant time, so timing reveals nothing about which failed.
    matches = [hmac.compare_digest(expected, candidate) for candidate in offered]
    if not any(matches):
        raise SignatureInvalid("The webhook signature does not match; check the shared secret.")
    if abs(now - timestamp) > tolerance:
        raise TimestampStale(
            f"The webhook timestamp is more than {tolerance} s from now; the sender must resend."
        )
    return delivery_id


def _timestamp(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise SignatureInvalid(
            f"The webhook has no valid {TIMESTAMP_HEADER} header; it was refused."
        ) from None


def _signatures(header: str) -> list[str]:
    """The `v1=` values of a signature header; several are allowed while a secret rotates."""
    values = []
    for part in header.split(","):
        scheme, _, value = part.strip().partition("=")
        if scheme == SCHEME and value:
            values.append(value.strip())
    if not values:
        raise SignatureInvalid(f"The webhook has no {SCHEME} {SIGNATURE_HEADER}; it was refused.")
    return values
