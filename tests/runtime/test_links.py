"""Expiring download links: a signed token names a blob key until it expires."""

from __future__ import annotations

import base64

import pytest

from runtime.links import LinkInvalid, sign_link, verify_link

SECRET = b"k" * 32
NOW = 1_750_000_000.0
KEY = "archives/req-0001/access.zip"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize("key", [KEY, "a", "proof/req:with:colons.pdf", "ünïcode/key.json"])
def test_signed_link_verifies_to_its_key(key: str) -> None:
    token = sign_link(SECRET, key, 3600, now=NOW)
    assert verify_link(SECRET, token, now=NOW) == key


def test_token_is_url_safe() -> None:
    token = sign_link(SECRET, "a/b?c=d&e", 60, now=NOW)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


@pytest.mark.parametrize(
    ("offset", "valid"),
    [(0, True), (3599, True), (3600, True), (3601, False), (86_400, False)],
)
def test_link_expires_after_its_lifetime(offset: int, valid: bool) -> None:
    token = sign_link(SECRET, KEY, 3600, now=NOW)
    if valid:
        assert verify_link(SECRET, token, now=NOW + offset) == KEY
    else:
        with pytest.raises(
            LinkInvalid, match=r"^This download link has expired; ask for a new one"
        ):
            verify_link(SECRET, token, now=NOW + offset)


def test_link_signed_with_another_secret_is_refused() -> None:
    token = sign_link(b"other secret", KEY, 3600, now=NOW)
    with pytest.raises(LinkInvalid, match=r"^This download link is not valid\.$"):
        verify_link(SECRET, token, now=NOW)


@pytest.mark.parametrize(
    "body",
    [
        f"{int(NOW) + 3600}:archives/req-0002/access.zip",  # another subject's archive
        f"{int(NOW) + 10**9}:{KEY}",  # lifetime stretched
    ],
)
def test_tampered_link_is_refused(body: str) -> None:
    token = sign_link(SECRET, KEY, 3600, now=NOW)
    _, mac = token.split(".", 1)
    with pytest.raises(LinkInvalid, match=r"^This download link is not valid\.$"):
        verify_link(SECRET, f"{_b64(body.encode())}.{mac}", now=NOW)


def test_link_with_a_flipped_signature_byte_is_refused() -> None:
    body, mac = sign_link(SECRET, KEY, 3600, now=NOW).split(".", 1)
    raw = base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4))
    flipped = _b64(raw[:-1] + bytes([raw[-1] ^ 1]))
    with pytest.raises(LinkInvalid, match="not valid"):
        verify_link(SECRET, f"{body}.{flipped}", now=NOW)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "no-dot-at-all",
        ".",
        "abc.def",  # body is not UTF-8
        f"{_b64(b'no-colon')}.{_b64(b'mac')}",
        f"{_b64(b'soon:' + KEY.encode())}.{_b64(b'mac')}",  # expiry is not a number
        f"{_b64(bytes([0xFF, 0xFE]))}.{_b64(b'mac')}",
        "é.é",
        "a.b",  # not decodable base64
    ],
)
def test_malformed_link_is_refused(token: str) -> None:
    with pytest.raises(LinkInvalid) as err:
        verify_link(SECRET, token, now=NOW)
    assert str(err.value) == "This download link is malformed."


def test_link_invalid_is_a_value_error() -> None:
    assert issubclass(LinkInvalid, ValueError)
