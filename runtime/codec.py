"""AES-GCM payload codec: what Temporal stores of a request is ciphertext.

See docs/architecture.md, "Security model".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import temporalio.converter
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import PayloadCodec

from runtime.keys import Keyring

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"


class EncryptionCodec(PayloadCodec):
    """Encrypts whole serialized payloads; the key id travels in clear metadata for rotation."""

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for p in payloads:
            kid, blob = self._keyring.encrypt(p.SerializeToString())
            out.append(Payload(metadata={"encoding": ENCODING, KEY_ID: kid.encode()}, data=blob))
        return out

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for p in payloads:
            if p.metadata.get("encoding", b"") != ENCODING:
                out.append(p)
                continue
            kid = p.metadata[KEY_ID].decode()
            out.append(Payload.FromString(self._keyring.decrypt(kid, p.data)))
        return out


def data_converter(keyring: Keyring) -> temporalio.converter.DataConverter:
    """Pydantic JSON for our dataclasses, encrypted; failure messages are encrypted too."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(keyring),
        failure_converter_class=_EncodingFailureConverter,
    )


class _EncodingFailureConverter(temporalio.converter.DefaultFailureConverter):
    def __init__(self) -> None:
        super().__init__(encode_common_attributes=True)
