"""Expiring download links for local blobs: an HMAC-signed token the API checks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time


class LinkInvalid(ValueError):
    """The link was altered or is malformed."""


class LinkExpired(LinkInvalid):
    """The link was genuine but its time is up."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_link(secret: bytes, key: str, expires_in: int, now: float | None = None) -> str:
    """A token naming a blob key and its expiry, signed with `secret`."""
    expires = int((now if now is not None else time.time()) + expires_in)
    body = f"{expires}:{key}".encode()
    mac = hmac.new(secret, body, hashlib.sha256).digest()
    return f"{_b64(body)}.{_b64(mac)}"


def verify_link(secret: bytes, token: str, now: float | None = None) -> str:
    """Return the blob key of a valid, unexpired token."""
    try:
        body_part, mac_part = token.split(".", 1)
        body, mac = _unb64(body_part), _unb64(mac_part)
        expires_text, key = body.decode().split(":", 1)
        expires = int(expires_text)
    except (ValueError, UnicodeDecodeError):
        raise LinkInvalid("This download link is malformed.") from None
    expected = hmac.new(secret, body, hashlib.sha256).digest()
    if not hmac.compare_digest(mac, expected):
        raise LinkInvalid("This download link is not valid.")
    if (now if now is not None else time.time()) > expires:
        raise LinkExpired("This download link has expired; ask for a new one.")
    return key
