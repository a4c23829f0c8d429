"""Signing and verifying webhooks: HMAC over timestamp and raw body, tolerance, delivery ids."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from runtime.webhook_signing import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureInvalid,
    TimestampStale,
    WebhookRejected,
    sign,
    signature_headers,
    verify,
)

SECRET = b"shared-secret"
BODY = b'{"event":"customer.deleted","reference":"job-1","status":"completed"}'
NOW = 1_790_000_000


def test_sign_is_hex_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET, b"1790000000." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, NOW, BODY) == expected


def test_headers_verify_and_return_the_delivery_id() -> None:
    headers = signature_headers(SECRET, BODY, NOW)
    assert headers[TIMESTAMP_HEADER] == str(NOW)
    assert headers[SIGNATURE_HEADER] == f"v1={sign(SECRET, NOW, BODY)}"
    assert verify(SECRET, headers, BODY, NOW + 10) == headers[DELIVERY_HEADER]


def test_a_retry_keeps_its_delivery_id_with_a_fresh_signature() -> None:
    first = signature_headers(SECRET, BODY, NOW)
    retry = signature_headers(SECRET, BODY, NOW + 60, delivery_id=first[DELIVERY_HEADER])
    assert retry[DELIVERY_HEADER] == first[DELIVERY_HEADER]
    assert verify(SECRET, retry, BODY, NOW + 61) == first[DELIVERY_HEADER]


def test_each_new_delivery_gets_its_own_id() -> None:
    one, two = signature_headers(SECRET, BODY, NOW), signature_headers(SECRET, BODY, NOW)
    assert one[DELIVERY_HEADER] != two[DELIVERY_HEADER]


def test_header_names_are_case_insensitive() -> None:
    headers = {k.lower(): v for k, v in signature_headers(SECRET, BODY, NOW).items()}
    assert verify(SECRET, headers, BODY, NOW)


@pytest.mark.parametrize(
    ("secret", "body"),
    [(b"other-secret", BODY), (SECRET, BODY + b" "), (SECRET, BODY.replace(b"1", b"2"))],
)
def test_wrong_secret_or_altered_body_is_refused(secret: bytes, body: bytes) -> None:
    headers = signature_headers(SECRET, BODY, NOW)
    with pytest.raises(SignatureInvalid, match="does not match"):
        verify(secret, headers, body, NOW)


def test_a_signature_over_another_timestamp_is_refused() -> None:
    headers = signature_headers(SECRET, BODY, NOW)
    headers[TIMESTAMP_HEADER] = str(NOW + 1)
    with pytest.raises(SignatureInvalid):
        verify(SECRET, headers, BODY, NOW)


@pytest.mark.parametrize("skew", [301, -301, 86_400])
def test_timestamps_outside_the_tolerance_are_stale(skew: int) -> None:
    headers = signature_headers(SECRET, BODY, NOW)
    with pytest.raises(TimestampStale):
        verify(SECRET, headers, BODY, NOW + skew)


def test_the_tolerance_edge_is_accepted_and_configurable() -> None:
    headers = signature_headers(SECRET, BODY, NOW)
    assert verify(SECRET, headers, BODY, NOW + 300)
    with pytest.raises(TimestampStale):
        verify(SECRET, headers, BODY, NOW + 31, tolerance=30)


def test_a_rotating_sender_may_offer_several_signatures() -> None:
    headers = signature_headers(SECRET, BODY, NOW)
    headers[SIGNATURE_HEADER] = f"v1={'0' * 64}, {headers[SIGNATURE_HEADER]}"
    assert verify(SECRET, headers, BODY, NOW)


@pytest.mark.parametrize("missing", [TIMESTAMP_HEADER, SIGNATURE_HEADER, DELIVERY_HEADER])
def test_missing_headers_are_refused(missing: str) -> None:
    headers = signature_headers(SECRET, BODY, NOW)
    del headers[missing]
    with pytest.raises(SignatureInvalid):
        verify(SECRET, headers, BODY, NOW)


@pytest.mark.parametrize(
    ("header", "value"),
    [(TIMESTAMP_HEADER, "yesterday"), (SIGNATURE_HEADER, "v0=abc"), (SIGNATURE_HEADER, "v1=")],
)
def test_malformed_headers_are_refused(header: str, value: str) -> None:
    headers = signature_headers(SECRET, BODY, NOW)
    headers[header] = value
    with pytest.raises(SignatureInvalid):
        verify(SECRET, headers, BODY, NOW)


def test_an_empty_secret_verifies_nothing() -> None:
    headers = signature_headers(b"", BODY, NOW)
    with pytest.raises(SignatureInvalid, match="DSR_WEBHOOK_SECRET"):
        verify(b"", headers, BODY, NOW)


def test_rejections_are_value_errors_without_the_body() -> None:
    assert issubclass(SignatureInvalid, WebhookRejected)
    assert issubclass(TimestampStale, WebhookRejected)
    assert issubclass(WebhookRejected, ValueError)
    headers = signature_headers(SECRET, BODY, NOW)
    with pytest.raises(WebhookRejected) as caught:
        verify(b"wrong", headers, BODY, NOW)
    assert "job-1" not in str(caught.value)
