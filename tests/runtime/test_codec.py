"""Keys, the payload codec and the subject hash: what Temporal stores of a request is ciphertext."""

from __future__ import annotations

import base64
import os
from datetime import UTC, date, datetime

import pytest
from cryptography.exceptions import InvalidTag
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.exceptions import ApplicationError

from domain.kinds import RequestKind
from domain.messages import RequestInput
from domain.subject import SubjectIdentifiers
from runtime.codec import ENCODING, KEY_ID, EncryptionCodec, data_converter
from runtime.keys import Keyring, KeyringError, generate_key_entry
from runtime.subject_hash import subject_hash

EMAIL = "jan.de.vries@example.nl"


def _key() -> bytes:
    return os.urandom(32)


def _entry(kid: str, key: bytes) -> str:
    return f"{kid}:{base64.b64encode(key).decode()}"


def _request_input() -> RequestInput:
    return RequestInput(
        request_id="req-0001",
        kind=RequestKind.ERASURE,
        subject=SubjectIdentifiers(
            email=EMAIL, name="Jan de Vries", customer_number="C-1001", language="nl"
        ),
        agent_ref="ZD-4711",
        received_at=datetime(2025, 1, 31, 9, 30, tzinfo=UTC),
        due_on=date(2025, 2, 28),
        subject_hash="0" * 32,
    )


# --- Keyring.parse ---


@pytest.mark.parametrize("text", ["", "   ", ",\n,", "\n"])
def test_keyring_without_keys_is_refused(text: str) -> None:
    with pytest.raises(KeyringError, match="No encryption key is configured"):
        Keyring.parse(text)


@pytest.mark.parametrize("text", ["justbase64", ":" + base64.b64encode(b"x" * 32).decode()])
def test_key_entry_without_id_is_refused(text: str) -> None:
    with pytest.raises(KeyringError, match="must look like '<key id>:<base64 of 32 bytes>'"):
        Keyring.parse(text)


@pytest.mark.parametrize("b64", ["not base64!", "abc", "QUJD$A==", "ab cd"])
def test_key_that_is_not_base64_is_refused(b64: str) -> None:
    with pytest.raises(KeyringError) as err:
        Keyring.parse(f"k1:{b64}")
    assert str(err.value) == "Key 'k1' is not valid base64."


@pytest.mark.parametrize("size", [0, 16, 31, 33, 64])
def test_key_of_the_wrong_length_is_refused_without_showing_it(size: int) -> None:
    b64 = base64.b64encode(os.urandom(size)).decode()
    with pytest.raises(KeyringError) as err:
        Keyring.parse(f"k1:{b64}")
    message = str(err.value)
    assert message.startswith("Key 'k1' is not 32 bytes")
    if b64:
        assert b64 not in message


def test_keyring_parses_comma_and_newline_separated_entries_newest_first() -> None:
    k1, k2, k3 = _key(), _key(), _key()
    ring = Keyring.parse(f" {_entry('new', k3)}\n{_entry('mid', k2)} , {_entry('old', k1)}\n")
    assert ring.keys == (("new", k3), ("mid", k2), ("old", k1))
    assert ring.current_id == "new"


def test_generated_key_entry_parses() -> None:
    ring = Keyring.parse(generate_key_entry("fresh"))
    assert ring.current_id == "fresh"
    assert len(ring.keys[0][1]) == 32


# --- encrypt / decrypt / rotation ---


def test_encrypt_decrypt_round_trip() -> None:
    ring = Keyring((("k1", _key()),))
    kid, blob = ring.encrypt(EMAIL.encode(), b"request-1")
    assert kid == "k1"
    assert EMAIL.encode() not in blob
    assert ring.decrypt(kid, blob, b"request-1") == EMAIL.encode()


def test_encrypting_twice_gives_different_ciphertext() -> None:
    ring = Keyring((("k1", _key()),))
    assert ring.encrypt(b"same")[1] != ring.encrypt(b"same")[1]


@pytest.mark.parametrize("associated", [b"", b"request-2"])
def test_ciphertext_bound_to_other_associated_data_is_refused(associated: bytes) -> None:
    ring = Keyring((("k1", _key()),))
    kid, blob = ring.encrypt(b"secret", b"request-1")
    with pytest.raises(InvalidTag):
        ring.decrypt(kid, blob, associated)


def test_tampered_ciphertext_is_refused() -> None:
    ring = Keyring((("k1", _key()),))
    kid, blob = ring.encrypt(b"secret")
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(InvalidTag):
        ring.decrypt(kid, tampered)


def test_payload_from_an_old_key_decrypts_after_rotation() -> None:
    old_key, new_key = _key(), _key()
    before = Keyring.parse(_entry("old", old_key))
    kid, blob = before.encrypt(b"written before rotation")
    after = Keyring.parse(f"{_entry('new', new_key)},{_entry('old', old_key)}")
    assert after.decrypt(kid, blob) == b"written before rotation"
    new_kid, new_blob = after.encrypt(b"written after rotation")
    assert new_kid == "new"
    assert Keyring.parse(_entry("new", new_key)).decrypt(new_kid, new_blob) == (
        b"written after rotation"
    )


def test_unknown_key_id_is_refused_with_a_hint() -> None:
    kid, blob = Keyring((("old", _key()),)).encrypt(b"x")
    ring = Keyring((("new", _key()),))
    with pytest.raises(KeyringError) as err:
        ring.decrypt(kid, blob)
    assert str(err.value) == "Unknown encryption key id 'old'; was a key removed too early?"


def test_derived_secret_survives_adding_a_new_key() -> None:
    old_key = _key()
    before = Keyring((("old", old_key),))
    after = Keyring((("new", _key()), ("old", old_key)))
    assert before.derive("links") == after.derive("links")
    assert before.derive("links") != before.derive("subject-hash")
    assert len(before.derive("links")) == 32


# --- EncryptionCodec ---


def _json_payload(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=text.encode())


async def test_codec_round_trip_restores_the_payloads() -> None:
    codec = EncryptionCodec(Keyring((("k1", _key()),)))
    originals = [_json_payload(f'{{"email": "{EMAIL}"}}'), _json_payload('"second"')]
    encoded = await codec.encode(originals)
    assert len(encoded) == 2
    assert await codec.decode(encoded) == originals


async def test_codec_hides_the_email_and_names_the_key() -> None:
    codec = EncryptionCodec(Keyring((("k-2025", _key()), ("k-2024", _key()))))
    (encoded,) = await codec.encode([_json_payload(f'{{"email": "{EMAIL}"}}')])
    assert encoded.metadata["encoding"] == ENCODING
    assert encoded.metadata[KEY_ID] == b"k-2025"
    assert EMAIL.encode() not in encoded.SerializeToString()
    assert b"json/plain" not in encoded.SerializeToString()


async def test_codec_passes_through_payloads_it_did_not_encrypt() -> None:
    codec = EncryptionCodec(Keyring((("k1", _key()),)))
    plain = _json_payload('"not encrypted"')
    assert await codec.decode([plain]) == [plain]


async def test_codec_decodes_old_payloads_after_rotation() -> None:
    old_key = _key()
    (encoded,) = await EncryptionCodec(Keyring((("old", old_key),))).encode([_json_payload("1")])
    rotated = EncryptionCodec(Keyring((("new", _key()), ("old", old_key))))
    assert await rotated.decode([encoded]) == [_json_payload("1")]


async def test_codec_without_the_key_refuses_to_decode() -> None:
    (encoded,) = await EncryptionCodec(Keyring((("old", _key()),))).encode([_json_payload("1")])
    with pytest.raises(KeyringError, match="Unknown encryption key id 'old'"):
        await EncryptionCodec(Keyring((("new", _key()),))).decode([encoded])


# --- data_converter ---


async def test_data_converter_round_trips_a_request_input() -> None:
    converter = data_converter(Keyring((("k1", _key()),)))
    original = _request_input()
    payloads = await converter.encode([original])
    assert all(p.metadata["encoding"] == ENCODING for p in payloads)
    assert all(p.metadata[KEY_ID] == b"k1" for p in payloads)
    assert not any(EMAIL.encode() in p.SerializeToString() for p in payloads)
    assert not any(b"Jan de Vries" in p.SerializeToString() for p in payloads)
    (decoded,) = await converter.decode(payloads, [RequestInput])
    assert decoded == original
    assert isinstance(decoded.subject, SubjectIdentifiers)
    assert decoded.kind is RequestKind.ERASURE


async def test_data_converter_encrypts_failure_messages() -> None:
    converter = data_converter(Keyring((("k1", _key()),)))
    message = f"Billing has no customer for {EMAIL}."
    failure = Failure()
    await converter.encode_failure(ApplicationError(message, type="NotFound"), failure)
    assert failure.message != message
    assert failure.message == "Encoded failure"
    assert failure.encoded_attributes.metadata["encoding"] == ENCODING
    assert EMAIL.encode() not in failure.SerializeToString()
    decoded = await converter.decode_failure(failure)
    assert isinstance(decoded, ApplicationError)
    assert decoded.message == message
    assert decoded.type == "NotFound"


async def test_data_converter_encrypts_plain_exception_messages() -> None:
    converter = data_converter(Keyring((("k1", _key()),)))
    failure = Failure()
    await converter.encode_failure(ValueError(f"bad address {EMAIL}"), failure)
    assert EMAIL.encode() not in failure.SerializeToString()
    decoded = await converter.decode_failure(failure)
    assert isinstance(decoded, ApplicationError)
    assert decoded.message == f"bad address {EMAIL}"
    assert decoded.type == "ValueError"


# --- subject_hash ---

SECRET = b"s" * 32


def test_subject_hash_is_stable() -> None:
    subject = SubjectIdentifiers(email=EMAIL)
    assert subject_hash(SECRET, subject) == subject_hash(SECRET, SubjectIdentifiers(email=EMAIL))


def test_subject_hash_depends_on_the_secret() -> None:
    subject = SubjectIdentifiers(email=EMAIL)
    assert subject_hash(SECRET, subject) != subject_hash(b"t" * 32, subject)


@pytest.mark.parametrize("variant", ["Jan.De.Vries@Example.NL", "JAN.DE.VRIES@EXAMPLE.NL"])
def test_subject_hash_ignores_email_case(variant: str) -> None:
    assert subject_hash(SECRET, SubjectIdentifiers(email=variant)) == subject_hash(
        SECRET, SubjectIdentifiers(email=EMAIL)
    )


def test_subject_hash_by_email_ignores_name_and_customer_number() -> None:
    plain = SubjectIdentifiers(email=EMAIL)
    full = SubjectIdentifiers(email=EMAIL, name="Jan", customer_number="C-1", language="nl")
    assert subject_hash(SECRET, plain) == subject_hash(SECRET, full)


def test_subject_hash_falls_back_to_the_customer_number() -> None:
    a = subject_hash(SECRET, SubjectIdentifiers(customer_number="C-1001"))
    b = subject_hash(SECRET, SubjectIdentifiers(customer_number="C-1002"))
    assert a != b
    assert a == subject_hash(SECRET, SubjectIdentifiers(customer_number="c-1001"))


@pytest.mark.parametrize(
    "subject",
    [SubjectIdentifiers(email=EMAIL), SubjectIdentifiers(customer_number="C-1001")],
)
def test_subject_hash_is_hex_without_the_identifier(subject: SubjectIdentifiers) -> None:
    digest = subject_hash(SECRET, subject)
    assert len(digest) == 32
    assert set(digest) <= set("0123456789abcdef")
    for part in (EMAIL, "jan", "example", "C-1001"):
        assert part.lower() not in digest
