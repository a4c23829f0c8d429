"""AES-256-GCM keys with ids, for the payload codec and for blobs at rest; newest key first."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from runtime.settings import Settings, get_settings


class KeyringError(ValueError):
    """The key configuration is missing or malformed."""


@dataclass(frozen=True)
class Keyring:
    """Encrypts with the first key; decrypts with whichever key id a ciphertext names."""

    keys: tuple[tuple[str, bytes], ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise KeyringError(
                "No encryption key is configured; set DSR_CODEC_KEYS or DSR_CODEC_KEY_FILE."
            )
        for kid, key in self.keys:
            if len(key) != 32:
                raise KeyringError(f"Key {kid!r} is not 32 bytes; generate one with `dsr keygen`.")

    @property
    def current_id(self) -> str:
        return self.keys[0][0]

    def aead(self, key_id: str | None = None) -> AESGCM:
        wanted = key_id or self.current_id
        for kid, key in self.keys:
            if kid == wanted:
                return AESGCM(key)
        raise KeyringError(f"Unknown encryption key id {wanted!r}; was a key removed too early?")

    def derive(self, label: str) -> bytes:
        """A secret for another purpose (link signing, subject hashing), stable across rotation.

        Derived from the oldest key, which stays in the ring until every use of it is retired.
        """
        return hmac.new(self.keys[-1][1], label.encode(), hashlib.sha256).digest()

    def encrypt(self, plaintext: bytes, associated: bytes = b"") -> tuple[str, bytes]:
        """Return (key id, nonce + ciphertext)."""
        nonce = os.urandom(12)
        return self.current_id, nonce + self.aead().encrypt(nonce, plaintext, associated)

    def decrypt(self, key_id: str, blob: bytes, associated: bytes = b"") -> bytes:
        return self.aead(key_id).decrypt(blob[:12], blob[12:], associated)

    @classmethod
    def parse(cls, text: str) -> Keyring:
        """Parse '<id>:<base64>' entries separated by commas or newlines."""
        entries = [e.strip() for e in text.replace("\n", ",").split(",") if e.strip()]
        keys = []
        for entry in entries:
            kid, sep, b64 = entry.partition(":")
            if not sep or not kid:
                raise KeyringError("A key entry must look like '<key id>:<base64 of 32 bytes>'.")
            try:
                keys.append((kid, base64.b64decode(b64, validate=True)))
            except ValueError:
                raise KeyringError(f"Key {kid!r} is not valid base64.") from None
        return cls(tuple(keys))

    @classmethod
    def load(cls, inline: str, path: Path | None) -> Keyring:
        if inline:
            return cls.parse(inline)
        if path is not None and path.exists():
            return cls.parse(path.read_text())
        raise KeyringError(
            "No encryption key is configured; set DSR_CODEC_KEYS or DSR_CODEC_KEY_FILE."
        )


def generate_key_entry(key_id: str | None = None) -> str:
    """A fresh '<id>:<base64>' entry for a key file."""
    kid = key_id or f"k{secrets.token_hex(4)}"
    return f"{kid}:{base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}"


def keyring_from_settings(settings: Settings | None = None) -> Keyring:
    s = settings or get_settings()
    return Keyring.load(s.codec_keys, s.codec_key_file or s.home / "codec.key")
